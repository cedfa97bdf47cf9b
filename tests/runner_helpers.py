"""Drive the real runner synchronously and keep every event it emitted."""

from __future__ import annotations

from asr_tui.core import events
from asr_tui.core.config import RunConfig
from asr_tui.core.runner import Runner


class Recorder:
    def __init__(self) -> None:
        self.events: list[events.Event] = []

    def __call__(self, event: events.Event) -> None:
        self.events.append(event)

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def run_once(config: RunConfig, sources, references=None):
    recorder = Recorder()
    runner = Runner(recorder)
    try:
        assert runner.wait(runner.submit(config, sources, references), timeout=600)
    finally:
        runner.close()
    failures = recorder.of(events.RunFailed)
    assert not failures, failures[0].message
    return recorder.of(events.JobFinished)[0].results


def progress_reports_before_cancel(config: RunConfig, path) -> list[float]:
    """Load the config's backend, cancel at its first progress report, and return the
    reports it made: a backend that checks the flag between chunks makes exactly one."""
    import threading

    import pytest

    from asr_tui.core import audio, backends, weights
    from asr_tui.core.errors import Cancelled

    backend = backends.create(config.backend)
    backend.load(config, weights.resolve(config.model))
    cancel = threading.Event()
    seen: list[float] = []

    def progress(done, segments):
        seen.append(done)
        cancel.set()

    with pytest.raises(Cancelled), audio.decoded(path) as decoded:
        backend.transcribe(decoded, config, progress, cancel)
    return seen
