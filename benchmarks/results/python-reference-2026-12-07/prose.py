"""The paragraphs of Python's language reference (`pydoc_data.topics`, in every CPython)
that are plain prose: 20 words or more, letters and punctuation only (brackets and
quotes taken away, as for the licence clips). Text no sentence pattern makes, on
programming; it differs between Python versions (this sitting: 3.11.7)."""
import re

from pydoc_data.topics import topics


def paragraphs() -> list[str]:
    found = []
    for key in sorted(topics):
        for block in re.split(r"\n\s*\n", topics[key]):
            paragraph = re.sub(r"[()\"]", "", re.sub(r"\s+", " ", block).strip())
            if len(paragraph.split()) >= 20 and re.fullmatch(r"[A-Za-z ,;:'\-.?!]+", paragraph) and paragraph[0].isupper():
                found.append(paragraph)
    return found
