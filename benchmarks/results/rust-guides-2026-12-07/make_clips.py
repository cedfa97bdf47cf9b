"""The probe's clips: four Rust books (`guides.py`) read by ten voice variants no
earlier clip has, at 120 to 240 wpm, continuous or with pauses after sentences or
paragraphs, one of them two books long. Each WAV gets its reference beside it, so
`benchmarks.long_form --wav` runs them:

    PYTHONPATH=.:benchmarks/results/rust-book-2026-12-07:benchmarks/results/rust-guides-2026-12-07 .venv/bin/python benchmarks/results/rust-guides-2026-12-07/make_clips.py DIR
    .venv/bin/python -m benchmarks.long_form --backends jax,pytorch --no-unprompted --dtypes float32,bfloat16 --save DIR/out --wav DIR/NAME.wav ...
"""
import sys
from pathlib import Path

from guides import guide

from benchmarks.clips import read_all_aloud

CLIPS = {  # name: (books, first paragraph, words, voice, wpm, pause ms, pause after: "paragraph" | "sentence")
    "nomicon-us-gene-195": (("nomicon",), 0, 1700, "en-us+Gene", 195, 0, "paragraph"),
    "nomicon-gb-linda-150-sentences": (("nomicon",), 120, 1200, "en-gb+linda", 150, 500, "sentence"),
    "embedded-caribbean-antonio-170": (("embedded-book",), 0, 1500, "en-029+antonio", 170, 0, "paragraph"),
    "embedded-scot-m7-160-paragraphs": (("embedded-book",), 100, 1300, "en-gb-scotland+m7", 160, 1500, "paragraph"),
    "cargo-nyc-travis-225": (("cargo",), 0, 2000, "en-us-nyc+travis", 225, 0, "paragraph"),
    "cargo-rp-edward-135": (("cargo",), 300, 1200, "en-gb-x-rp+edward", 135, 0, "paragraph"),
    "rustc-lancs-f4-185-sentences": (("rustc",), 0, 1500, "en-gb-x-gbclan+f4", 185, 400, "sentence"),
    "rustc-wmids-norbert-205": (("rustc",), 250, 1800, "en-gb-x-gbcwmd+norbert", 205, 0, "paragraph"),
    "nomicon-rustc-us-shelby-240-long": (("nomicon", "rustc"), 200, 2800, "en-us+shelby", 240, 0, "paragraph"),
    "cargo-us-annie-120-paragraphs": (("cargo",), 500, 1000, "en-us+Annie", 120, 2000, "paragraph"),
}


if __name__ == "__main__":
    read_all_aloud(CLIPS, lambda books: [p for b in books for p in guide(b)], Path(sys.argv[1]))
