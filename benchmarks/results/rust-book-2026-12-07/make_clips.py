"""The probe's clips: the Rust book and the Perl Journal article (`prose.py`) read by
ten voice variants the corpus lacks, at 115 to 245 wpm, continuous or with pauses after
sentences or paragraphs, 7-12 minutes. Each WAV gets its reference beside it, so
`benchmarks.long_form --wav` runs them:

    PYTHONPATH=.:benchmarks/results/rust-book-2026-12-07 .venv/bin/python benchmarks/results/rust-book-2026-12-07/make_clips.py DIR
    .venv/bin/python -m benchmarks.long_form --backends jax,pytorch --no-unprompted --dtypes float32,bfloat16 --save DIR/out --wav DIR/NAME.wav ...
"""
import sys
from pathlib import Path

from prose import article, book

from benchmarks.clips import read_all_aloud

CLIPS = {  # name: (text, first paragraph, words, voice, wpm, pause ms, pause after: "paragraph" | "sentence")
    "rust-us-robert-185": ("book", 0, 1700, "en-us+Robert", 185, 0, "paragraph"),
    "rust-nyc-mike-215": ("book", 90, 2000, "en-us-nyc+Mike", 215, 0, "paragraph"),
    "rust-us-john-115": ("book", 200, 1050, "en-us+john", 115, 0, "paragraph"),
    "rust-rp-paul-160-sentences": ("book", 300, 1300, "en-gb-x-rp+Paul", 160, 700, "sentence"),
    "rust-scot-jacky-175": ("book", 380, 1600, "en-gb-scotland+Jacky", 175, 0, "paragraph"),
    "rust-wmids-max-200-paragraphs": ("book", 460, 1600, "en-gb-x-gbcwmd+Max", 200, 2000, "paragraph"),
    "rust-us-quincy-240-long": ("book", 540, 2900, "en-us+Quincy", 240, 0, "paragraph"),
    "tpj-gb-steph-140": ("article", 0, 1200, "en-gb+Steph", 140, 0, "paragraph"),
    "tpj-caribbean-lee-150-paragraphs": ("article", 20, 1100, "en-029+Lee", 150, 1500, "paragraph"),
    "tpj-us-female3-205": ("article", 10, 1700, "en-us+female3", 205, 0, "paragraph"),
}


if __name__ == "__main__":
    read_all_aloud(CLIPS, lambda source: book() if source == "book" else article(), Path(sys.argv[1]))
