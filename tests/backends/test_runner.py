from __future__ import annotations

import statistics
import threading

from asr_tui.core import events, threads, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import UNSTABLE_CV
from asr_tui.core.runner import Runner, pass_kinds
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import Recorder


def kinds(recorder: Recorder) -> list[str]:
    """The event sequence, without the interleaved progress and the warnings a busy
    machine adds."""
    skipped = (events.Progress, events.SegmentDecoded, events.RunWarning)
    return [type(e).__name__ for e in recorder.events if not isinstance(e, skipped)]


def recorded(config: RunConfig, sources) -> Recorder:
    """Every event of one job on a runner of its own."""
    recorder = Recorder()
    runner = Runner(recorder)
    try:
        runner.wait(runner.submit(config, sources))
    finally:
        runner.close()
    return recorder


def test_event_order_and_measurements():
    recorder = recorded(RunConfig(warmup=1, repeat=2), [SAMPLE])
    assert kinds(recorder) == [
        "JobStarted", "ModelLoading", "ModelLoaded", "RunStarted",
        "PassStarted", "PassFinished", "PassStarted", "PassFinished", "PassStarted", "PassFinished",
        "RunFinished", "JobFinished",
    ]
    passes = recorder.of(events.PassStarted)
    assert [p.kind for p in passes] == ["first", "warm", "warm"]
    progress = recorder.of(events.Progress)
    assert progress and progress[-1].done_seconds == progress[-1].total_seconds
    assert recorder.of(events.SegmentDecoded)
    result = recorder.of(events.RunFinished)[0].result
    timed = [p.seconds for p in recorder.of(events.PassFinished)]
    assert result.first_run_s == timed[0] and result.warm_runs_s == timed[1:]
    assert result.rtfx == result.audio_seconds / (sum(timed[1:]) / 2)  # median of two
    assert result.load_s > 0 and result.peak_rss_mb > 100
    # memory: the process before this model's load, and the peak over the file's run
    assert 0 < result.rss_before_load_mb < result.peak_rss_mb
    # spread over the warm passes
    assert result.warm_min_s == min(timed[1:]) and result.warm_max_s == max(timed[1:])
    assert result.cv == statistics.stdev(timed[1:]) / statistics.fmean(timed[1:])
    assert result.to_dict()["unstable"] == (result.cv >= UNSTABLE_CV)
    # what else used the machine, per timed pass
    assert len(result.contention["passes"]) == 3 and isinstance(result.contention["flagged"], bool)
    assert result.env["threads"] == threads.physical_cores() and result.env["cpu"]
    assert result.decoding["temperatures"][0] == 0.0 and result.decoding["seed"] == 0
    assert result.weights_sha256 == weights.resolve("tiny.en").sha256


def test_same_config_loads_once_and_changed_model_reloads():
    recorder = Recorder()
    runner = Runner(recorder)
    config = RunConfig(warmup=0, repeat=1)
    checkpoint = str(weights.resolve("tiny.en").checkpoint)
    try:
        for c in (config, config, config.with_(model=checkpoint)):
            runner.wait(runner.submit(c, [SAMPLE]))
    finally:
        runner.close()
    loaded = recorder.of(events.ModelLoaded)
    assert [e.reused for e in loaded] == [False, True, False]
    assert len(recorder.of(events.ModelLoading)) == 2
    results = [e.result for e in recorder.of(events.RunFinished)]
    assert results[0].text == results[1].text == results[2].text  # same weights either way


def test_cancel_mid_run_then_run_again(long_clip):
    recorder = Recorder()
    first_progress = threading.Event()

    def listener(event):
        recorder(event)
        if isinstance(event, events.Progress):
            first_progress.set()

    runner = Runner(listener)
    try:
        job = runner.submit(RunConfig(warmup=0, repeat=1), [long_clip[0]])
        assert first_progress.wait(120)
        runner.cancel()
        assert runner.wait(job, 120)
        assert recorder.of(events.JobCancelled) and not recorder.of(events.RunFinished)
        # Stopped within a chunk: the long clip has several 30 s windows.
        assert max(e.done_seconds for e in recorder.of(events.Progress)) < recorder.of(events.RunStarted)[0].audio_seconds
        # The runner stays usable and the model resident.
        again = runner.submit(RunConfig(warmup=0, repeat=1), [SAMPLE])
        assert runner.wait(again, 120)
    finally:
        runner.close()
    assert recorder.of(events.ModelLoaded)[-1].reused is True
    assert len(recorder.of(events.RunFinished)) == 1


def test_bad_audio_fails_that_file_only(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    recorder = recorded(RunConfig(warmup=0, repeat=1), [bad, SAMPLE])
    failed = recorder.of(events.RunFailed)
    assert len(failed) == 1 and "bad.wav" in failed[0].message
    assert len(recorder.of(events.JobFinished)[0].results) == 1
    # the model's one load is counted on the first row measured, not lost with the failed file
    assert not recorder.of(events.JobFinished)[0].results[0].model_reused


def test_one_load_is_counted_on_one_row():
    """A configuration over several files loads once: the later rows say "reused",
    so a sum of the load column counts that load once."""
    recorder = recorded(RunConfig(warmup=0, repeat=1), [SAMPLE, SAMPLE])
    first, second = recorder.of(events.JobFinished)[0].results
    assert not first.model_reused and second.model_reused and first.load_s == second.load_s > 0


def test_pass_kinds():
    assert pass_kinds(RunConfig()) == ["first", "warm", "warm", "warm"]  # spread by default
    assert pass_kinds(RunConfig(warmup=0, repeat=2)) == ["warm", "warm"]
    assert pass_kinds(RunConfig(warmup=2, repeat=1)) == ["first", "warm-up", "warm"]
