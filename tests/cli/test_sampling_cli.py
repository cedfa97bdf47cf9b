"""A run with a window decoded by sampling says so, in its table, its notes and its
JSON, and one whose windows all passed at temperature 0 does not (real decoding):
another seed is another draw of such a transcript, and of its WER."""

from __future__ import annotations

import json

from asr_tui.core.samples import SAMPLE
from asr_tui.core.sampling import SAMPLED_MARK
from tests.cli_helpers import asr_tui


def run(tmp_path, name: str, *flags: str) -> tuple[dict, str]:
    out = tmp_path / f"{name}.json"
    proc = asr_tui("run", str(SAMPLE), *flags, "--warmup", "0", "--repeat", "1", "--json", str(out), env={"COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())["runs"][0], proc.stdout


def test_a_transcript_the_fallback_sampled_is_marked_and_a_greedy_one_is_not(tmp_path):
    # a schedule that starts above 0 samples every window, here through the batched loop
    sampled, stdout = run(tmp_path, "sampled", "--backend", "pytorch", "--strategy", "batched", "--temperatures", "0.5",
                          "--seed", "3")
    assert sampled["sampled_windows"] >= 1, sampled
    note = f"{SAMPLED_MARK} decoded {sampled['sampled_windows']} window"
    assert any(w.startswith(note) and "(seed 3)" in w for w in sampled["warnings"]), sampled["warnings"]
    assert f"{SAMPLED_MARK} row 1 (" in stdout
    # with the default schedule, the bundled speech passes at temperature 0: nothing sampled, nothing said
    passed, stdout = run(tmp_path, "passed", "--backend", "ctranslate2")
    assert passed["sampled_windows"] == 0
    assert not any(w.startswith(SAMPLED_MARK) for w in passed["warnings"]) and f"{SAMPLED_MARK} row" not in stdout
