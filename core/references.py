"""Reference transcripts: where one is found for an audio file, and how its text is read.

A reference is read only after a run has been measured, so a file that cannot be read
must not cost the run: `read` answers with the reason instead of raising, and the
result is kept with no WER and that reason recorded.
"""

from __future__ import annotations

import codecs
from pathlib import Path

# Byte-order marks name their encoding (Windows editors write them). Without one only
# UTF-8 is assumed: guessing a legacy code page would score WER against misread text.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def find(audio_path: Path) -> Path | None:
    """A reference transcript beside the audio: `clip.flac.txt` or `clip.txt`."""
    for candidate in (audio_path.with_name(audio_path.name + ".txt"), audio_path.with_suffix(".txt")):
        if candidate.is_file() and candidate != audio_path:
            return candidate
    return None


def decode(data: bytes) -> str:
    """The text of a reference file's bytes; UnicodeDecodeError when it is not UTF-8 or
    Unicode with a byte-order mark."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    return data.decode(encoding)


def _text(path: Path) -> tuple[str | None, str | None]:
    """(the file's text, None), or (None, why it has none: unreadable, not text, or
    empty, which scored would count every word heard as an error)."""
    try:
        text = decode(Path(path).read_bytes())
        return (text, None) if text.strip() else (None, f"reference {path} is empty")
    except OSError as exc:
        return None, f"reference {path} cannot be read ({exc.strerror or exc})"
    except UnicodeDecodeError as exc:
        return None, f"reference {path} is not UTF-8 or UTF-16 text (byte {exc.start}); save the transcript as UTF-8 to score it"


def not_text(path: Path) -> str | None:
    """Why a file chosen as a reference is no transcript, or None: checked when it is
    chosen, so that a run is not measured without its WER."""
    return _text(path)[1]


def read(path: Path | None) -> tuple[str | None, str | None]:
    """(text, None) for a readable reference, (None, reason) for one that is not, and
    (None, None) when there is no reference at all."""
    if path is None:
        return None, None
    text, why = _text(path)
    return (text, None) if why is None else (None, f"no WER for this run: {why}")


def unlikely_match(wer: float | None, reference: str | None) -> str | None:
    """A hint when the transcript has more errors than the reference has words, which
    a reference of this audio gives only with a decoding loop: most often the wrong
    file was given as the reference."""
    if wer is None or wer <= 1:
        return None
    return f"WER {wer:.2f}, more errors than reference words: is {reference} this audio's transcript?"
