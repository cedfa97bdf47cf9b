"""Write results as JSON, CSV or Markdown, and transcripts as txt, srt or vtt.

Every file is written atomically: an export interrupted halfway leaves the old
file, never a truncated one. They are the user's files, so they keep the mode of the
file they replace and a symlink keeps pointing at the file written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from asr_tui.core import atomic, corpus, decomposition, parity, table_notes
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.presets import slugify
from asr_tui.core.results import RunResult, document
from asr_tui.core.sweeps import Skipped

TRANSCRIPT_FORMATS = ("txt", "srt", "vtt")
TABLE_FORMATS = ("json", "csv", "md", "markdown")

COLUMNS = (
    ("config", lambda r: r.config_name),
    ("marks", lambda r: r.marks),  # as the tables show them; the markdown's lines under its table say why
    ("backend", lambda r: r.backend),
    ("model", lambda r: r.model),
    ("device", lambda r: r.device),
    ("dtype", lambda r: r.dtype),
    ("batch", lambda r: r.batch_size),
    ("beam", lambda r: r.beam_size),
    ("audio", lambda r: Path(r.audio).name),
    ("audio_s", lambda r: round(r.audio_seconds, 2)),
    # a model loaded before this row (an earlier run, or this run's first file) has its
    # load time on that row: empty here, so a sum of the column counts each load once
    ("load_s", lambda r: None if r.model_reused else round(r.load_s, 3)),
    ("model_reused", lambda r: r.model_reused),
    ("first_run_s", lambda r: round(r.first_run_s, 3)),
    ("warm_median_s", lambda r: None if r.warm_median_s is None else round(r.warm_median_s, 3)),
    ("warm_min_s", lambda r: None if r.warm_min_s is None else round(r.warm_min_s, 3)),
    ("warm_max_s", lambda r: None if r.warm_max_s is None else round(r.warm_max_s, 3)),
    ("cv", lambda r: None if r.cv is None else round(r.cv, 4)),
    ("unstable", lambda r: r.unstable),
    ("outliers", lambda r: len(r.outliers)),
    ("rtfx", lambda r: round(r.rtfx, 2)),
    ("wer", lambda r: None if r.wer is None else round(r.wer, 4)),
    ("raw_wer", lambda r: None if r.raw_wer is None else round(r.raw_wer, 4)),
    ("normaliser", lambda r: r.normaliser),
    ("lost_words", lambda r: r.lost_words),
    ("added_words", lambda r: r.added_words),
    ("repeated_words", lambda r: r.repeated_words),
    ("reference_repeated_words", lambda r: r.reference_repeated_words),
    ("sampled_windows", lambda r: r.sampled_windows),
    ("rss_before_load_mb", lambda r: None if r.rss_before_load_mb is None else round(r.rss_before_load_mb)),
    ("peak_rss_mb", lambda r: None if r.peak_rss_mb is None else round(r.peak_rss_mb)),
    ("peak_gpu_mb", lambda r: None if r.peak_gpu_mb is None else round(r.peak_gpu_mb)),
    ("contended", lambda r: r.contended),
    ("interleaved", lambda r: r.interleaved),
    ("finished_at", lambda r: r.finished_at or None),
    ("host", lambda r: r.env.get("hostname")),
)


def rows(results: list[RunResult]) -> list[list]:
    return [[get(r) for _, get in COLUMNS] for r in results]


def to_json(results: list[RunResult], complete: bool = True, skipped: Sequence[Skipped] = ()) -> str:
    """The results document; `complete` is false while a benchmark is still adding to
    it, and `skipped` lists what was asked for and not measured: a sweep's
    combinations a backend refused, files left out (missing, or that would not
    decode), and runs that failed."""
    not_run = [{s.kind: s.label, "reason": s.reason} for s in skipped]
    return json.dumps(document(results) | {"complete": complete, "skipped": not_run}, indent=2)


def to_csv(results: list[RunResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerows(["" if v is None else v for v in row] for row in rows(results))
    return out.getvalue()


def _markdown_cell(value) -> str:
    """A label is the user's text: a '|' in it would end the cell early."""
    return "" if value is None else str(value).replace("|", "\\|")


def markdown_table(header: list[str], table_rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table_rows:
        lines.append("| " + " | ".join(_markdown_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


INCOMPLETE = "Incomplete: the run was stopped before every measurement was made."


def to_markdown(results: list[RunResult], skipped: Sequence[Skipped] = (), complete: bool = True) -> str:
    """A run stopped early says so first (as the JSON's `complete`); then the settings
    the configurations differ in beyond those compared, the per-file table, its rows'
    warnings and what the CLI says under it (`table_notes`: lines and the stages
    table), then, when a configuration ran over several files, its corpus figures,
    and when configurations differ one factor at a time, the speedup decomposed;
    last, what was not measured (a sweep's combinations, files left out, runs that
    failed), and why."""
    unlike = parity.line(results)
    text = "" if complete else f"**{INCOMPLETE}**\n\n"
    text += f"**{_markdown_cell(unlike)}**\n\n" if unlike else ""
    text += markdown_table([name for name, _ in COLUMNS], rows(results))
    warnings = [f"- row {number}: {note}" for number, r in enumerate(results, start=1) for note in r.to_dict()["warnings"]]
    if warnings:
        text += "\n" + "\n".join(warnings) + "\n"
    notes = [line for line in (table_notes.order_note(results), table_notes.wer_note(results)) if line]
    if notes:
        text += "\n" + "\n\n".join(notes) + "\n"
    if speeds := table_notes.relative_speeds(results):
        text += f"\n{table_notes.SPEEDS_HEADING}\n\n" + "\n".join(f"- {line}" for line in speeds) + "\n"
    if found_stages := table_notes.stage_rows(results):
        text += f"\n{table_notes.STAGES_TITLE} and energy\n\n" + markdown_table(*found_stages)
    summaries = [s.to_dict() for s in corpus.summarize(results)]
    if any(s["files"] > 1 for s in summaries):
        text += "\n" + markdown_table(list(summaries[0]), [list(s.values()) for s in summaries])
    found = decomposition.decompose(results)
    if found.steps:
        text += "\nSpeedup decomposed" + (f": {found.summary()}" if found.path else "") + "\n\n"
        text += markdown_table(decomposition.TABLE_HEADER, decomposition.table_rows(found))
    if skipped:
        text += "\nNot run:\n\n" + "\n".join(f"- {s.label}: {s.reason}" for s in skipped) + "\n"
    return text


def _timestamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def transcript(result: RunResult, fmt: str) -> str:
    if fmt == "txt":
        return result.text.strip() + "\n"
    if fmt == "srt":
        blocks = [
            f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{s.text.strip()}\n"
            for i, s in enumerate(result.segments, start=1)
        ]
        return "\n".join(blocks)
    if fmt == "vtt":
        cues = [
            f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{s.text.strip()}\n"
            for s in result.segments
        ]
        return "WEBVTT\n\n" + "\n".join(cues)
    raise AsrTuiError(_transcript_format_refusal(fmt))


def default_transcript_name(result: RunResult, fmt: str = "srt") -> str:
    """`<audio stem>.<configuration label>.<fmt>`: the label tells apart configurations of
    one backend (CTranslate2 float32 and int8) that the backend's name would not."""
    return f"{Path(result.audio).stem}.{slugify(result.config_name or result.backend)}.{fmt}"


def write_file(path: Path, text: str | bytes) -> None:
    """Write a file the user named, or fail in one line that says why."""
    try:
        atomic.write_user_file(path, text)
    except OSError as exc:
        raise AsrTuiError(f"cannot write {path}: {exc.strerror or exc}") from None


def check_writable(path: Path) -> None:
    """Fail now, in one line, if `path` cannot be written later."""
    try:
        atomic.check_writable(Path(path).expanduser())
    except OSError as exc:
        raise AsrTuiError(f"cannot write {path}: {exc.strerror or exc}") from None


def check_json_flag(path: Path) -> None:
    """A `--json` file the CLI will write: named .json (a JSON document under another
    name is found by no tool that looks for one), in a place it can write."""
    if Path(path).suffix.lower() != ".json":
        raise AsrTuiError(f"--json {path}: the file must end in .json")
    check_writable(path)


def check_table_path(path: Path) -> None:
    """What `write_table(path)` would refuse, refused before anyone is asked whether to
    overwrite it: a format it does not write, then a place it cannot write."""
    if Path(path).suffix.lstrip(".").lower() not in TABLE_FORMATS:
        raise AsrTuiError(_table_format_refusal(path))
    check_writable(path)


def check_transcript_path(path: Path) -> None:
    """As `check_table_path`, for `write_transcript`."""
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in TRANSCRIPT_FORMATS:
        raise AsrTuiError(_transcript_format_refusal(fmt))
    check_writable(path)


def _table_format_refusal(path: Path) -> str:
    return f"cannot export to '{Path(path).name}': use .json, .csv or .md"


def _transcript_format_refusal(fmt: str) -> str:
    return f"unknown transcript format '{fmt}' (choose {', '.join(TRANSCRIPT_FORMATS)})"


def write_table(results: list[RunResult], path: Path, fmt: str | None = None, complete: bool = True,
                skipped: Sequence[Skipped] = ()) -> Path:
    path = Path(path).expanduser()
    fmt = fmt or path.suffix.lstrip(".").lower()
    markdown = partial(to_markdown, skipped=skipped, complete=complete)
    writers = {"json": partial(to_json, complete=complete, skipped=skipped), "csv": to_csv, "md": markdown, "markdown": markdown}
    if fmt not in TABLE_FORMATS:
        raise AsrTuiError(_table_format_refusal(path))
    write_file(path, writers[fmt](results))
    return path


def write_export(results: list[RunResult], path: Path, skipped: Sequence[Skipped] = (), complete: bool = True) -> str:
    """Write the results table in the format `path` names and, beside a markdown one,
    the length and batch curves as PNG (`core.plots`); the line that says what was
    written."""
    from asr_tui.core import plots

    written = write_table(results, path, skipped=skipped, complete=complete)
    notes = plots.write_pngs(results, written) if written.suffix.lower() in (".md", ".markdown") else []
    runs = f"{len(results)} run{'s' if len(results) != 1 else ''}"
    return "; ".join([f"exported {runs} to {written.absolute()}", *notes])  # a relative name says not where


def write_transcript(result: RunResult, path: Path, fmt: str | None = None) -> Path:
    path = Path(path).expanduser()
    fmt = fmt or path.suffix.lstrip(".").lower()
    write_file(path, transcript(result, fmt))
    return path
