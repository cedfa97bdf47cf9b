"""Equal threads: the count reaches every framework, the default is the physical
cores this process may use, and a count that cannot apply is said aloud."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from asr_tui.core import events, threads
from asr_tui.core.config import RunConfig
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import Recorder


def python(code: str) -> dict:
    """Run `code` in a fresh interpreter (JAX's pool is sized once per process) and
    return the JSON it prints last."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "NPROC"},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_default_is_the_physical_cores_within_the_affinity_mask():
    assert 1 <= threads.physical_cores() <= len(threads.allowed_cpus())
    pinned = python("""
        import json, os
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        from asr_tui.core import threads
        print(json.dumps({"cores": threads.physical_cores(), "default": threads.resolve(0)}))
    """)
    assert pinned == {"cores": 1, "default": 1}
    assert threads.resolve(3) == 3


def test_pytorch_runs_with_the_configured_count():
    """Asked in the runner's own thread, which is the one transcribing: OpenMP keeps
    the count per thread."""
    import torch

    seen = []

    def listen(event):
        if isinstance(event, events.PassFinished):
            seen.append(torch.get_num_threads())
        if isinstance(event, events.RunFinished):
            seen.append(event.result.env["threads"])

    runner = Runner(listen)
    try:
        runner.wait(runner.submit(RunConfig(warmup=0, repeat=1, threads=1), [SAMPLE]))
        runner.wait(runner.submit(RunConfig(warmup=0, repeat=1), [SAMPLE]))
    finally:
        runner.close()
    cores = threads.physical_cores()
    assert seen == [1, 1, cores, cores]


def test_ctranslate2_model_gets_cpu_threads(monkeypatch):
    """faster-whisper takes the count when the model is built, so a new count loads
    a new model; what it was built with is seen on the real constructor's arguments."""
    import faster_whisper

    built = []
    real = faster_whisper.WhisperModel

    class Recording(real):
        def __init__(self, *args, **kwargs):
            built.append(kwargs["cpu_threads"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", Recording)
    recorder = Recorder()
    runner = Runner(recorder)
    try:
        for count in (1, 2, 2):
            runner.wait(runner.submit(RunConfig(backend="ctranslate2", warmup=0, repeat=1, threads=count), [SAMPLE]))
    finally:
        runner.close()
    assert not recorder.of(events.RunFailed)
    assert built == [1, 2]  # the third job reused the second model
    assert [e.result.env["threads"] for e in recorder.of(events.RunFinished)] == [1, 2, 2]


XLA_POOL = """
    import json, os, time
    from asr_tui.core.backends.jax_backend import JaxBackend
    from asr_tui.core.config import RunConfig

    backend = JaxBackend()
    backend.check_available(RunConfig(backend="jax", threads={threads}))  # starts JAX on the CPU
    import jax, jax.numpy as jnp, numpy as np, psutil

    x = jnp.asarray(np.random.default_rng(0).random((1500, 1500), dtype=np.float32))
    f = jax.jit(lambda a: (a @ a @ a).sum())
    f(x).block_until_ready()
    me = psutil.Process()
    before = {{t.id: t.user_time + t.system_time for t in me.threads()}}
    for _ in range(8):
        f(x).block_until_ready()
    used = sorted((t.user_time + t.system_time - before.get(t.id, 0.0) for t in me.threads()), reverse=True)
    print(json.dumps({{"nproc": os.environ.get("NPROC"), "top_share": used[0] / sum(used),
                      "later_count": backend.set_threads({threads} + 1)}}))
"""


@pytest.mark.skipif(len(threads.allowed_cpus()) < 2, reason="needs two CPUs to tell one thread from two")
def test_jax_thread_pool_follows_the_count():
    one = python(XLA_POOL.format(threads=1))
    # One XLA thread does the work: one OS thread holds nearly all the CPU time.
    assert one["nproc"] == "1" and one["top_share"] > 0.9, one
    # The pool is sized once per process: a later count is not the one in force.
    assert one["later_count"] == 1
    two = python(XLA_POOL.format(threads=2))
    assert two["nproc"] == "2" and two["top_share"] < 0.9, two


@pytest.mark.skipif(len(threads.allowed_cpus()) < 2, reason="needs two CPUs for two different counts")
def test_a_count_jax_cannot_apply_is_a_warning():
    """JAX already started (here with every CPU) when a configuration asks for one
    thread: the runner says so before timing anything."""
    out = python("""
        import json
        import jax
        jax.devices()  # JAX starts before asr-tui could size its pool
        from asr_tui.core import events
        from asr_tui.core.config import RunConfig
        from asr_tui.core.runner import Runner
        from asr_tui.core.samples import SAMPLE

        warnings = []
        def listen(event):
            if isinstance(event, events.RunWarning):
                warnings.append(event.message)
                runner.cancel()  # the warning is what this test is about, not the timing
        runner = Runner(listen)
        runner.wait(runner.submit(RunConfig(backend="jax", threads=1, warmup=0, repeat=1), [SAMPLE]))
        runner.close()
        print(json.dumps(warnings))
    """)
    assert any("jax runs with" in w and "not the 1" in w for w in out), out


def test_more_threads_than_cores_is_a_warning():
    asked = threads.physical_cores() + 1
    recorder = Recorder()

    def listen(event):
        recorder(event)
        if isinstance(event, events.RunWarning):
            runner.cancel()

    runner = Runner(listen)
    try:
        runner.wait(runner.submit(RunConfig(warmup=0, repeat=1, threads=asked), [SAMPLE]))
    finally:
        runner.close()
    messages = [w.message for w in recorder.of(events.RunWarning)]
    assert any(f"{asked} threads asked for" in m for m in messages), messages
