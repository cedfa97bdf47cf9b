"""The speedup decomposed: how much of a configuration's speed over openai-whisper comes
from the strategy, the dtype and the framework.

The public study compared openai-whisper (PyTorch, sequential, float32) with whisper-jax
(JAX, batched, half precision) and credited the difference to JAX. Three things
changed at once. Given configurations that differ in one of them at a time, each pair
is a step: strategy (sequential → batched, same framework and dtype), dtype (float32 →
another, same framework, strategy and batch), framework (PyTorch → another, same
strategy, dtype and batch). A step compares RTFx over the same files, model, device and
beam size and temperature schedule, so its ratio is that one factor's share; along a chain of steps from the
baseline to the fastest configuration a chain reaches, the ratios multiply to the end-to-end speedup.

A step whose two sides differ in WER by more than a point is marked, and so is one
where a side lost a run of speech or repeats a phrase (`core.wholeness`) ten words
beyond the other: a faster row that transcribes less is not faster. A side whose
timing is marked (busy, unstable, an outlier, a warm pass that compiled) marks the
step too: its ratio is no firmer than its timings.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asr_tui.core import corpus, stability, wholeness

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult

FACTORS = ("strategy", "framework", "dtype")
BASELINE = {"framework": "pytorch", "strategy": "sequential", "dtype": "float32"}
ACCURACY_POINTS = 1.0  # WER points beyond which two rows did not do the same work


@dataclass(frozen=True)
class Cell:
    """One configuration's corpus figures, described by the three factors."""

    framework: str
    strategy: str
    dtype: str
    batch_size: int | None  # batched only
    held: tuple  # what every step holds equal: files, model, device, beam size, temperatures
    rtfx: float
    wer: float | None
    lost_words: int  # the longest run of reference words lost in any of its files (0: none known)
    added_words: int  # the longest run of words added that the reference lacks, in any of its files (0: none known)
    repeated_words: int  # the most words repeating a phrase in a file, where that is a loop (`wholeness.loops`)
    timing_marks: str  # its files' rows' timing marks (`stability.MARKS`: busy, unstable, outlier, compiled)
    sampled_windows: int  # windows decoded by sampling over its files (`core.sampling`; 0: none known)

    @property
    def parts(self) -> dict[str, str]:
        """Each factor as a label says it (the batch size goes with the strategy)."""
        batch = f" b{self.batch_size}" if self.batch_size else ""
        return {"framework": self.framework, "strategy": f"{self.strategy}{batch}", "dtype": self.dtype}

    @property
    def label(self) -> str:
        return " ".join(self.parts.values())

    def factor(self, name: str) -> str:
        return getattr(self, name)


@dataclass(frozen=True)
class Step:
    factor: str
    source: Cell
    target: Cell

    @property
    def change(self) -> str:
        """What the step holds, then what it changes: 'pytorch float32: sequential →
        batched b16', shorter than both labels and read at a glance."""
        before, after = self.source.parts, self.target.parts
        held = " ".join(value for name, value in before.items() if name != self.factor)
        return f"{held}: {before[self.factor]} → {after[self.factor]}"

    @property
    def ratio(self) -> float:
        return self.target.rtfx / self.source.rtfx if self.source.rtfx else math.nan

    @property
    def wer_points(self) -> float | None:
        if self.source.wer is None or self.target.wer is None:
            return None
        return 100 * (self.target.wer - self.source.wer)

    @property
    def accuracy_differs(self) -> bool:
        return self.wer_points is not None and abs(self.wer_points) > ACCURACY_POINTS

    @property
    def marks(self) -> str:
        """Why the two sides did not do the same work, if they did not."""
        found = ["accuracy differs"] if self.accuracy_differs else []
        # a WER that is one draw of its seed may differ by that alone: said beside the difference
        found += [f"{side.label} decoded {side.sampled_windows} windows by sampling"
                  for side in (self.source, self.target) if self.accuracy_differs and side.sampled_windows]
        for side, other in ((self.target, self.source), (self.source, self.target)):
            if wholeness.loses_speech(side.lost_words - other.lost_words):
                found.append(f"{side.label} lost {side.lost_words} words in a row")
            if side.repeated_words - other.repeated_words >= wholeness.REPEATED_RUN:
                found.append(f"{side.label} repeats a phrase ({side.repeated_words} words)")
            if wholeness.adds_text(side.added_words - other.added_words):
                found.append(f"{side.label} added {side.added_words} words in a row")
        # a ratio of timings that are themselves in doubt is in doubt: said, not dropped
        found += [f"{side.label} timing marked {side.timing_marks}" for side in (self.source, self.target) if side.timing_marks]
        return "; ".join(found)


@dataclass(frozen=True)
class Decomposition:
    steps: tuple[Step, ...]
    path: tuple[Step, ...]  # baseline → the fastest a chain reaches, one factor at a time; empty if none

    @property
    def end_to_end(self) -> float | None:
        return math.prod(step.ratio for step in self.path) if self.path else None

    def summary(self) -> str | None:
        """'pytorch sequential float32 → jax batched b16 bfloat16: 3.10x = strategy 2.20x
        × framework 1.40x × dtype 1.01x', or None without a chain."""
        if not self.path:
            return None
        factors = " × ".join(f"{s.factor} {s.ratio:.2f}x" for s in self.path)
        return f"{self.path[0].source.label} → {self.path[-1].target.label}: {self.end_to_end:.2f}x = {factors}"


def _cell(files: list["RunResult"]) -> Cell:
    first = files[0]
    strategy = first.decoding.get("strategy") or "sequential"
    figures = corpus.summary(files)
    temperatures = tuple(first.decoding.get("temperatures") or ())
    held = (frozenset(r.audio_heard for r in files), first.model, first.device, first.beam_size, temperatures)
    return Cell(
        framework=first.backend, strategy=strategy, dtype=first.dtype,
        batch_size=first.batch_size if strategy == "batched" else None,
        held=held, rtfx=figures.rtfx, wer=figures.wer,
        lost_words=max(r.lost_words or 0 for r in files),
        added_words=max(r.added_words or 0 for r in files),
        repeated_words=max((r.repeated_words for r in files if wholeness.loops(r.repeated_words, r.reference_repeated_words)),
                           default=0),
        timing_marks=stability.timing_marks(files),
        sampled_windows=sum(r.sampled_windows or 0 for r in files),
    )


def _step(a: Cell, b: Cell) -> Step | None:
    """The step from a to b when they differ in exactly one factor, in its direction."""
    if a.held != b.held:
        return None
    differing = [name for name in FACTORS if a.factor(name) != b.factor(name)]
    if len(differing) != 1:
        return None
    factor = differing[0]
    if factor != "strategy" and a.batch_size != b.batch_size:
        return None
    if a.factor(factor) != BASELINE[factor]:
        return None
    return Step(factor, a, b)


def decompose(results: list["RunResult"]) -> Decomposition:
    cells = [_cell(files) for files in corpus.by_configuration(results)]
    steps = tuple(step for a in cells for b in cells if a is not b and (step := _step(a, b)) is not None)
    return Decomposition(steps, _path(cells, steps))


def _path(cells: list[Cell], steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """The shortest chain of steps from the baseline to the fastest configuration a
    chain reaches (a faster one that differs in two factors from every other, batch
    32 beside a study at 16, has no chain); the first factors tried are in FACTORS
    order."""
    bases = [c for c in cells if all(c.factor(n) == v for n, v in BASELINE.items())]
    for base in bases:
        best: tuple[Step, ...] = ()  # the chain to the fastest cell reached so far
        queue: deque[tuple[Cell, tuple[Step, ...]]] = deque([(base, ())])
        seen = {id(base)}
        while queue:
            cell, chain = queue.popleft()
            if chain and (not best or cell.rtfx > best[-1].target.rtfx):
                best = chain
            for step in sorted((s for s in steps if s.source is cell), key=lambda s: FACTORS.index(s.factor)):
                if id(step.target) not in seen:
                    seen.add(id(step.target))
                    queue.append((step.target, chain + (step,)))
        if best:
            return best
    return ()


def table_rows(decomposition: Decomposition) -> list[list[str]]:
    """factor, the change, ratio, WER change, mark, RTFx before → after: as every view
    shows them, the figures before the long text, so an 80-column terminal shows them."""
    out = []
    for step in sorted(decomposition.steps, key=lambda s: (FACTORS.index(s.factor), s.source.label, s.target.label)):
        points = step.wer_points
        out.append([
            step.factor, step.change, f"{step.ratio:.2f}x", "-" if points is None else f"{points:+.1f}",
            step.marks, f"{step.source.rtfx:.1f} → {step.target.rtfx:.1f}",
        ])
    return out


TABLE_HEADER = ["factor", "step", "ratio", "WER Δ points", "mark", "RTFx"]
