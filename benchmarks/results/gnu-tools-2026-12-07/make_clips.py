"""The probe's clips: the smaller GNU manuals no earlier clip read (sed, wget, gettext,
Nettle, grep, bc, time, ed, bzip2, the Readline user's manual), their plain paragraphs
taken as `../gnu-manuals-2026-12-07/prose.py` takes them, one after another, read by ten
voice variants no earlier clip has, at 140 to 245 wpm, continuous or with pauses after
sentences or paragraphs. Each WAV gets its reference beside it, so `benchmarks.long_form
--wav` runs them:

    PYTHONPATH=.:benchmarks/results/gnu-manuals-2026-12-07 .venv/bin/python benchmarks/results/gnu-tools-2026-12-07/make_clips.py DIR
    .venv/bin/python -m benchmarks.long_form --backends jax,pytorch --no-unprompted --dtypes float32,bfloat16 --save DIR/out --wav DIR/NAME.wav ...
"""
import sys
from pathlib import Path

from prose import manual

from benchmarks.clips import read_all_aloud

MANUALS = ("sed", "wget", "gettext", "nettle", "grep", "bc", "time", "ed", "bzip2", "rluserman")
CLIPS = {  # name: (unused, first paragraph, words, voice, wpm, pause ms, pause after: "paragraph" | "sentence")
    "tools-us-boris-195": ("all", 0, 1500, "en-us+boris", 195, 0, "paragraph"),
    "tools-gb-hugo-170-sentences": ("all", 20, 1300, "en-gb+Hugo", 170, 500, "sentence"),
    "tools-rp-rob-230": ("all", 40, 1800, "en-gb-x-rp+rob", 230, 0, "paragraph"),
    "tools-nyc-alicia-150-paragraphs": ("all", 60, 1200, "en-us-nyc+Alicia", 150, 2000, "paragraph"),
    "tools-caribbean-david-200": ("all", 80, 1600, "en-029+david", 200, 0, "paragraph"),
    "tools-lancs-marco-180": ("all", 100, 1500, "en-gb-x-gbclan+Marco", 180, 0, "paragraph"),
    "tools-scot-aunty-140-sentences": ("all", 5, 1100, "en-gb-scotland+aunty", 140, 800, "sentence"),
    "tools-wmids-michel-210": ("all", 30, 1700, "en-gb-x-gbcwmd+michel", 210, 0, "paragraph"),
    "tools-us-m6-245-long": ("all", 10, 3000, "en-us+m6", 245, 0, "paragraph"),
    "tools-us-henrique-190-paragraphs": ("all", 50, 1500, "en-us+Henrique", 190, 1500, "paragraph"),
}


if __name__ == "__main__":
    read_all_aloud(CLIPS, lambda _: [p for m in MANUALS for p in manual(m)], Path(sys.argv[1]))
