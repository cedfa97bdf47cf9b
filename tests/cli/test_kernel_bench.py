"""`asr-tui bench`: a real run of a model's shape with random weights, the document
it writes, what a stopped bench keeps, and bad input as one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.cli_helpers import asr_tui, one_line_error


def test_bench_times_every_stage_for_each_backend_and_batch(tmp_path):
    out = tmp_path / "kernels.json"
    proc = asr_tui("bench", "--model", "tiny", "--backends", "pytorch,jax", "--dtypes", "float32,float16",
                   "--batches", "1,2", "--steps", "4", "--repeat", "1", "--threads", "1", "--json", str(out),
                   env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    assert "random weights: timing only" in proc.stdout
    # in 80 columns the table is wider than the terminal rather than cut: "float…" could be either dtype
    assert {tuple(line.split()[:3]) for line in proc.stdout.splitlines()} >= {
        ("pytorch", "float32", "1"), ("jax", "float32", "2"), ("jax", "float16", "2")}, proc.stdout
    doc = json.loads(out.read_text())
    assert doc["complete"] is True and doc["note"] == "random weights: timing only"
    assert doc["dims"]["n_text_layer"] == 4 and doc["steps"] == 4
    timed = {(r["backend"], r["dtype"], r["batch"]) for r in doc["rows"]}
    # PyTorch runs float16 only on a GPU: skipped with its reason, JAX runs both
    assert timed == {(b, d, n) for b, d in (("pytorch", "float32"), ("jax", "float32"), ("jax", "float16")) for n in (1, 2)}
    assert [(s["backend"], s["dtype"]) for s in doc["skipped"]] == [("pytorch", "float16")]
    assert "float16" in doc["skipped"][0]["reason"] and "(pytorch float16)" in proc.stderr
    assert proc.stderr.count("not timed") == 1
    for row in doc["rows"]:
        assert row["encoder_s_per_window"] > 0 and row["prefill_ms"] > 0 and row["decoder_ms_per_step"] > 0
        assert row["decoder_ms_per_token"] * row["batch"] == row["decoder_ms_per_step"]
        assert row["threads"] == 1 and row["note"] == "random weights: timing only"
    jax_rows = [r for r in doc["rows"] if r["backend"] == "jax"]
    assert all(r["compile_s"] > 0 for r in jax_rows)  # timed apart, on each shape's first call
    assert all(r["compile_s"] is None for r in doc["rows"] if r["backend"] == "pytorch")  # nothing compiles there


def test_a_bench_killed_midway_keeps_the_rows_it_finished(tmp_path):
    out = tmp_path / "kernels.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "asr_tui.cli.main", "bench", "--model", "tiny", "--backends", "jax,pytorch",
         "--dtypes", "float32", "--batches", "1,8", "--steps", "200", "--repeat", "3", "--json", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 300
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert out.exists(), "no row was written"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    doc = json.loads(out.read_text())
    assert doc["complete"] is False
    assert [(r["backend"], r["batch"]) for r in doc["rows"]][:1] == [("jax", 1)]


def test_bad_bench_input_is_one_line(tmp_path):
    assert "large-v9" in one_line_error(asr_tui("bench", "--model", "large-v9"))
    assert "whole numbers" in one_line_error(asr_tui("bench", "--batches", "1,x"))
    assert "unknown backend 'tensorrt'" in one_line_error(asr_tui("bench", "--backends", "tensorrt"))
    # before "making random weights", which a typo used to wait for
    line = one_line_error(asr_tui("bench", "--dtypes", "float32,int4"))
    assert "unknown dtype 'int4' (choose float32, float16, bfloat16, int8)" in line
    assert "steps must be" in one_line_error(asr_tui("bench", "--steps", "1000"))
    assert "threads -1: 0 (one per physical core) or more" in one_line_error(asr_tui("bench", "--threads", "-1"))
    (tmp_path / "folder.json").mkdir()
    assert f"cannot write {tmp_path / 'folder.json'}: Is a directory" in one_line_error(
        asr_tui("bench", "--json", str(tmp_path / "folder.json")))
    assert "--json bench.txt: the file must end in .json" in one_line_error(asr_tui("bench", "--json", "bench.txt"))


def test_ctranslate2_is_timed_on_the_same_work(tmp_path):
    """faster-whisper's engine times the same shape through its own `encode` and
    `generate` (the weights written as a CTranslate2 directory), exactly `steps`
    tokens per call, in each compute type it runs here."""
    out = tmp_path / "kernels.json"
    proc = asr_tui("bench", "--model", "tiny", "--backends", "ctranslate2", "--dtypes", "float32,int8",
                   "--batches", "1,2", "--steps", "4", "--repeat", "1", "--threads", "1", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert {(r["backend"], r["dtype"], r["batch"]) for r in doc["rows"]} == {
        ("ctranslate2", d, n) for d in ("float32", "int8") for n in (1, 2)
    }
    for row in doc["rows"]:
        assert row["encoder_s_per_window"] > 0 and row["prefill_ms"] > 0 and row["decoder_ms_per_step"] > 0
        assert row["threads"] == 1 and row["note"] == "random weights: timing only"
