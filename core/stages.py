"""Where a pass's time goes: a framework-free stage timer that a backend runs where the
work happens, and the per-pass breakdown a result records.

Stages nest and are counted exclusively: time inside an inner stage (the encoder
inside the decoding loop, a compilation inside the encoder) counts to the inner stage
only, so the stages of a pass never overlap and their sum is the time they covered.
What no stage covered is the pass's `other` remainder, kept explicitly, so a
breakdown always adds up to the pass time and a large `other` says the backend's
instrumentation missed something.

A backend reports its stages in `Transcript.stats["stages"]`; one whose library
decodes out of sight (CTranslate2, whisper-jax) reports none, and its result says
"not available" rather than an estimate.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

# The stages a backend may report, in the order a breakdown shows them.
STAGES = {
    "log_mel": "log-mel features",
    "encoder": "encoder",
    "decoder": "decoder steps",
    "compile": "compilation (JAX, torch.compile)",
    "post": "post-processing: host work of the decoding loop outside the model",
    "other": "not covered by a stage (runner and backend set-up)",
}
NOT_AVAILABLE = "not available"


class StageTimer:
    """Exclusive seconds per stage; `begin`/`end` for hooks that cannot hold a `with`."""

    def __init__(self, clock=time.perf_counter) -> None:
        self._clock = clock
        self._open: list[str] = []
        self._since = 0.0  # when the innermost open stage last resumed
        self.seconds: dict[str, float] = {}

    def _charge(self, now: float) -> None:
        if self._open:
            name = self._open[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._since
        self._since = now

    def begin(self, name: str) -> None:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}")
        self._charge(self._clock())
        self._open.append(name)

    def end(self) -> None:
        self._charge(self._clock())
        self._open.pop()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.begin(name)
        try:
            yield
        finally:
            self.end()


def breakdown(stages: dict[str, float] | None, pass_seconds: float) -> dict[str, float] | None:
    """A pass's stages in `STAGES` order with the `other` remainder, rounded to the
    microsecond; None where the backend reported none."""
    if stages is None:
        return None
    out = {name: round(stages[name], 6) for name in STAGES if name in stages}
    out["other"] = round(pass_seconds - sum(stages.values()), 6)
    return out


def median_breakdown(passes: list[dict[str, float]]) -> dict[str, float] | None:
    """Each stage's median over passes (the table's figure for a row)."""
    from asr_tui.core.metrics import median

    if not passes:
        return None
    names = [name for name in STAGES if any(name in p for p in passes)]
    return {name: round(median([p.get(name, 0.0) for p in passes]), 6) for name in names}
