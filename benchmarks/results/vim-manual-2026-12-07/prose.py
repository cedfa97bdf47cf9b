"""The paragraphs of Vim's user manual (`usr_*.txt`, which Debian's and Ubuntu's vim
packages keep under /usr/share/vim/vim90/doc) that are plain prose: no indented line
(examples, tables), 20 words or more, letters and punctuation only (brackets and
double quotes taken away, as for the licence clips). Tutorial prose no earlier clip
has: second person, commands named in words, short sentences."""
import glob
import re

MANUAL = "/usr/share/vim/vim90/doc/usr_*.txt"


def paragraphs() -> list[str]:
    found = []
    for path in sorted(glob.glob(MANUAL)):
        text = open(path, encoding="utf-8", errors="replace").read()
        for block in re.split(r"\n\s*\n", text):
            if any(line.startswith((" ", "\t")) for line in block.splitlines()):
                continue
            paragraph = re.sub(r"[()\"]", "", re.sub(r"\s+", " ", block).strip())
            if len(paragraph.split()) >= 20 and re.fullmatch(r"[A-Za-z ,;:'\-.?!]+", paragraph) and paragraph[0].isupper():
                found.append(paragraph)
    return found
