"""`asr-tui run --interleave` as a user runs it: the order, the parity line above the
table, raw and normalised WER with the normaliser, and the speed as x ± y."""

from __future__ import annotations

import json

from asr_tui.core.samples import SAMPLE
from tests.cli_helpers import asr_tui, one_line_error

PRESET = """interleave = true

[[configs]]
label = "pt"
backend = "pytorch"
temperatures = [0.0]
warmup = 0
repeat = 2

[[configs]]
label = "ct2 int8"
backend = "ctranslate2"
dtype = "int8"
temperatures = [0.0]
warmup = 0
repeat = 2
"""


def test_an_interleaved_run_records_its_order_and_says_what_is_not_like_for_like(tmp_path):
    preset = tmp_path / "pair.toml"
    preset.write_text(PRESET)
    out = tmp_path / "results.json"
    proc = asr_tui("run", "--preset", str(preset), "--json", str(out), str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert [(p["config"], p["pass"]) for p in doc["order"]] == [("pt", 1), ("ct2 int8", 1), ("ct2 int8", 2), ("pt", 2)]
    # both models load before the first pass: each load line says whose it is
    loads = [line.split(":")[0] for line in proc.stderr.splitlines() if ": model loaded in " in line]
    assert loads == ["pt", "ct2 int8"], proc.stderr
    assert all(run["interleaved"] for run in doc["runs"])
    unlike = {d["setting"]: d["values"] for d in doc["not_like_for_like"]}
    assert unlike["dtype"] == {"pt": "float32", "ct2 int8": "int8"} and "backend" not in unlike
    for run in doc["runs"]:
        assert run["normaliser"].startswith("whisper.normalizers.EnglishTextNormalizer (openai-whisper ")
        assert run["wer"] is not None and run["raw_wer"] >= run["wer"]  # case and punctuation count raw
        assert isinstance(run["outliers"], list) and isinstance(run["warnings"], list)
    # the parity line comes before the table, the normaliser and the speed after it
    lines = proc.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("not like for like: "))
    table = next(i for i, line in enumerate(lines) if "asr-tui results" in line)
    assert first < table and "dtype (pt: float32; ct2 int8: int8)" in lines[first]
    assert "raw WER" in proc.stdout and "WER after whisper.normalizers.EnglishTextNormalizer" in proc.stdout
    assert any(line.strip().startswith("ct2 int8 on gettysburg.flac: ") and " ± " in line and "the speed of pt" in line
               for line in lines)


def test_a_bad_interleave_value_is_one_line(tmp_path):
    preset = tmp_path / "bad.toml"
    preset.write_text('interleave = "yes"\n[[configs]]\n')
    line = one_line_error(asr_tui("run", "--preset", str(preset)))
    assert "bad.toml" in line and "'interleave' must be bool" in line
