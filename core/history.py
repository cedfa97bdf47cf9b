"""Every result of every session, appended to a JSON-lines file in the user data dir,
so nothing measured is lost if the app is closed or killed mid-session."""

from __future__ import annotations

import json
import os

from asr_tui.core import paths
from asr_tui.core.results import RunResult


def history_file():
    return paths.data_dir() / "history.jsonl"


def append(result: RunResult) -> None:
    path = history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(result.to_dict()) + "\n"
    # One write of one line, flushed to disk: a kill leaves whole lines behind.
    with open(path, "a", encoding="utf-8") as fp:
        fp.write(line)
        fp.flush()
        os.fsync(fp.fileno())
