"""Length and batch sweeps become curves, and PNG plots beside a markdown export
(when matplotlib is installed; otherwise one line says how to get them)."""

from __future__ import annotations

import builtins

import pytest

from asr_tui.core import curves, export, plots
from tests.unit.made_results import made_result


def clip(seconds: float, rtfx: float, **changes):
    return made_result(clip_seconds=seconds, audio_seconds=seconds, warm_runs_s=[seconds / rtfx], **changes)


def batch(size: int, rtfx: float, rss: float):
    return made_result(batch_size=size, audio_seconds=100.0, warm_runs_s=[100.0 / rtfx], peak_rss_mb=rss)


SWEEPS = [clip(5, 2.0), clip(30, 8.0), clip(120, 12.0), clip(30, 5.0, dtype="bfloat16"), batch(1, 10.0, 600), batch(4, 25.0, 900)]


def test_series_hold_everything_but_the_swept_knob():
    [length] = curves.curves(SWEEPS, curves.LENGTH)  # the bfloat16 clip has no partner
    assert [(p.x, p.rtfx) for p in length.points] == [(5.0, 2.0), (30.0, 8.0), (120.0, 12.0)]
    [by_batch] = curves.curves(SWEEPS, curves.BATCH)
    assert [(p.x, p.rtfx, p.peak_mb) for p in by_batch.points] == [(1, 10.0, 600), (4, 25.0, 900)]
    assert curves.curves([made_result()], curves.LENGTH) == curves.curves([made_result()], curves.BATCH) == []


def test_markdown_export_writes_the_plots_beside_it(tmp_path):
    pytest.importorskip("matplotlib")
    line = export.write_export(SWEEPS, tmp_path / "results.md")
    for kind in (curves.LENGTH, curves.BATCH):
        png = tmp_path / f"results.{kind}.png"
        assert f"wrote {png}" in line and png.read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "results.json").exists()
    export.write_export(SWEEPS, tmp_path / "results.json")  # no plots beside a JSON export
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.batch.png", "results.json", "results.length.png", "results.md"]


def test_without_matplotlib_one_line_says_how(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    line = export.write_export(SWEEPS, tmp_path / "results.md")
    assert line.endswith(plots.NO_MATPLOTLIB) and (tmp_path / "results.md").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["results.md"]


def test_a_point_carries_its_warm_passes_spread():
    """The slowest and the fastest warm pass as RTFx, for an error bar: a step
    between two batch sizes inside both spreads is noise, not a trend."""
    spread = [made_result(batch_size=size, audio_seconds=100.0, warm_runs_s=runs)
              for size, runs in ((1, [10.0, 8.0, 12.5]), (4, [5.0]))]
    [by_batch] = curves.curves(spread, curves.BATCH)
    assert [p.rtfx_range for p in by_batch.points] == [(8.0, 12.5), (20.0, 20.0)]
    assert [p.rtfx for p in by_batch.points] == [10.0, 20.0]
