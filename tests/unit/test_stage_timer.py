"""The stage timer counts nested stages exclusively, so a breakdown adds up."""

from __future__ import annotations

import pytest

from asr_tui.core.stages import StageTimer, breakdown, median_breakdown


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_nested_stages_are_exclusive_and_the_rest_is_other():
    clock = Clock()
    timer = StageTimer(clock)
    clock.now = 1.0
    with timer.stage("post"):
        clock.now = 2.0
        with timer.stage("encoder"):
            clock.now = 2.5
            with timer.stage("compile"):
                clock.now = 4.5
            clock.now = 5.0
        timer.begin("decoder")  # as a forward hook does
        clock.now = 7.0
        timer.end()
        clock.now = 7.25
    assert timer.seconds == {"post": 1.25, "encoder": 1.0, "compile": 2.0, "decoder": 2.0}
    # the pass took 8 s: one before the stages began, 0.75 after they ended
    assert breakdown(timer.seconds, 8.0) == {"encoder": 1.0, "decoder": 2.0, "compile": 2.0, "post": 1.25, "other": 1.75}


def test_no_stages_means_not_available_and_an_unknown_stage_is_refused():
    assert breakdown(None, 3.0) is None
    with pytest.raises(ValueError):
        StageTimer().begin("encoding")


def test_median_over_passes_keeps_a_stage_only_some_passes_had():
    passes = [{"encoder": 1.0, "compile": 4.0, "other": 0.5}, {"encoder": 3.0, "other": 0.1}, {"encoder": 2.0, "other": 0.2}]
    assert median_breakdown(passes) == {"encoder": 2.0, "compile": 0.0, "other": 0.2}
