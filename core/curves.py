"""Length and batch curves: results that differ only in clip length, or only in batch
size, become series of points for a plot (the TUI's plotext charts and the PNGs beside
a markdown export, `core.plots`).

A series holds everything else fixed: backend, model, device, dtype, beam, the file,
the decoding settings, and the batch size (length curves) or the clip (batch
curves). A series needs two points; with none, there is nothing to plot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from asr_tui.core.metrics import rtfx
from asr_tui.core.results import RunResult

# what the x axis of each kind of curve is
LENGTH, BATCH = "length", "batch"
TITLES = {
    LENGTH: "RTFx by clip length (audio seconds)",
    BATCH: "RTFx and peak memory (MB) by batch size",
}


@dataclass(frozen=True)
class Point:
    x: float
    rtfx: float
    peak_mb: float | None  # the GPU's peak on a GPU, else the process's peak RSS
    # RTFx at the slowest and the fastest warm pass (both `rtfx` with one pass or none):
    # drawn as an error bar, so a step between two points within the passes' spread
    # does not read as a trend
    rtfx_range: tuple[float, float]


def _rtfx_range(result: RunResult) -> tuple[float, float]:
    if not result.warm_runs_s:
        return result.rtfx, result.rtfx
    return rtfx(result.audio_seconds, result.warm_max_s), rtfx(result.audio_seconds, result.warm_min_s)


@dataclass(frozen=True)
class Curve:
    kind: str  # LENGTH or BATCH
    name: str  # what the series holds fixed, in words
    points: list[Point]
    # the result behind each point: configurations with other labels that ran the
    # same work share a series, so a chart says which rows it drew
    results: list[RunResult]


def peak_memory_mb(result: RunResult) -> float | None:
    return result.peak_gpu_mb if result.device == "cuda" else result.peak_rss_mb


def _key(result: RunResult, varied: str) -> tuple:
    decoding = json.dumps(result.decoding, sort_keys=True)
    fixed = (result.backend, result.model, result.device, result.dtype, result.beam_size, result.audio, decoding)
    return fixed + ((result.batch_size,) if varied == LENGTH else (result.clip_seconds,))


def _name(result: RunResult, varied: str) -> str:
    parts = [result.backend, result.model, result.device, result.dtype, Path(result.audio).name]
    if varied == LENGTH:
        parts.append(f"b{result.batch_size}")
    elif result.clip_seconds:
        parts.append(f"{result.clip_seconds:g} s clip")
    return " ".join(parts)


def curves(results: list[RunResult], kind: str) -> list[Curve]:
    """Every series of `kind` in the results, each point its latest result."""
    groups: dict[tuple, dict[float, RunResult]] = {}
    for result in results:
        if kind == LENGTH and result.clip_seconds is None:
            continue  # a whole-file run is not a point of a length sweep
        x = result.audio_seconds if kind == LENGTH else result.batch_size
        groups.setdefault(_key(result, kind), {})[x] = result
    found = []
    for by_x in groups.values():
        if len(by_x) < 2:
            continue
        ordered = sorted(by_x.items())
        points = [Point(x, r.rtfx, peak_memory_mb(r), _rtfx_range(r)) for x, r in ordered]
        found.append(Curve(kind, _name(ordered[0][1], kind), points, [r for _, r in ordered]))
    return found
