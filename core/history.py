"""Every result of every session, appended to a JSON-lines file in the user data dir,
so nothing measured is lost if the app is closed or killed mid-session.

The TUI and `asr-tui run` both append here, each result as it finishes. A process
killed mid-write can leave a torn last line; the next append starts on a fresh line so
its own record survives, and readers skip what they cannot parse and say how much.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from asr_tui.core import paths
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.results import RunResult


def history_file() -> Path:
    return paths.data_dir() / "history.jsonl"


def append(result: RunResult) -> None:
    path = history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(result.to_dict()) + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # a torn last line stays torn, on its own
        # One write of one line, flushed to disk: a kill leaves whole lines behind.
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path | None = None) -> tuple[list[RunResult], int]:
    """Every readable record, oldest first, and how many lines could not be read (a line
    cut by a kill, written by an incompatible version or edited by hand): those are
    skipped, not fatal. A file that cannot be read at all is an AsrTuiError."""
    path = path or history_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    except OSError as exc:  # a folder in its place, no permission: said, not fatal
        raise AsrTuiError(f"cannot read the history {path}: {exc.strerror or exc}") from None
    results, skipped = [], 0
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            results.append(RunResult.from_dict(json.loads(line)))
        except (ValueError, TypeError, KeyError, AttributeError):
            skipped += 1
    return results, skipped
