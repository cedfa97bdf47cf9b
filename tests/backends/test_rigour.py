"""Benchmark rigour on the real runner and real tiny.en weights: interleaved passes in
the order asked for and attributed to their configuration, the fallback to blocks
when memory is short, and a pass slowed by a real busy process reported as an outlier."""

from __future__ import annotations

import shutil
import subprocess
import sys

from asr_tui.core import events, runner as runner_module, stability, threads
from asr_tui.core.config import RunConfig
from asr_tui.core.results import document
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import Recorder

# greedy without fallback: the shortest honest pass
PYTORCH = RunConfig(backend="pytorch", warmup=0, repeat=2, temperatures=(0.0,))
CTRANSLATE2 = PYTORCH.with_(backend="ctranslate2")


def run_all(configs, sources, interleave: bool, listener=None) -> Recorder:
    recorder = Recorder()

    def listen(event):
        recorder(event)
        if listener is not None:
            listener(event)

    runner = Runner(listen)
    try:
        for job in runner.submit_all(configs, sources, interleave=interleave):
            assert runner.wait(job, timeout=600)
    finally:
        runner.close()
    failures = recorder.of(events.RunFailed)
    assert not failures, failures[0].message
    return recorder


def pass_order(recorder: Recorder) -> list[tuple[str, str, int]]:
    """(configuration, file, pass) of every PassStarted, by its job id."""
    names = {e.job_id: e.config.backend for e in recorder.of(events.JobStarted)}
    return [(names[e.job_id], e.audio.name, e.index) for e in recorder.of(events.PassStarted)]


def test_interleaved_passes_alternate_per_file_and_each_is_attributed(tmp_path):
    second = tmp_path / "second.flac"
    shutil.copy(SAMPLE, second)
    recorder = run_all([PYTORCH, CTRANSLATE2], [SAMPLE, second], interleave=True)
    a, b, one, two = "pytorch", "ctranslate2", SAMPLE.name, second.name
    assert pass_order(recorder) == [
        (a, one, 1), (b, one, 1), (b, one, 2), (a, one, 2),
        (a, two, 1), (b, two, 1), (b, two, 2), (a, two, 2),
    ]
    # both models stayed loaded: one load each for four measurements, counted on each one's first row
    assert [e.config.backend for e in recorder.of(events.ModelLoading)] == [a, b]
    assert [(e.result.backend, e.result.model_reused) for e in recorder.of(events.RunFinished)] == [
        (a, False), (b, False), (a, True), (b, True)]
    # each result holds exactly the passes its own job timed
    timed: dict[tuple[int, str], list[float]] = {}
    for e in recorder.of(events.PassFinished):
        timed.setdefault((e.job_id, e.audio.name), []).append(e.seconds)
    finished = recorder.of(events.RunFinished)
    assert len(finished) == 4
    for e in finished:
        assert e.result.warm_runs_s == timed[(e.job_id, e.result.audio.rsplit("/", 1)[-1])]
        assert e.result.interleaved and len(e.result.pass_started_at) == 2
    assert {e.result.backend for e in finished if e.job_id == finished[0].job_id} == {finished[0].result.backend}
    # the document records the order the passes ran in
    results = [e.result for e in finished]
    order = [(p["config"].split()[0], p["audio"].rsplit("/", 1)[-1], p["pass"]) for p in document(results)["order"]]
    assert order == pass_order(recorder)


def test_without_memory_for_every_model_it_says_so_and_runs_in_blocks(monkeypatch):
    monkeypatch.setattr(runner_module, "available_memory_mb", lambda: 1.0)
    recorder = run_all([PYTORCH, CTRANSLATE2], [SAMPLE], interleave=True)
    warnings = [w.message for w in recorder.of(events.RunWarning) if w.message.startswith("interleave:")]
    assert len(warnings) == 1 and "not enough memory to keep 2 models loaded" in warnings[0]
    assert [(c, p) for c, _, p in pass_order(recorder)] == [
        ("pytorch", 1), ("pytorch", 2), ("ctranslate2", 1), ("ctranslate2", 2),
    ]
    assert not any(e.result.interleaved for e in recorder.of(events.RunFinished))


def test_a_pass_slowed_by_a_busy_process_is_reported_as_an_outlier():
    """Busy loops, four per CPU this process may use, run for exactly the third
    measured pass: started when the runner announces that pass (before its timer
    starts) and killed when it ends."""
    config = PYTORCH.with_(warmup=1, repeat=5)
    planted = 1 + 3  # the first pass, then the third measured one
    burners: list[subprocess.Popen] = []

    def plant(event):
        if isinstance(event, events.PassStarted) and event.index == planted:
            burners.extend(subprocess.Popen([sys.executable, "-c", "while True: pass"])
                           for _ in range(4 * len(threads.allowed_cpus())))
        elif isinstance(event, events.PassFinished) and event.index == planted:
            for burner in burners:
                burner.kill()
                burner.wait()

    recorder = run_all([config], [SAMPLE], interleave=False, listener=plant)
    result = recorder.of(events.RunFinished)[0].result
    assert result.outliers == [2], (result.warm_runs_s, stability.modified_z_scores(result.warm_runs_s))
    outlier_notes = [n.message for n in stability.notes(result) if n.mark == stability.OUTLIER_MARK]
    assert len(outlier_notes) == 1 and outlier_notes[0].startswith("outlier measured pass 3 ")
    assert result.to_dict()["outliers"] == [2]
    assert any(w.startswith("^ outlier measured pass 3") for w in result.to_dict()["warnings"])
