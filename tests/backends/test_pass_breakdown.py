"""Each pass's stages, compilations and energy, on real weights through the real runner."""

from __future__ import annotations

import pytest

from asr_tui.core import events, stages
from asr_tui.core.config import RunConfig
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import Recorder, run_once

# the share of a pass its stages may leave uncovered (runner and set-up work)
UNCOVERED = 0.05


@pytest.mark.parametrize("config", [
    RunConfig(backend="pytorch", warmup=0, repeat=1),
    RunConfig(backend="pytorch", strategy="batched", batch_size=2, warmup=0, repeat=1),
    RunConfig(backend="jax", warmup=1, repeat=1),
], ids=["pytorch-sequential", "pytorch-batched", "jax-sequential"])
def test_stages_sum_to_the_pass_time(config):
    result = run_once(config, [SAMPLE])[0]
    assert result.audio_decode_s > 0
    for timed in result.passes:
        breakdown = timed["stages"]
        assert {"log_mel", "encoder", "decoder", "post", "other"} <= set(breakdown), breakdown
        assert all(breakdown[name] > 0 for name in ("log_mel", "encoder", "decoder", "post")), breakdown
        assert sum(breakdown.values()) == pytest.approx(timed["seconds"], abs=1e-4)
        assert breakdown["other"] >= 0
    # a process's first pass also pays one-off imports outside any stage; warm ones must not
    for timed in result.counted_passes:
        assert timed["stages"]["other"] < UNCOVERED * timed["seconds"], timed["stages"]
    assert set(result.to_dict()["stages_s"]) >= {"encoder", "decoder", "other"}


def test_a_library_that_hides_its_stages_says_not_available():
    result = run_once(RunConfig(backend="ctranslate2", warmup=0, repeat=1), [SAMPLE])[0]
    assert result.passes[0]["stages"] is None
    assert result.to_dict()["stages_s"] == stages.NOT_AVAILABLE


def test_a_warm_pass_on_a_new_shape_is_flagged_with_the_shape():
    """Three jobs on one resident JAX model, each a single warm pass (no warm-up): the
    first compiles everything; the second asks for a shorter decode (a new static
    shape of the decode loop) and must be flagged with it; the third repeats the
    second and compiles nothing."""
    recorder = Recorder()
    runner = Runner(recorder)
    try:
        for max_new in (224, 100, 100):
            config = RunConfig(backend="jax", warmup=0, repeat=1, max_new_tokens=max_new)
            assert runner.wait(runner.submit(config, [SAMPLE]), timeout=600)
    finally:
        runner.close()
    assert not recorder.of(events.RunFailed)
    first, changed, same = (e.result for e in recorder.of(events.RunFinished))
    assert first.warm_recompiles and changed.model_reused
    [flagged] = changed.warm_recompiles
    programs = {c["program"]: c["shapes"] for c in flagged["compiled"]}
    assert "max_new=100" in programs["jit(generate)"], programs
    assert "jit(encode)" not in programs  # the encoder's shape did not change
    assert same.warm_recompiles == [] and same.passes[0]["compiled"] == []
    assert changed.to_dict()["warm_recompiles"] == changed.warm_recompiles
