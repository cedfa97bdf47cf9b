"""Snapshots of every tab and screen in a deterministic state (a fixed directory,
fixed results). Each run_before asserts the state meant to be captured, so a wrong
screen is never saved as the baseline. Update with `pytest --snapshot-update`."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_tui.core import presets
from asr_tui.core.transcript import Segment
from asr_tui.core.results import RunResult
from asr_tui.core.samples import SAMPLE
from tests.tui_helpers import wait_until
from asr_tui.tui.app import AsrTuiApp

SIZE = (100, 32)


@pytest.fixture
def app(audio_dir):
    return AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))


def fixed_result(config: str, backend: str, warm: float, wer: float) -> RunResult:
    reference = str(Path("gettysburg.txt").resolve())
    return RunResult(
        backend=backend, model="tiny.en", weights_sha256="0" * 64, device="cpu", dtype="float32", beam_size=1,
        batch_size=1, audio="gettysburg.flac", audio_seconds=23.9, load_s=0.5, first_run_s=warm * 2,
        warm_runs_s=[warm], text="Four score and seven years ago our father's brought forth on this continent",
        segments=[Segment(0.0, 5.7, " Four score and seven years ago")], config_name=config, language="en",
        wer=wer, reference=reference, peak_rss_mb=600.0,
    )


def with_results(app: AsrTuiApp) -> None:
    app.results.extend([fixed_result("PyTorch fp32", "pytorch", 0.75, 0.047), fixed_result("JAX fp32", "jax", 1.0, 0.047)])
    app.query_one("#results-pane").refresh_results()


def test_sources_tab(snap_compare, app):
    async def ready(pilot):
        tree = pilot.app.query_one("#audio-tree")
        await wait_until(pilot, lambda: len(tree.root.children) == 1)
        assert pilot.app.query_one("#tabs").active == "sources"
        assert pilot.app.query_one("#selected").row_count == 1

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_configure_tab(snap_compare, app):
    async def ready(pilot):
        await pilot.press("2")
        await pilot.pause()
        assert pilot.app.query_one("#tabs").active == "configure"
        assert pilot.app.query_one("#config-list").row_count == 2

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_run_tab_idle(snap_compare, app):
    async def ready(pilot):
        await pilot.press("3")
        await pilot.pause()
        assert pilot.app.query_one("#tabs").active == "run" and not pilot.app.running

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_results_tab(snap_compare, app):
    async def ready(pilot):
        with_results(pilot.app)
        await pilot.press("4")
        await pilot.pause()
        assert pilot.app.query_one("#results-table").row_count == 2

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_compare_screen(snap_compare, app):
    async def ready(pilot):
        with_results(pilot.app)
        await pilot.press("4", "space", "down", "space", "c")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "CompareScreen"

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_presets_screen(snap_compare, app):
    async def ready(pilot):
        await pilot.press("2", "p")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PresetScreen"

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_help_screen(snap_compare, app):
    async def ready(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "HelpScreen"

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
