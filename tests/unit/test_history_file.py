"""The history file: one whole JSON record per line, appended, each read back into
the result it was. (A torn last line and the tolerant reader are the nothing-lost
tests' subject.)"""

from __future__ import annotations

import json

from asr_tui.core import history
from asr_tui.core.results import RunResult
from tests.unit.made_results import made_result


def test_each_result_is_one_line_appended_after_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = history.history_file()
    assert path.is_relative_to(tmp_path / "data") and not path.exists()
    results = [made_result(), made_result(audio="/clips/two.flac", text="Line one.\nLine two.", config_name="a | b")]
    for result in results:
        history.append(result)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 3 and lines[-1] == ""  # a newline inside a transcript stays escaped in its record
    assert [RunResult.from_dict(json.loads(line)) for line in lines[:-1]] == results
    history.append(made_result(config_name="third"))
    assert path.read_text(encoding="utf-8").startswith("\n".join(lines[:-1]))
