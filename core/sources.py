"""What a source names: an audio file, a folder of them, a glob, or a manifest.

A corpus is run as many files, so a source may stand for several:

- a folder: every audio file under it (recursively, in name order), each with its
  sibling reference transcript if there is one (`clip.txt` or `clip.wav.txt`);
- a glob (`data/*.flac`, `**` recurses), matched when no file has that exact name;
- a manifest, `.tsv` or `.jsonl`, one audio file per line with its reference:
  - JSONL: `{"audio": PATH, "text": REFERENCE}` or `{"audio": PATH, "reference":
    TRANSCRIPT_PATH}`; NeMo's `audio_filepath` is accepted for `audio`;
  - TSV: a header row naming the columns (`audio` or `path`; `text` or `sentence`
    for the reference itself; `reference` for a transcript file), or no header and
    the columns AUDIO<TAB>REFERENCE TEXT.
  Relative paths are relative to the manifest. A line without a reference (or a
  blank one, or one naming a missing file) runs for timing and counts towards
  corpus RTFx only: no sibling transcript is looked for in its place.

A file named twice (`a.wav` and `./a.wav`, or by a folder and a manifest) runs once,
under its first name.

Files a manifest names but that do not exist are listed and the rest run; a folder
or glob with no audio, or a manifest naming no existing file, is an error.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from asr_tui.core import paths
from asr_tui.core.audio import AUDIO_SUFFIXES
from asr_tui.core.errors import AsrTuiError

MANIFEST_SUFFIXES = (".tsv", ".jsonl")
AUDIO_KEYS = ("audio", "audio_filepath", "path")
TEXT_KEYS = ("text", "sentence", "transcript")
REFERENCE_FILE_KEY = "reference"
REFERENCE_KEYS = (*TEXT_KEYS, REFERENCE_FILE_KEY)  # what a manifest line may give its reference under


@dataclass(frozen=True)
class InlineReference:
    """A reference transcript given as text (in a manifest), and where it was given."""

    text: str
    origin: str  # "manifest.tsv:12"


Reference = Path | InlineReference


@dataclass
class Expanded:
    files: list[Path] = field(default_factory=list)
    # None: a manifest line gives no reference (timing only, no sibling looked for)
    references: dict[Path, Reference | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # audio named by a manifest, not found
    missing_references: list[str] = field(default_factory=list)  # their audio runs for timing only
    unreferenced: list[str] = field(default_factory=list)  # manifest lines with no reference: timing only
    seen: set = field(default_factory=set, repr=False)  # the files' identities (`_seen_before`)


def is_glob(source: str | Path) -> bool:
    return any(c in str(source) for c in "*?[") and not Path(source).exists()


def expand(sources) -> Expanded:
    """Every audio file the sources name, with the references manifests give. A plain
    file passes through untouched, even a missing one: decoding says why it fails."""
    out = Expanded()
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            _add_all(out, _audio_under(path), f"no audio files in {path}")
        elif is_glob(source):
            matches = sorted((Path(p) for p in glob.glob(str(path), recursive=True)), key=natural_order)
            _add_all(out, [p for p in matches if _is_audio(p)], f"no audio files match {source}")
        elif path.suffix.lower() in MANIFEST_SUFFIXES:
            _read_manifest(out, path)
        elif not _seen_before(out, path):
            out.files.append(path)
    return out


def _seen_before(out: Expanded, path: Path) -> bool:
    """Whether `path` is already among the files, under any spelling of it (its device
    and inode where it exists; a set, so a folder of thousands stays quick). Adds it
    to the set when not."""
    try:
        stat = path.stat()
        identity: object = (stat.st_dev, stat.st_ino)
    except OSError:  # missing: decoding says why later
        identity = os.path.normpath(path)
    if identity in out.seen:
        return True
    out.seen.add(identity)
    return False


def _is_audio(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".")


def _audio_under(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if _is_audio(p)), key=natural_order)


def natural_order(path: Path) -> tuple:
    """Sort key that reads numbers in names as numbers, as a person lists takes:
    take2 before take10, folder by folder; the path as written breaks ties (Take2
    and take2), so the order never rests on how the file system lists them."""
    def name_key(name: str) -> tuple:
        # split on runs of digits: they are the odd parts, the text between them the even
        return tuple(int(part) if index % 2 else part.lower() for index, part in enumerate(re.split(r"(\d+)", name)))

    return tuple(name_key(name) for name in path.parts), str(path)


def _add_all(out: Expanded, files: list[Path], empty_message: str) -> None:
    if not files:
        raise AsrTuiError(empty_message)
    out.files.extend(f for f in files if not _seen_before(out, f))


def _read_manifest(out: Expanded, manifest: Path) -> None:
    paths.require_file(manifest, "manifest")
    try:
        text = manifest.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is no part of the header
    except (OSError, UnicodeDecodeError) as exc:
        raise AsrTuiError(f"cannot read manifest {manifest}: {getattr(exc, 'strerror', None) or exc}") from None
    entries = _jsonl(manifest, text) if manifest.suffix.lower() == ".jsonl" else _tsv(manifest, text)
    found = 0
    for line, audio, reference in entries:
        audio_path = _relative(manifest, audio)
        if not audio_path.is_file():
            out.missing.append(str(audio_path))
            continue
        found += 1
        if _seen_before(out, audio_path):
            continue  # the first line naming a file decides its reference
        out.files.append(audio_path)
        if isinstance(reference, Path):
            reference = _relative(manifest, str(reference))
            if not reference.is_file():  # listed; the audio still runs, for timing
                out.missing_references.append(str(reference))
                reference = None
        elif reference is not None:
            reference = InlineReference(reference, f"{manifest}:{line}")
        else:
            out.unreferenced.append(f"{manifest}:{line}")
        out.references[audio_path] = reference
    if not found:
        raise AsrTuiError(f"manifest {manifest} names no existing audio file")


def _relative(manifest: Path, name: str) -> Path:
    path = Path(name).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else manifest.parent / path))  # no "man/../a.wav"


def _entry(manifest: Path, line: int, row: dict) -> tuple[int, str, str | Path | None]:
    audio = next((row[k] for k in AUDIO_KEYS if row.get(k)), None)
    if not isinstance(audio, str):
        raise AsrTuiError(f"{manifest}:{line}: no audio path ({' or '.join(AUDIO_KEYS)})")
    if wrong := next((k for k in REFERENCE_KEYS if row.get(k) is not None and not isinstance(row[k], str)), None):
        what = "a reference file's path" if wrong == REFERENCE_FILE_KEY else "the reference as text"
        raise AsrTuiError(f"{manifest}:{line}: '{wrong}' must be {what} (got {row[wrong]!r})")
    text = next((row[k] for k in TEXT_KEYS if isinstance(row.get(k), str) and row[k].strip()), None)
    if text is not None:
        return line, audio, text
    reference = row.get(REFERENCE_FILE_KEY)
    return line, audio, Path(reference) if reference else None


def _jsonl(manifest: Path, text: str) -> list:
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise AsrTuiError(f"{manifest}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise AsrTuiError(f"{manifest}:{number}: expected an object with an 'audio' path")
        entries.append(_entry(manifest, number, row))
    return entries


def _tsv(manifest: Path, text: str) -> list:
    rows = [r for r in csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)]
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(cell.strip() for cell in r)]
    if not numbered:
        return []
    first = [cell.strip().lower() for cell in numbered[0][1]]
    if any(k in first for k in AUDIO_KEYS):
        header, numbered = first, numbered[1:]
    else:
        header = ["audio", "text"]
    entries = []
    for number, row in numbered:
        values = dict(zip(header, (cell.strip() for cell in row)))
        entries.append(_entry(manifest, number, values))
    return entries
