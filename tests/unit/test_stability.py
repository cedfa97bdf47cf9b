"""Outliers, warm-up and the uncertainty of a ratio, computed from timings alone."""

from __future__ import annotations

import math
import statistics

import pytest

from asr_tui.core import stability, threads
from tests.unit.made_results import made_result

STEADY = [1.00, 1.02, 0.99, 1.01, 1.00]


def test_a_slow_pass_far_beyond_the_spread_is_the_only_outlier():
    times = STEADY[:2] + [1.6] + STEADY[2:]
    assert stability.outliers(times) == [2]
    # a median absolute deviation of 0.01 s: 0.6 s is ~40 robust deviations away
    assert stability.modified_z_scores(times)[2] == pytest.approx(0.6 / (1.4826 * 0.01), rel=0.01)


def test_ordinary_spread_and_too_few_passes_are_not_outliers():
    assert stability.outliers(STEADY) == []
    assert stability.outliers([1.0, 1.2, 1.45, 1.1]) == []  # wide, but no pass stands apart
    assert stability.outliers([1.0, 9.0]) == []  # two passes cannot say which is odd


def test_the_threshold_is_ten_robust_deviations():
    middle, mad = 1.0, 0.01
    just_under = middle + 9.9 * 1.4826 * mad
    just_over = middle + 10.1 * 1.4826 * mad
    base = [middle - mad, middle, middle, middle + mad]
    assert stability.outliers(base + [just_under]) == []
    assert stability.outliers(base + [just_over]) == [4]


def test_passes_that_agree_closely_do_not_make_a_few_per_cent_an_outlier():
    # a MAD of 0 (or 0.1 %) would make any other pass infinitely (or 30 deviations) far;
    # the yardstick's floor is 1 % of the median, so only more than 10 % away is an outlier
    assert stability.outliers([1.0, 1.0, 1.0, 1.05]) == []
    assert stability.outliers([1.0, 1.001, 0.999, 1.05]) == []
    assert stability.outliers([1.0, 1.0, 1.0, 1.2]) == [3]
    assert stability.modified_z_scores([1.0, 1.0, 1.0, 2.0])[3] == pytest.approx(100.0)
    assert stability.outliers([1.0, 1.0, 1.0]) == []
    assert stability.modified_z_scores([0.0, 0.0, 0.0, 1.0])[3] == math.inf


def test_a_slow_first_pass_says_warm_up_and_a_later_one_says_outlier():
    cold = made_result(warm_runs_s=[3.0, *STEADY])
    notes = stability.notes(cold)
    assert [n.mark for n in notes] == ["~", "^"]  # 3 s among 1 s passes is also a CV over 10%
    assert notes[1].message.startswith("the first measured pass took 3.00 s against a median of 1.00 s")
    assert "raise --warmup" in notes[1].message
    late = made_result(warm_runs_s=[*STEADY, 1.2])
    assert [n.message for n in stability.notes(late)] == [
        "outlier measured pass 6 (1.20 s) over 10 robust deviations from the median 1.00 s"
    ]
    assert late.marks == "^" and made_result(warm_runs_s=STEADY).marks == ""


def test_a_slow_first_pass_that_other_processes_slowed_says_so_rather_than_warm_up(monkeypatch):
    """Caches are not to blame where a loop took most of a core in that very pass."""
    monkeypatch.setattr(threads, "physical_cores", lambda: 2)
    passes = [{"other_cpu_pct": pct, "seconds": seconds}  # a warm-up pass, then the measured ones
              for pct, seconds in zip((0.0, 90.0, *[0.0] * len(STEADY)), (1.0, 3.0, *STEADY))]
    busy_first = made_result(warm_runs_s=[3.0, *STEADY], contention={"flagged": True, "reason": "busy", "threads": 2,
                                                                      "passes": passes})
    (outlier,) = [n for n in stability.notes(busy_first) if n.mark == "^"]
    assert outlier.message.endswith("3.00 s against a median of 1.00 s: other processes were busy in it (see !)")


def test_busy_and_unstable_marks_come_from_the_same_notes():
    busy = made_result(warm_runs_s=[1.0, 1.5, 1.2], contention={"flagged": True, "reason": "others used 2.0 cores"})
    assert busy.marks == "!~"
    assert [n.message for n in stability.notes(busy)][0] == "others used 2.0 cores"


def test_a_ratio_carries_both_sides_spread():
    slow, fast = [2.0, 2.2, 1.8], [1.0, 1.05, 0.95]
    value, uncertainty = stability.ratio(slow, fast)
    cv_slow, cv_fast = statistics.stdev(slow) / 2.0, statistics.stdev(fast) / 1.0
    assert value == 2.0 and uncertainty == pytest.approx(2.0 * math.hypot(cv_slow, cv_fast))
    assert stability.plus_minus(value, uncertainty) == "2.00 ± 0.22"
    assert stability.ratio([2.0], fast) == (2.0, None) and stability.plus_minus(2.0, None) == "2.00"


def test_a_run_without_a_warm_up_pass_says_its_first_measured_pass_is_cold():
    """--warmup 0: the cold pass is in the median, and its row says so even when the
    passes look alike (one pass, or two that both paid for something)."""
    def passes(*kinds):
        return [{"kind": kind, "seconds": 1.0, "stages": None, "compiled": None, "energy_j": None} for kind in kinds]

    cold = made_result(warm_runs_s=[1.0, 1.0], passes=passes("warm", "warm"))
    assert cold.marks == "^" and any("no warm-up pass" in n.message for n in stability.notes(cold))
    warmed = made_result(warm_runs_s=[1.0, 1.0], passes=passes("first", "warm", "warm"))
    assert warmed.marks == ""
    resident = made_result(warm_runs_s=[1.0, 1.0], passes=passes("warm", "warm"), model_reused=True)
    assert resident.marks == ""  # the second file of a run: its model had its first pass on the first
    # a slow first pass already says it was not warm: said once
    slow_first = made_result(warm_runs_s=[3.0, *STEADY], passes=passes(*["warm"] * (1 + len(STEADY))))
    assert sum("warm" in n.message for n in stability.notes(slow_first) if n.mark == "^") == 1
