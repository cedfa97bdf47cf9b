"""Drive the real app under Pilot: wait for the real runner, not for a clock; read
tables by column name; results with fixed numbers where a test needs known values."""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import replace
from pathlib import Path

from asr_tui.core.transcript import Segment
from asr_tui.core.results import RunResult

FINISHED_AT = "2025-03-01T14:05:09+00:00"


async def wait_until(pilot, condition, timeout: float = 300.0, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        await asyncio.sleep(step)
        await pilot.pause()


async def started(pilot) -> None:
    """Start-up is over: the Sources tree has focus and the tab it sits in has heard
    so (a programmatic tab switch before that is undone by it)."""
    await wait_until(pilot, lambda: pilot.app.focused is pilot.app.query_one("#audio-tree"), timeout=30)
    await pilot.pause()


def cell(table, row: int, header: str) -> str:
    """The text of a DataTable cell, found by its column's header."""
    index = [str(c.label) for c in table.ordered_columns].index(header)
    return str(table.get_row_at(row)[index])


def plain_row(table, row: int) -> list[str]:
    """A DataTable row's cells as the text they show."""
    return [str(cell) for cell in table.get_row_at(row)]


def column(table, header: str) -> list[str]:
    return [cell(table, row, header) for row in range(table.row_count)]


def fixed_result(config: str, backend: str, warm: float, wer: float | None, **changes) -> RunResult:
    """A result of the bundled sample with the given timings (the reference is the
    `audio_dir` fixture's copy when a WER is given)."""
    reference = str(Path("gettysburg.txt").resolve()) if wer is not None else None
    result = RunResult(
        backend=backend, model="tiny.en", weights_sha256="0" * 64, device="cpu", dtype="float32", beam_size=1,
        batch_size=1, audio="gettysburg.flac", audio_seconds=23.9, load_s=0.5, first_run_s=warm * 2,
        warm_runs_s=[warm], text="Four score and seven years ago our father's brought forth on this continent",
        segments=[Segment(0.0, 5.7, " Four score and seven years ago")], config_name=config, language="en",
        wer=wer, reference=reference, peak_rss_mb=600.0, finished_at=FINISHED_AT,
        env={"hostname": "bench-1", "gpu": None},
    )
    return replace(result, **changes)


async def preset_picker_with(name: str, data: bytes, size: tuple[int, int]) -> tuple[str, int]:
    """Plant a user preset file, open the preset picker, and return its error text and
    how many presets it lists; the file is removed afterwards."""
    from asr_tui.core import presets
    from asr_tui.core.samples import SAMPLE
    from asr_tui.tui.app import AsrTuiApp
    from asr_tui.tui.screens.presets import PresetScreen

    presets.user_dir().mkdir(parents=True, exist_ok=True)
    planted = presets.user_dir() / name
    planted.write_bytes(data)
    try:
        app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
        async with app.run_test(size=size) as pilot:
            await pilot.press("2", "p")
            await pilot.pause()
            assert isinstance(app.screen, PresetScreen)
            return str(app.screen.query_one("#preset-errors").render()), app.screen.query_one("#preset-list").option_count
    finally:
        planted.unlink()


def screen_text(app) -> str:
    """What the screen shows, as lines of text (from the app's SVG screenshot): the
    words as rendered, after any markup was read."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text[^>]* x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        lines.setdefault(float(y), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    return "\n".join("".join(text for _, text in sorted(spans)) for _, spans in sorted(lines.items()))
