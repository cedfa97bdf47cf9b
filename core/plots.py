"""The length and batch curves (`core.curves`) as PNG files beside a markdown export,
drawn with matplotlib, an optional extra (`pip install 'asr-tui[plots]'`): without
it the export says how to get them, and writes the markdown all the same."""

from __future__ import annotations

import io
from pathlib import Path

from asr_tui.core import curves, export
from asr_tui.core.results import RunResult

NO_MATPLOTLIB = "PNG plots of the length and batch curves need matplotlib: pip install 'asr-tui[plots]'"
X_LABELS = {curves.LENGTH: "clip length (audio seconds)", curves.BATCH: "batch size"}


def png_path(markdown: Path, kind: str) -> Path:
    """`results.md` -> `results.length.png`, `results.batch.png`."""
    return markdown.with_name(f"{markdown.stem}.{kind}.png")


def _figure(series: list[curves.Curve], kind: str) -> bytes:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    panels = 2 if kind == curves.BATCH else 1  # the batch curve's peak memory under its RTFx
    figure = Figure(figsize=(8, 3 + 2.5 * panels), layout="constrained")
    axes = figure.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    for curve in series:
        xs = [p.x for p in curve.points]
        ys = [p.rtfx for p in curve.points]
        spread = [[y - p.rtfx_range[0] for y, p in zip(ys, curve.points)], [p.rtfx_range[1] - y for y, p in zip(ys, curve.points)]]
        axes[0].errorbar(xs, ys, yerr=spread, marker="o", capsize=3, label=curve.name)
        if panels == 2:
            axes[1].plot(xs, [p.peak_mb for p in curve.points], marker="s")
    axes[0].set_title(curves.TITLES[kind])
    axes[0].set_ylabel("RTFx (higher is faster)\nbars: slowest to fastest warm pass")
    axes[0].set_ylim(bottom=0)  # from zero: a zoomed axis makes noise look like a trend
    axes[0].legend(fontsize="small")
    if panels == 2:
        # a sweep runs in one process, whose RSS peak only grows: a later point holds the earlier ones'
        axes[1].set_ylabel("peak MB (GPU on cuda, else RSS)\nRSS: the process's peak so far")
    axes[-1].set_xlabel(X_LABELS[kind])
    axes[-1].set_xscale("log")  # lengths and batch sizes grow by factors
    ticks = sorted({p.x for curve in series for p in curve.points})
    axes[-1].set_xticks(ticks, [f"{x:g}" for x in ticks], minor=False)
    axes[-1].set_xticks([], minor=True)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=120)
    return out.getvalue()


def write_pngs(results: list[RunResult], markdown: Path) -> list[str]:
    """Write each kind of curve the results hold beside `markdown`; the lines to show
    (files written, or how to get them)."""
    found = {kind: curves.curves(results, kind) for kind in (curves.LENGTH, curves.BATCH)}
    if not any(found.values()):
        return []
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return [NO_MATPLOTLIB]
    lines = []
    for kind, series in found.items():
        if series:
            path = png_path(Path(markdown).expanduser(), kind)
            export.write_file(path, _figure(series, kind))
            lines.append(f"wrote {path.absolute()}")
    return lines
