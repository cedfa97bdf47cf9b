"""The five licence clips of this sitting, as they were made (in /tmp/s23/new, run from
there): real prose from /usr/share/common-licenses, in voices and at rates the corpus
lacked. espeak-ng reads the text file (-f), so a blank line between paragraphs is a
pause. The first three were spoken from the text with its brackets (espeak-ng says
nothing for them) and their references had the brackets taken away afterwards (sed), since
Whisper's normaliser drops the words between brackets; the last two were spoken from
the text without them. `benchmarks.clips.licence` makes the two that joined the corpus
the same way but for the pauses (its paragraphs run on).

    python handmade_clips.py [NAME ...]
"""
import re, subprocess, sys
from pathlib import Path


def prose(path, start, words):
    text = Path(path).read_text()
    text = text[text.index(start):]
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    out, n = [], 0
    for p in paras:
        p = re.sub(r"^(\d+\.|[a-z]\)|\([a-z0-9]+\))\s*", "", p)
        p = p.replace('"', "").replace("``", "").replace("''", "")
        if not p or not re.search(r"[a-z]", p):
            continue
        out.append(p)
        n += len(p.split())
        if n >= words:
            break
    return "\n\n".join(out)


CLIPS = [  # name, licence, where it starts, words, voice, wpm, spoken with its brackets
    ("gpl3-rp-155", "/usr/share/common-licenses/GPL-3", "The GNU General Public License is a free", 1550, "en-gb-x-rp", 155, True),
    ("apache-f4-195", "/usr/share/common-licenses/Apache-2.0", "TERMS AND CONDITIONS", 1600, "en-us+f4", 195, True),
    ("mpl-gbclan-175", "/usr/share/common-licenses/MPL-2.0", "1. Definitions", 1500, "en-gb-x-gbclan+m7", 175, True),
    ("gpl3-headings-m7-170", "/usr/share/common-licenses/GPL-3", "1. Source Code.", 1500, "en-us+m7", 170, False),
    ("gfdl-f2-140", "/usr/share/common-licenses/GFDL-1.3", "0. PREAMBLE", 1400, "en-029+f2", 140, False),
]
for name, path, start, words, voice, rate, brackets in CLIPS:
    if sys.argv[1:] and name not in sys.argv[1:]:
        continue
    text = prose(path, start, words)
    bare = text.replace("(", "").replace(")", "")
    Path(f"{name}.txt").write_text((text if brackets else bare) + "\n")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", f"{name}.wav", "-f", f"{name}.txt"], check=True)
    Path(f"{name}.txt").write_text(bare + "\n")
    print(name, len(bare.split()), "words")
