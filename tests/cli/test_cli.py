"""`asr-tui run` as a user runs it: a real process, real weights, real files."""

from __future__ import annotations

import json
import subprocess
import sys

from asr_tui.core.samples import SAMPLE
from tests.cli_helpers import asr_tui, one_line_error

RUN_KEYS = {
    "backend", "model", "weights_sha256", "device", "dtype", "beam_size", "batch_size", "audio",
    "audio_seconds", "load_s", "first_run_s", "warm_runs_s", "rtfx", "wer", "peak_rss_mb",
    "peak_gpu_mb", "text", "segments",
}


def test_run_writes_json_document(tmp_path, speech_clip):
    clip = tmp_path / "clip.wav"
    clip.write_bytes(speech_clip[0].read_bytes())
    (tmp_path / "clip.txt").write_text(speech_clip[1])  # found automatically beside the audio
    out = tmp_path / "results.json"
    proc = asr_tui("run", "--warmup", "1", "--repeat", "2", "--threads", "1", "--json", str(out), str(SAMPLE), str(clip))
    assert proc.returncode == 0, proc.stderr
    assert "RTFx" in proc.stdout and "gettysburg.flac" in proc.stdout
    doc = json.loads(out.read_text())
    assert doc["schema"] == 1
    assert doc["env"]["packages"]["openai-whisper"] != "not installed" and doc["env"]["threads"] == 1
    assert len(doc["runs"]) == 2
    for run in doc["runs"]:
        assert RUN_KEYS <= set(run)
        assert run["backend"] == "pytorch" and run["device"] == "cpu" and run["dtype"] == "float32"
        assert len(run["warm_runs_s"]) == 2 and run["first_run_s"] > 0
        assert run["rtfx"] > 1 and run["wer"] < 0.15
        assert run["segments"] and all(s["start"] <= s["end"] for s in run["segments"])
        assert run["peak_gpu_mb"] is None and run["peak_rss_mb"] > 100
    assert doc["runs"][1]["reference"].endswith("clip.txt")


def test_a_reader_that_closes_the_pipe_early_costs_no_file(tmp_path, speech_clip):
    """`asr-tui run ... | head`: the table cannot be printed, the files are still written whole."""
    out, markdown = tmp_path / "results.json", tmp_path / "results.md"
    proc = subprocess.Popen([sys.executable, "-m", "asr_tui.cli.main", "run", "--warmup", "0", "--repeat", "1", "--json",
                             str(out), "--markdown", str(markdown), str(speech_clip[0])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader is gone before the table comes
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1 and "Traceback" not in stderr, stderr
    assert json.loads(out.read_text())["complete"] is True
    assert speech_clip[0].name in markdown.read_text()


def test_bad_inputs_exit_2_with_one_line(tmp_path):
    garbage = tmp_path / "garbage.ogg"
    garbage.write_bytes(b"\x00" * 1000)
    assert "garbage.ogg" in one_line_error(asr_tui("run", str(garbage)))
    assert "does not exist" in one_line_error(asr_tui("run", str(tmp_path / "missing.wav")))
    # among readable files too: a typo is not a file to leave out
    assert "does not exist" in one_line_error(asr_tui("run", str(SAMPLE), str(tmp_path / "missing.wav")))
    assert "no GPU" in one_line_error(asr_tui("run", "--device", "cuda"))
    assert "unknown model" in one_line_error(asr_tui("run", "--model", "gigantic"))
    assert "float16 only on cuda" in one_line_error(asr_tui("run", "--dtype", "float16"))
    # audio given as the reference: refused before the run, which would otherwise have no WER
    assert "is not UTF-8 or UTF-16 text" in one_line_error(asr_tui("run", "--reference", str(SAMPLE)))
    assert "reference transcript /dev/null is not a file" in one_line_error(asr_tui("run", "--reference", "/dev/null"))
    (tmp_path / "empty.txt").write_text("")
    assert "empty.txt is empty" in one_line_error(asr_tui("run", "--reference", str(tmp_path / "empty.txt")))
    # one transcript for two files would score the second against the first's words
    two = one_line_error(asr_tui("run", "--reference", str(SAMPLE.with_suffix(".txt")), str(SAMPLE), str(garbage)))
    assert "--reference is one file's transcript, and 2 files would run" in two
    bad = tmp_path / "bad.toml"
    bad.write_text("[[configs]]\nbackend = 'pytorch'\nbeam_size = 'five'\n")
    line = one_line_error(asr_tui("run", "--preset", str(bad)))
    assert "bad.toml" in line and "beam_size" in line
    # a recording's length without --mic was ignored, and the sample ran instead
    for flag in ("--seconds", "--mic-device"):
        assert "add --mic to record first" in one_line_error(asr_tui("run", flag, "5"))
    # and files given with --mic were dropped for the recording without a word
    assert "give no audio files with it" in one_line_error(asr_tui("run", "--mic", str(SAMPLE)))


def test_tui_entry_rejects_a_missing_preset_in_one_line():
    line = one_line_error(asr_tui("--preset", "no-such-preset"))
    assert "no preset named 'no-such-preset'" in line and "quick" in line


def test_the_tui_without_a_terminal_says_so_in_one_line():
    """Started from a script (no terminal on stdin or stdout) the TUI would wait for
    keys forever; it exits at once and points to the headless command."""
    line = one_line_error(asr_tui(str(SAMPLE)))
    assert "needs a terminal" in line and "asr-tui run" in line


def test_sequential_with_a_batch_is_explained():
    line = one_line_error(asr_tui("run", "--backend", "jax", "--batch-size", "4"))
    assert "use strategy batched" in line
