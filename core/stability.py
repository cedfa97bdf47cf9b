"""Whether repeated timings agree, and how far apart two sets of them are.

A median hides a pass that something else slowed, and a bare ratio of two medians
hides that both sides wobble. hyperfine and pyperf warn about both; so does this:

- an outlier is a pass whose modified Z-score, (x - median) / (1.4826 * MAD), exceeds
  `OUTLIER_Z`: the median absolute deviation scaled to a standard deviation for
  normal data, so one slow pass cannot widen the yardstick it is measured with (as a
  standard deviation would). Ten robust deviations is far beyond noise and well within
  what a busy neighbour or a page-cache miss does. The yardstick is never below
  `MIN_SPREAD` of the median: passes that agree closely (or exactly, a MAD of 0)
  would otherwise make a pass a few per cent off an outlier;
- a first measured pass that is such an outlier (and the slowest) suggests warm-up:
  caches or compiled code were not ready, and `--warmup` should grow;
- a coefficient of variation of `metrics.UNSTABLE_CV` or more is "unstable" (the `~` mark);
- a warm pass that compiled (a new shape for a JIT backend) timed compilation as
  inference (the `+` mark), with what it compiled.

A ratio of two medians carries the spread of both sides: its relative uncertainty is
the two coefficients of variation added in quadrature (first-order propagation, as
hyperfine reports "1.80 ± 0.05 times faster").
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asr_tui.core import contention
from asr_tui.core.metrics import UNSTABLE_CV, coefficient_of_variation

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult

OUTLIER_Z = 10.0  # robust standard deviations beyond which a pass is an outlier
MAD_TO_SD = 1.4826  # MAD x this = the standard deviation, for normally distributed data
MIN_SPREAD = 0.01  # the robust deviation's floor, as a share of the median: closer than this is timer and scheduler noise
BUSY_MARK, UNSTABLE_MARK, OUTLIER_MARK, RECOMPILED_MARK = "!", "~", "^", "+"
MARKS = BUSY_MARK + UNSTABLE_MARK + OUTLIER_MARK + RECOMPILED_MARK  # in the order a row shows them


def modified_z_scores(values: list[float]) -> list[float]:
    """Each value's distance from the median in robust standard deviations (at least
    `MIN_SPREAD` of the median each); fewer than three values cannot tell an outlier
    from its partner, and all score 0."""
    if len(values) < 3:
        return [0.0] * len(values)
    middle = statistics.median(values)
    spread = max(MAD_TO_SD * statistics.median(abs(v - middle) for v in values), MIN_SPREAD * abs(middle))
    if spread == 0:  # every value 0 but some
        return [0.0 if v == middle else math.copysign(math.inf, v - middle) for v in values]
    return [(v - middle) / spread for v in values]


def outliers(values: list[float]) -> list[int]:
    """Indices of the values more than `OUTLIER_Z` robust deviations from the median."""
    return [i for i, z in enumerate(modified_z_scores(values)) if abs(z) > OUTLIER_Z]


@dataclass(frozen=True)
class Note:
    """One reason a row deserves less trust: its mark and what it means."""

    mark: str
    message: str

    def __str__(self) -> str:
        return f"{self.mark} {self.message}"


def notes(result: "RunResult") -> list[Note]:
    """Every warning about a result's timings, in the words every view shows: other
    processes busy, warm passes unstable, outlier passes, a first pass that was not
    warm yet (or was counted with no warm-up before it), a warm pass that compiled."""
    found = []
    if result.contended:
        found.append(Note(BUSY_MARK, str(result.contention.get("reason"))))
    if result.unstable:
        found.append(Note(UNSTABLE_MARK, f"unstable: warm passes vary by CV {100 * result.cv:.0f}% ({100 * UNSTABLE_CV:.0f}% or more)"))
    times = result.warm_runs_s
    slow = outliers(times)
    first_said = False
    if slow:
        middle = statistics.median(times)
        if slow[0] == 0 and times[0] == max(times):
            why = ("other processes were busy in it (see !)" if _busy_in(result, 0)
                   else "caches or compiled code were not warm yet (raise --warmup)")
            found.append(Note(OUTLIER_MARK, f"the first measured pass took {times[0]:.2f} s against a median of "
                              f"{middle:.2f} s: {why}"))
            slow, first_said = slow[1:], True
        if slow:
            which = ", ".join(f"{i + 1} ({times[i]:.2f} s)" for i in slow)
            found.append(Note(OUTLIER_MARK, f"outlier measured pass{'es' if len(slow) > 1 else ''} {which} over "
                              f"{OUTLIER_Z:g} robust deviations from the median {middle:.2f} s"))
    # a model already resident from an earlier file or run has had its first pass
    if not first_said and not result.model_reused and result.passes and result.passes[0]["kind"] == "warm":
        found.append(Note(OUTLIER_MARK, "no warm-up pass: the first measured pass is counted cold (caches, compilation); "
                          "--warmup 1 keeps it out of the median"))
    for flagged in result.warm_recompiles:
        found.append(Note(RECOMPILED_MARK, f"warm pass {flagged['pass']} compiled {describe_compiled(flagged['compiled'])}"))
    return found


def timing_marks(results: list["RunResult"]) -> str:
    """The timing marks any of `results` carries, each once, in the order of `MARKS`:
    what a figure made from their timings (a ratio, a corpus row) inherits."""
    return "".join(mark for mark in MARKS if any(mark in r.marks for r in results))


def _busy_in(result: "RunResult", measured: int) -> bool:
    """Whether other processes were busy enough in measured pass `measured` (an index
    into `warm_runs_s`, the last passes of the run) for the run's contention rule."""
    record = result.contention or {}
    passes = record.get("passes") or []
    index = len(passes) - len(result.warm_runs_s) + measured
    if not 0 <= index < len(passes):
        return False
    figures = passes[index]
    if not contention.readable(figures.get("seconds", 0), figures.get("other_cpu_pct")):
        return False
    return contention.busy_reason(figures["other_cpu_pct"], record.get("threads") or 1, []) is not None


def describe_compiled(compiled: list[dict]) -> str:
    """What a pass compiled, in a line: each program the backend named with the
    shapes it was compiled for, then a count of the others (eager operations)."""
    named = [f"{c['program']} ({c['shapes']})" for c in compiled if c.get("shapes")]
    others = len(compiled) - len(named)
    return "; ".join(named + ([f"{others} other program{'s' if others > 1 else ''}"] if others else []))


def ratio_spread(numerator: list[float], denominator: list[float]) -> float | None:
    """The relative standard uncertainty of a ratio of the two sides' medians: their
    coefficients of variation in quadrature; None where a side has a single value
    (no spread to propagate)."""
    spreads = [coefficient_of_variation(numerator), coefficient_of_variation(denominator)]
    return None if None in spreads else math.hypot(*spreads)


def ratio(numerator: list[float], denominator: list[float]) -> tuple[float, float | None]:
    """median(numerator) / median(denominator) and its standard uncertainty."""
    value = statistics.median(numerator) / statistics.median(denominator)
    spread = ratio_spread(numerator, denominator)
    return value, None if spread is None else value * spread


def plus_minus(value: float, uncertainty: float | None, spec: str = ".2f") -> str:
    """'1.80 ± 0.05', or the value alone without an uncertainty."""
    return format(value, spec) if uncertainty is None else f"{value:{spec}} ± {uncertainty:{spec}}"
