"""The probe's clips: four GNU manuals (`prose.py`) read by ten voice variants no
earlier clip has, at 125 to 240 wpm, continuous or with pauses after sentences or
paragraphs, two of them two manuals long. Each WAV gets its reference beside it, so
`benchmarks.long_form --wav` runs them:

    PYTHONPATH=.:benchmarks/results/gnu-manuals-2026-12-07 .venv/bin/python benchmarks/results/gnu-manuals-2026-12-07/make_clips.py DIR
    .venv/bin/python -m benchmarks.long_form --backends jax,pytorch --no-unprompted --dtypes float32,bfloat16 --save DIR/out --wav DIR/NAME.wav ...
"""
import sys
from pathlib import Path

from prose import manual

from benchmarks.clips import read_all_aloud

CLIPS = {  # name: (manuals, first paragraph, words, voice, wpm, pause ms, pause after: "paragraph" | "sentence")
    "coreutils-us-andrea-185": (("coreutils",), 0, 1300, "en-us+Andrea", 185, 0, "paragraph"),
    "coreutils-gb-denis-160-sentences": (("coreutils",), 45, 1300, "en-gb+Denis", 160, 600, "sentence"),
    "find-us-ed-210": (("find",), 0, 1500, "en-us+ed", 210, 0, "paragraph"),
    "find-rp-victor-145-paragraphs": (("find",), 40, 1500, "en-gb-x-rp+victor", 145, 1500, "paragraph"),
    "diff-caribbean-iven3-175": (("diffutils",), 0, 1400, "en-029+iven3", 175, 0, "paragraph"),
    "diff-nyc-pablo-225": (("diffutils",), 24, 1400, "en-us-nyc+pablo", 225, 0, "paragraph"),
    "gnupg-lancs-diogo-190-sentences": (("gnupg",), 0, 1300, "en-gb-x-gbclan+Diogo", 190, 400, "sentence"),
    "gnupg-scot-caleb-165": (("gnupg",), 40, 1300, "en-gb-scotland+caleb", 165, 0, "paragraph"),
    "coreutils-find-us-m5-240-long": (("coreutils", "find"), 60, 2800, "en-us+m5", 240, 0, "paragraph"),
    "diff-gnupg-wmids-belinda-125-paragraphs": (("diffutils", "gnupg"), 30, 1200, "en-gb-x-gbcwmd+belinda", 125, 2500, "paragraph"),
}


if __name__ == "__main__":
    read_all_aloud(CLIPS, lambda manuals: [p for m in manuals for p in manual(m)], Path(sys.argv[1]))
