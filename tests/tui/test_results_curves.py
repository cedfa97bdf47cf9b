"""The Results tab shows where each row's time went, flags a warm pass that compiled,
and draws length and batch curves when the results hold such sweeps."""

from __future__ import annotations

from pathlib import Path

from asr_tui.core import presets
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.widgets.results import STAGE_BAR_WIDTH
from tests.tui_helpers import screen_text
from tests.unit.made_results import made_result

STAGES = {"log_mel": 0.1, "encoder": 0.4, "decoder": 1.2, "post": 0.2, "other": 0.1}


def timed(seconds: float, compiled=None, kind: str = "warm") -> dict:
    return {"kind": kind, "seconds": seconds, "stages": STAGES, "compiled": compiled, "energy_j": {"cpu": None, "gpu": None}}


def clip(seconds: float, rtfx: float):
    return made_result(backend="jax", clip_seconds=seconds, audio_seconds=seconds, warm_runs_s=[seconds / rtfx],
                       passes=[timed(seconds / rtfx)], config_name=f"jax clip {seconds:g}")


def batch(size: int, rtfx: float, rss: float):
    return made_result(backend="jax", batch_size=size, audio_seconds=100.0, warm_runs_s=[100.0 / rtfx], peak_rss_mb=rss,
                       passes=[timed(100.0 / rtfx)], config_name=f"jax b{size}")


async def test_stage_bars_recompile_flag_and_curves(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(160, 60)) as pilot:
        recompiled = made_result(passes=[timed(2.0, [{"program": "jit(generate)", "shapes": "int32[4, 4], max_new=100"}])])
        unknown = made_result(backend="ctranslate2", passes=[timed(2.0) | {"stages": None}])
        app.results.extend([recompiled, unknown])
        pane = app.query_one("#results-pane")
        pane.refresh_results()
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#results-table")
        headers = [str(c.label) for c in table.columns.values()]
        bar = table.get_row_at(0)[headers.index("stages")]
        assert len(bar.plain) == STAGE_BAR_WIDTH and len(bar.spans) == len(STAGES)
        assert str(table.get_row_at(1)[headers.index("stages")]) == "n/a"
        assert "+" in table.get_row_at(0)[0] and "+" not in table.get_row_at(1)[0]
        table.move_cursor(row=0)
        await pilot.pause()
        detail = str(app.query_one("#results-detail").render())
        assert "warm pass 1 compiled jit(generate) (int32[4, 4], max_new=100)" in detail and "decoder 1.20 s" in detail
        assert not app.query_one("#length-chart").display and not app.query_one("#batch-chart").display

        app.results.extend([clip(5, 2.0), clip(30, 8.0), clip(120, 12.0), batch(1, 10.0, 600), batch(4, 25.0, 900)])
        pane.refresh_results()
        await pilot.pause()
        assert app.query_one("#length-chart").display and app.query_one("#batch-chart").display
        shown = screen_text(app)
        # each legend names the rows it drew (another label's run of the same work can be a point)
        assert "jax tiny.en cpu float32 one.flac b1 RTFx (#3-5)" in shown, shown
        assert "RTFx (#6-7)" in shown and "RSS MB, peak so far" in shown


async def test_the_results_tab_scrolls_to_its_last_chart_at_80x24(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(80, 24)) as pilot:
        app.results.extend([clip(5, 2.0), clip(30, 8.0), clip(120, 12.0), batch(1, 10.0, 600), batch(4, 25.0, 900)])
        await pilot.press("4")
        app.query_one("#results-pane").refresh_results()
        await pilot.pause()
        assert app.focused is app.query_one("#results-table")
        assert "by batch size" not in screen_text(app)
        await pilot.press("ctrl+down", "ctrl+down")  # from the table, which keeps its own arrows
        await pilot.pause()
        assert app.focused is app.query_one("#results-table") and "RTFx and peak memory (MB) by batch size" in screen_text(app)
        await pilot.press("ctrl+up", "ctrl+up")
        await pilot.pause()
        assert "by batch size" not in screen_text(app)
        await pilot.press("tab", "tab", "end")  # or past the tab bar to the pane, whose own keys scroll it
        await pilot.pause()
        assert app.focused is app.query_one("#results-pane") and "RTFx and peak memory (MB) by batch size" in screen_text(app)
