"""A clip-length sweep from the shell: the same file cut (after decoding, outside the
timed passes) to each length, and the curve as PNG beside the markdown export."""

from __future__ import annotations

import json

import pytest

from asr_tui.core import plots
from tests.cli_helpers import asr_tui, one_line_error


def test_clip_lengths_run_cut_and_plot(tmp_path):
    out = tmp_path / "sweep.json"
    proc = asr_tui("run", "--backend", "pytorch", "--temperatures", "0", "--warmup", "0", "--repeat", "1",
                   "--sweep", "clip_seconds=4,8,60", "--json", str(out), "--markdown", str(tmp_path / "sweep.md"))
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(out.read_text())["runs"]
    assert [(r["clip_seconds"], round(r["audio_seconds"], 3)) for r in runs] == [(4.0, 4.0), (8.0, 8.0), (60.0, 23.917)]
    # the reference is the whole file's: no WER for a part of it, a WER for a clip that ran all of it
    assert all(r["wer"] is None and "no WER for a clip of" in r["wer_error"] for r in runs[:2])
    assert runs[2]["wer"] < 0.2 and "23.9 s long: a 60 s clip runs all of it" in proc.stderr
    # seconds of different amounts of audio are not set against each other
    assert "the speed of" not in proc.stdout
    assert all(r["audio_decode_s"] > 0 and r["passes"][0]["stages"]["decoder"] > 0 for r in runs)
    assert all(r["energy"]["cpu_j"] == "not available" for r in runs)  # no readable RAPL counters here
    png = tmp_path / "sweep.length.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert plots.NO_MATPLOTLIB in proc.stderr and not png.exists()
    else:
        assert png.read_bytes().startswith(b"\x89PNG") and f"wrote {png}" in proc.stderr


@pytest.mark.parametrize("args, words", [
    (["--clip-seconds", "-5"], "clip_seconds"),
    (["--markdown", "results.txt"], "must end in .md"),
])
def test_bad_length_or_markdown_path_is_one_line(tmp_path, args, words):
    assert words in one_line_error(asr_tui("run", *args, cwd=tmp_path))
