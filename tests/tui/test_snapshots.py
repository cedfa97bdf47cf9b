"""Snapshots of every tab and screen at 80x24 and 120x40, in a deterministic state (a
fixed directory, home, clock, time zone, history and results). Each run_before asserts
the state meant to be captured, so a wrong screen is never saved as the baseline.
Update with `pytest --snapshot-update`, and look at every changed SVG before accepting.

The run in progress is driven by the runner's own event types with fixed timings:
real runs would make the bars and timings differ on every machine."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from asr_tui.core import events, history, microphone, presets
from asr_tui.core.transcript import Segment
from asr_tui.core.samples import SAMPLE
from tests.tui_helpers import fixed_result, started, wait_until
from asr_tui.tui.app import AsrTuiApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def app(audio_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(audio_dir.parent))  # the path input shows ~/audio
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no recordings, a known history
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(microphone, "input_devices", lambda rescan=False: [])  # the same on machines with and without one
    yield AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    monkeypatch.undo()
    time.tzset()


def with_results(app: AsrTuiApp) -> None:
    from asr_tui.tui.widgets.results import FailedRun
    from datetime import datetime, timezone

    app.results.extend([
        fixed_result("PyTorch fp32", "pytorch", 0.75, 0.047),
        fixed_result("JAX fp32", "jax", 1.0, 0.047, compile_s=4.2, model_reused=False),
        fixed_result("PyTorch fp32", "pytorch", 0.8, 0.047, model_reused=True, finished_at="2025-03-01T14:06:30+00:00"),
    ])
    app.failures.append(FailedRun("JAX cuda", None, "cuda asked for but JAX sees no GPU; install jax[cuda12]", datetime(2025, 3, 1, 14, 7, tzinfo=timezone.utc)))
    app.query_one("#results-pane").refresh_results()


@pytest.mark.parametrize("size", SIZES)
def test_sources_tab(snap_compare, app, size):
    async def ready(pilot):
        tree = pilot.app.query_one("#audio-tree")
        await wait_until(pilot, lambda: len(tree.root.children) == 1 and pilot.app.focused is tree)
        assert pilot.app.query_one("#tabs").active == "sources"
        assert pilot.app.query_one("#selected").row_count == 1

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_remove_source_asks(snap_compare, app, size):
    async def ready(pilot):
        await started(pilot)
        pilot.app.query_one("#selected").focus()
        await pilot.press("x")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ConfirmDialog"

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_microphone_tab(snap_compare, app, size):
    async def ready(pilot):
        await started(pilot)
        pilot.app.query_one("#source-tabs").active = "mic-tab"
        recordings = pilot.app.query_one("#recordings")
        await wait_until(pilot, lambda: "no microphone" in str(pilot.app.query_one("#mic-timer").render()) and pilot.app.focused is recordings)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_configure_tab(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("2")
        await pilot.pause()
        assert pilot.app.query_one("#tabs").active == "configure"
        assert pilot.app.query_one("#config-list").row_count == 2

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_run_tab_idle(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("3")
        await pilot.pause()
        assert pilot.app.query_one("#tabs").active == "run" and not pilot.app.running

    assert snap_compare(app, terminal_size=size, run_before=ready)


async def feed_a_run(pilot, clips: int = 5) -> None:
    """Two configurations over five files (ten pairs): the first configuration done
    but for a failed file, the second a compiling pass into each of its first four
    (the three before the last waiting their turn), on a fixed clock."""
    pane = pilot.app.query_one("#run-pane")
    now = [1000.0]
    pane.clock = lambda: now[0]
    pane.begin()
    files = [Path(f"/data/clip{i:02d}.flac") for i in range(clips)]
    first, second = pilot.app.configs
    pane.expect(1, first, [(f, 20.0) for f in files])
    pane.expect(2, second, [(f, 20.0) for f in files])
    await pilot.pause()
    pane.handle(events.JobStarted(1, first, tuple(files)))
    pane.handle(events.ModelLoaded(1, first, 0.5, False))
    for f in files:
        pane.handle(events.RunStarted(1, first, f, 20.0, 2))
        if f == files[-1]:
            pane.handle(events.RunFailed(1, first, f, f"cannot decode {f}: Invalid data found when processing input"))
            continue
        for index, kind in ((1, "first"), (2, "warm")):
            pane.handle(events.PassStarted(1, f, index, 2, kind))
            pane.handle(events.Progress(1, f, 20.0, 20.0))
        pane.handle(events.RunFinished(1, fixed_result(first.display_name, "pytorch", 0.75, 0.047, audio=str(f))))
    pane.handle(events.JobFinished(1, ()))
    pane.handle(events.JobStarted(2, second, tuple(files)))
    pane.handle(events.ModelLoaded(2, second, 1.2, False))
    for f in files[:4]:
        pane.handle(events.RunStarted(2, second, f, 20.0, 2))
        pane.handle(events.PassStarted(2, f, 1, 2, "first"))
        pane.handle(events.Progress(2, f, 12.0, 20.0))
        pane.handle(events.SegmentDecoded(2, f, Segment(0.0, 5.7, " Four score and seven years ago our fathers brought forth")))
    now[0] += 61.0
    pane._show_overall()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_run_in_progress_more_than_eight_pairs(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("3")
        await feed_a_run(pilot)
        pane = pilot.app.query_one("#run-pane")
        overall = str(pilot.app.query_one("#overall-text").render())
        assert "left · 4 of 10 done · 1 failed" in overall
        assert pilot.app.query_one("#timings").row_count == 5
        assert "Invalid data found" in str(pilot.app.query_one("#run-details").render())
        active = pane._rows[(2, "/data/clip03.flac")]
        rows = pilot.app.query_one("#progress-rows")
        await wait_until(pilot, lambda: rows.scroll_y <= active.virtual_region.y < rows.scroll_y + rows.scrollable_content_region.height)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_results_tab(snap_compare, app, size):
    async def ready(pilot):
        with_results(pilot.app)
        await pilot.press("4")
        await pilot.pause()
        assert pilot.app.query_one("#results-table").row_count == 4

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_compare_screen(snap_compare, app, size):
    async def ready(pilot):
        with_results(pilot.app)
        await pilot.press("4", "space", "down", "space", "c")
        await wait_until(pilot, lambda: "reference" in str(pilot.app.screen.query_one("#diff-legend").render()))
        assert type(pilot.app.screen).__name__ == "CompareScreen"

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_compare_screen_without_reference(snap_compare, app, size):
    from asr_tui.tui.screens.compare import CompareScreen

    async def ready(pilot):
        a = fixed_result("PyTorch fp32", "pytorch", 0.75, None)
        b = fixed_result("JAX fp32", "jax", 0.42, None, text="Four score and seven years ago, our fathers brought forth upon this continent")
        pilot.app.push_screen(CompareScreen(a, b))
        await wait_until(pilot, lambda: any("A and B differ" in str(legend.render()) for legend in pilot.app.screen.query("#diff-legend")))

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_presets_screen(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("2", "p")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PresetScreen"

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "HelpScreen"

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_history_tab(snap_compare, app, size):
    async def ready(pilot):
        path = history.history_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            fixed_result("PyTorch fp32", "pytorch", 0.75, 0.047),
            fixed_result("CT2 int8", "ctranslate2", 0.3, 0.05, dtype="int8", finished_at="2025-03-02T09:00:00+00:00"),
            fixed_result("JAX bf16", "jax", 0.1, 0.047, device="cuda", dtype="bfloat16", env={"hostname": "gpu-box", "gpu": "NVIDIA H100"}),
        ]
        path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in lines) + '{"cut off by a ki\n')
        await pilot.press("5")
        await wait_until(pilot, lambda: pilot.app.query_one("#history-table").row_count == 3)
        assert "1 unreadable line skipped" in str(pilot.app.query_one("#history-status").render())

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_configure_invalid_field(snap_compare, app, size):
    """The refusal under the field just edited, on screen at 80x24, and the ✗ mark."""
    async def ready(pilot):
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("down")
        pilot.app.query_one("#field-batch_size").focus()
        await pilot.press("backspace", "8")
        await pilot.pause()
        assert pilot.app.query_one("#error-batch_size").display

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_save_preset_dialog(snap_compare, app, size, audio_dir, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(audio_dir.parent / ".config"))  # shown from ~

    async def ready(pilot):
        await pilot.press("2", "ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "SavePresetDialog"

    assert snap_compare(app, terminal_size=size, run_before=ready)
