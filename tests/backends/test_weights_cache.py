"""The cache of converted weights under real faults: concurrent first conversions in
two processes, a conversion SIGKILLed halfway, files truncated after the fact (for
every backend that reads a conversion), and a cache directory that is read-only or
full. Every case runs the real conversions of the bundled tiny.en."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asr_tui.core import weights
from asr_tui.core.backends import create
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.samples import SAMPLE
from asr_tui.core.weights import cache, jax_arrays

NOTICE = "was corrupt; converted again"


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    """An empty XDG_CACHE_HOME for this process and the processes it starts."""
    root = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    return root / "asr-tui"


def _entries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith(".lock"))


def _python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ.copy(), **kwargs,
    )


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asr_tui.cli.main", *args], capture_output=True, text=True, env=os.environ.copy(), timeout=600,
    )


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


# --- the cache on its own: real files, a trivial conversion ------------------------------


def _counting_writer(calls: list):
    def write(staging: Path) -> None:
        calls.append(staging)
        (staging / "data.bin").write_bytes(b"x" * 1000)
        (staging / "sub").mkdir()
        (staging / "sub" / "more.txt").write_text("more")

    return write


def test_an_entry_is_written_once_then_reused(fresh_cache):
    calls: list = []
    target = cache.entry("test", "model", "ab" * 32)
    assert target == fresh_cache / "test" / f"model-{'ab' * 8}"
    for _ in range(2):
        assert cache.cached(target, _counting_writer(calls)) == target
    assert len(calls) == 1
    manifest = json.loads((target / cache.MANIFEST).read_text())["sha256"]
    assert set(manifest) == {"data.bin", "sub/more.txt"}
    assert _entries(target.parent) == [target.name]  # no staging left behind


@pytest.mark.parametrize("damage", ["truncate", "delete a file", "garble the manifest", "flip a byte"])
def test_a_damaged_entry_is_written_again_once_with_a_notice(fresh_cache, caplog, damage):
    calls: list = []
    target = cache.cached(cache.entry("test", "model", "cd" * 32), _counting_writer(calls))
    data = target / "data.bin"
    if damage == "truncate":
        _truncate(data)
    elif damage == "delete a file":
        (target / "sub" / "more.txt").unlink()
    elif damage == "garble the manifest":
        (target / cache.MANIFEST).write_text("{not json")
    else:
        data.write_bytes(b"y" + data.read_bytes()[1:])
    with caplog.at_level(logging.WARNING):
        assert cache.cached(target, _counting_writer(calls)) == target
        assert cache.cached(target, _counting_writer(calls)) == target
    assert len(calls) == 2  # written again once, then trusted
    assert [r.getMessage() for r in caplog.records] == [f"weights cache {target} {NOTICE}"]
    assert data.read_bytes() == b"x" * 1000


def test_an_entry_from_before_manifests_is_replaced_quietly(fresh_cache, caplog):
    calls: list = []
    target = cache.entry("test", "model", "ef" * 32)
    target.mkdir(parents=True)
    (target / "data.bin").write_bytes(b"old layout")
    with caplog.at_level(logging.WARNING):
        cache.cached(target, _counting_writer(calls))
    assert len(calls) == 1 and not caplog.records
    assert (target / "data.bin").read_bytes() == b"x" * 1000


def test_a_failed_conversion_leaves_nothing(fresh_cache):
    def fail(staging: Path) -> None:
        (staging / "half.bin").write_bytes(b"half")
        raise RuntimeError("conversion failed")

    target = cache.entry("test", "model", "01" * 32)
    with pytest.raises(RuntimeError):
        cache.cached(target, fail)
    assert _entries(target.parent) == []


# --- real processes ---------------------------------------------------------------------

# Imports (and resolves, when the race is over the CTranslate2 export) first, then
# waits for a file to appear, so that both processes ask for the conversion at once.
_CONVERT_AT_SIGNAL = """
import dataclasses, pathlib, sys, time
from asr_tui.core import weights
import torch, whisper  # noqa: F401 - imported before the start line, not during the race
go, target = pathlib.Path(sys.argv[1]), sys.argv[2]
resolved = weights.resolve("tiny.en") if target == "ctranslate2" else None
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
if target == "ctranslate2":
    print(weights.ct2_directory(dataclasses.replace(resolved, ct2_dir=None)), flush=True)
else:
    print(weights.resolve("tiny.en").checkpoint.parent, flush=True)
"""


@pytest.mark.parametrize("target", ["converted", "ctranslate2"])
def test_two_concurrent_first_conversions_both_succeed_and_leave_one_valid_entry(fresh_cache, tmp_path, target):
    go = tmp_path / "go"
    procs = [_python(_CONVERT_AT_SIGNAL, str(go), target) for _ in range(2)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    go.touch()
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    entries = {out.strip() for out, _ in outputs}
    assert len(entries) == 1
    entry = Path(entries.pop())
    assert _entries(fresh_cache / target) == [entry.name]
    resolved = weights.resolve("tiny.en")
    if target == "ctranslate2":  # checked against its manifest, then run by faster-whisper
        assert weights.ct2_directory(dataclasses.replace(resolved, ct2_dir=None)) == entry
        backend = create("ctranslate2")
        backend.load(RunConfig(backend="ctranslate2"), dataclasses.replace(resolved, ct2_dir=None))
        backend.release()
    else:
        assert resolved.checkpoint.parent == entry
        assert weights.load_checkpoint(resolved.checkpoint)["dims"]["n_vocab"] == 51864


def test_a_sigkilled_conversion_leaves_no_orphan_after_the_next_one(fresh_cache):
    converted = fresh_cache / "converted"
    proc = _python("from asr_tui.core import weights; weights.resolve('tiny.en')")
    deadline = time.monotonic() + 120
    staging: list[Path] = []
    while not staging and time.monotonic() < deadline and proc.poll() is None:
        staging = list(converted.glob(".tiny.en-*.staging")) if converted.is_dir() else []
        time.sleep(0.002)
    assert staging, "the conversion never started staging"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert all(p.exists() for p in staging) and not list(converted.glob("tiny.en-*"))  # killed mid-way

    resolved = weights.resolve("tiny.en")
    assert _entries(converted) == [resolved.checkpoint.parent.name]
    assert weights.load_checkpoint(resolved.checkpoint)["model_state_dict"]


# --- truncated conversions, repaired on next use by each backend -------------------------


def test_truncated_checkpoint_is_repaired_on_the_next_cli_run(fresh_cache, tmp_path):
    checkpoint = weights.resolve("tiny.en").checkpoint
    _truncate(checkpoint)
    out = tmp_path / "out.json"
    proc = _cli("run", "--backend", "pytorch", "--warmup", "0", "--repeat", "1", "--json", str(out), str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert f"weights cache {checkpoint.parent} {NOTICE}" in proc.stderr.splitlines()
    assert "four score and seven years ago" in json.loads(out.read_text())["runs"][0]["text"].lower()
    assert weights.load_checkpoint(checkpoint)


def test_truncated_jax_arrays_are_repaired_on_the_next_load(fresh_cache, caplog):
    resolved = weights.resolve("tiny.en")
    dims, _ = jax_arrays.load(resolved)
    arrays = cache.entry("jax", resolved.name, resolved.sha256) / jax_arrays.ARRAYS
    _truncate(arrays)
    backend = create("jax")
    with caplog.at_level(logging.WARNING):
        backend.load(RunConfig(backend="jax"), resolved)
    assert NOTICE in caplog.text and str(arrays.parent) in caplog.text
    assert backend.loaded.dims == dims
    backend.release()


def test_truncated_ctranslate2_model_is_repaired_on_the_next_load(fresh_cache, caplog):
    from_checkpoint = dataclasses.replace(weights.resolve("tiny.en"), ct2_dir=None)
    model_bin = weights.ct2_directory(from_checkpoint) / "model.bin"
    size = model_bin.stat().st_size
    _truncate(model_bin)
    backend = create("ctranslate2")
    with caplog.at_level(logging.WARNING):
        backend.load(RunConfig(backend="ctranslate2"), from_checkpoint)
    assert NOTICE in caplog.text and backend.model_dir == model_bin.parent
    assert model_bin.stat().st_size == size
    backend.release()


def test_truncated_flax_export_is_repaired_on_the_next_use(fresh_cache, caplog):
    pytest.importorskip("flax")
    transformers = pytest.importorskip("transformers")
    if not hasattr(transformers, "FlaxWhisperForConditionalGeneration"):
        pytest.skip("transformers >= 5 has no Flax models")
    from asr_tui.core.weights.huggingface import flax_directory

    resolved = weights.resolve("tiny.en")
    msgpack = flax_directory(resolved) / "flax_model.msgpack"
    _truncate(msgpack)
    with caplog.at_level(logging.WARNING):
        directory = flax_directory(resolved)
    assert NOTICE in caplog.text
    transformers.FlaxWhisperForConditionalGeneration.from_pretrained(directory)  # loads whole again


# --- a cache directory that cannot be written ---------------------------------------------


def _on_tmpfs(directory: Path, options: str, command: list[str]) -> subprocess.CompletedProcess:
    """Run `command` with a fresh tmpfs mounted (in a private mount namespace) on
    `directory`, then list any staging left there. Root ignores file modes, so a real
    read-only or full file system is the only honest way to refuse it a write."""
    directory.mkdir(parents=True, exist_ok=True)
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a private tmpfs")
    probe = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "-o", "size=1k", "tmpfs", str(directory)], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a private tmpfs here: {probe.stderr.decode().strip()}")
    script = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 99; shift 2; "$@"; rc=$?; find "$XDG_CACHE_HOME" -name "*.staging"; exit $rc'
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", options, str(directory), *command],
        capture_output=True, text=True, env=os.environ.copy(), timeout=600,
    )


def _one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


RUN = [sys.executable, "-m", "asr_tui.cli.main", "run", "--warmup", "0", "--repeat", "1", str(SAMPLE)]


def test_read_only_cache_is_one_line_naming_the_directory_and_the_way_out(fresh_cache):
    xdg = fresh_cache.parent
    if os.geteuid() != 0:
        xdg.mkdir(parents=True)
        xdg.chmod(0o555)
        try:
            line = _one_line(_cli(*RUN[3:]))
        finally:
            xdg.chmod(0o755)
    else:
        line = _one_line(_on_tmpfs(xdg, "ro,size=1m", RUN))
    assert line.startswith("asr-tui: error: cannot write the weights cache in ")
    assert str(fresh_cache / "converted") in line and "XDG_CACHE_HOME" in line


def test_full_cache_is_one_line_and_leaves_no_staging(fresh_cache):
    if os.geteuid() != 0:
        pytest.skip("filling a disk needs a private tmpfs, which needs root")
    proc = _on_tmpfs(fresh_cache.parent, "size=1m", RUN)
    line = _one_line(proc)
    assert "weights cache in" in line and "is full" in line and "XDG_CACHE_HOME" in line
    assert proc.stdout.strip() == ""  # `find` saw no staging directory afterwards


def test_cache_under_a_regular_file_is_one_line(fresh_cache, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    with pytest.raises(AsrTuiError, match="cannot write the weights cache in .*not-a-directory.*XDG_CACHE_HOME"):
        weights.resolve("tiny.en")
