"""Four more books that rustup installs with the toolchain's docs, none read aloud by
an earlier clip: the Rustonomicon, the Embedded Rust book, the Cargo book and the rustc
book, each as the plain-prose paragraphs of its one-page print version (the Rust-book
probe's `prose.py` picks them: no code, lists or headings)."""
from pathlib import Path

from prose import _Paragraphs, _plain

DOCS = Path.home() / ".rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html"


def guide(name: str) -> list[str]:
    parser = _Paragraphs()
    parser.feed((DOCS / name / "print.html").read_text())
    found = [p.replace("’", "'").replace("“", '"').replace("”", '"') for p in parser.found]
    return [p for p in found if _plain(p)]
