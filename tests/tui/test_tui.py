"""The real TUI under Pilot, on the bundled tiny.en and real audio."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import platform
import re
import shutil
import time
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from asr_tui.core import history, microphone, presets
from asr_tui.core.config import RunConfig, RunOptions
from asr_tui.core.presets import Preset
from asr_tui.core.samples import SAMPLE
from tests.tui_helpers import cell, column, fixed_result, preset_picker_with, screen_text, started, wait_until
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.screens.compare import CompareScreen, against_each_other, against_reference, how_much
from asr_tui.tui.screens.dialogs import ConfirmDialog, InputDialog
from asr_tui.tui.screens.presets import SavePresetDialog

SIZE = (100, 32)
SMALL = (80, 24)
TWO_CONFIGS = Preset(
    "two", [RunConfig(warmup=1, repeat=1, label="pytorch"), RunConfig(backend="jax", warmup=1, repeat=1, label="jax")]
)
ONE_QUICK = Preset("one", [RunConfig(warmup=0, repeat=1, label="pytorch")])


@pytest.fixture
def own_data_dir(tmp_path, monkeypatch):
    """An empty data dir (history, recordings) for this test alone."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def in_view(container, widget) -> bool:
    top = container.scroll_y
    return top <= widget.virtual_region.y and widget.virtual_region.bottom <= top + container.scrollable_content_region.height


async def test_pick_sample_run_two_configs_export(audio_dir, tmp_path):
    app = AsrTuiApp(TWO_CONFIGS, [], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")  # nothing selected yet: refused with a message, no run
        assert not app.running
        tree = app.query_one("#audio-tree")
        await wait_until(pilot, lambda: app.focused is tree and tree.cursor_node is not None and len(tree.root.children) > 0)
        await pilot.press("down", "a")  # the first (only) file under the root
        assert [s.path.name for s in app.sources] == ["gettysburg.flac"]
        assert app.sources[0].reference is not None and app.sources[0].seconds > 20
        await pilot.press("r")
        assert app.query_one("#tabs").active == "run"
        await wait_until(pilot, lambda: not app.running)
        assert [r.config_name for r in app.results] == ["pytorch", "jax"]
        table = app.query_one("#timings")
        assert table.row_count == 2
        assert all(float(x) > 0 for x in column(table, "RTFx"))  # a number in its own column (speed: the benchmarks)
        assert all(0 <= float(x) < 0.1 for x in column(table, "WER"))  # against the sibling reference
        assert column(table, "status") == ["ok", "ok"]
        assert "Run 1: 2 measurements in" in str(app.query_one("#overall-text").render())
        await pilot.press("4")
        results = app.query_one("#results-table")
        assert results.row_count == 2
        assert column(results, "#") == ["1", "2"]
        assert all(re.fullmatch(r"\d\d:\d\d:\d\d", t) for t in column(results, "time"))
        assert cell(results, 0, "compile s") == "-" and float(cell(results, 1, "compile s")) >= 0  # JAX compiles
        assert float(cell(results, 0, "peak RSS MB")) > 100 and cell(results, 0, "GPU MB") == "-"
        out = tmp_path / "export.json"
        await pilot.press("e")
        assert isinstance(app.screen, InputDialog)
        app.screen.query_one("#dialog-input").value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        doc = json.loads(out.read_text())
        assert doc["schema"] == 1 and [r["backend"] for r in doc["runs"]] == ["pytorch", "jax"]
        assert all(r["rtfx"] > 0 and r["wer"] < 0.1 and r["segments"] for r in doc["runs"])
        # compare the two runs: direction in words, transcripts as produced
        await pilot.press("space", "down", "space", "c")
        assert isinstance(app.screen, CompareScreen)
        ratios = app.screen.query_one("#ratios")
        assert ratios.row_count >= 5
        assert re.fullmatch(r"B is \d+\.\d\dx (faster|slower) than A|about the same", cell(ratios, 0, "B against A"))
        await wait_until(pilot, lambda: "reference" in str(app.screen.query_one("#diff-legend").render()))
        shown = str(app.screen.query_one("#transcript-a").render())
        assert "score and seven" in shown.lower() and "4 score" not in shown
        await pilot.press("escape")
        # the session's results are in the history, with this machine's name
        await pilot.press("5")
        history_table = app.query_one("#history-table")
        await wait_until(pilot, lambda: history_table.row_count >= 2)
        assert platform.node() in column(history_table, "host")


def footer_keys(app) -> str:
    return " ".join(str(key.render()) for key in app.screen.query("FooterKey"))


async def test_cancel_midway_then_run_again(audio_dir, long_clip):
    app = AsrTuiApp(ONE_QUICK, [long_clip[0]], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        run_pane = app.query_one("#run-pane")
        await wait_until(pilot, lambda: any(r.bar.progress > 0 for r in run_pane._rows.values()))
        assert "Cancel run" in footer_keys(app)  # said while it can be
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.running)
        await pilot.pause()
        assert "Cancel run" not in footer_keys(app)
        assert not app.results
        assert "Cancelled" in str(app.query_one("#phase").render())
        # the run says it was cancelled and how much was measured, not "1 measurement in 8 s" at 100 %
        assert "Run 1: cancelled after " in str(app.query_one("#overall-text").render())
        assert ", 0 of 1 measurements done" in str(app.query_one("#overall-text").render())
        bar = app.query_one("#overall-bar")
        assert bar.progress < bar.total
        # run the short sample twice: the model stays resident, each run has its own timing table
        sources = app.query_one("#sources-pane")
        sources.sources.clear()
        sources.add(SAMPLE)
        for _ in range(2):
            await pilot.press("r")
            await wait_until(pilot, lambda: not app.running)
        assert app.query_one("#timings").row_count == 1
        assert "Run 3: 1 measurement in" in str(app.query_one("#overall-text").render())
        assert len(app.results) == 2 and all(r.model_reused for r in app.results)
        assert column(app.query_one("#results-table"), "load s") == ["reused", "reused"]


async def test_a_cancel_while_the_model_loads_keeps_saying_so(audio_dir):
    app = AsrTuiApp(ONE_QUICK, [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r", "escape")
        phases = []

        def stopped() -> bool:
            phases.append(str(app.query_one("#phase").render()))
            return not app.running

        await wait_until(pilot, stopped, step=0.05)
        assert all(p.startswith("Cancelling") for p in phases[:-1]), phases  # not "model loaded in 1.2 s"
        assert phases[-1].startswith("Cancelled") and not app.results


async def test_an_unreadable_source_is_left_out_of_a_run_and_said_so(audio_dir, tmp_path):
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"\x00" * 1000)
    app = AsrTuiApp(Preset("one", [RunConfig(warmup=0, repeat=1, label="cpu")]), [SAMPLE, garbage], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sources[1].error
        await pilot.press("r")
        await pilot.pause()
        assert any("left out, unreadable: garbage.wav" in str(n.message) for n in app._notifications)
        await wait_until(pilot, lambda: not app.running)
        assert [Path(r.audio).name for r in app.results] == [SAMPLE.name]


async def test_names_with_brackets_show_as_written_everywhere(audio_dir):
    """File names, labels, model names and messages are text, not markup: Textual and
    Rich read '[best]' as a style (and drop it) and '[/x]' as a closing tag (and fail)."""
    take = audio_dir / "take[best].flac"
    shutil.copy(SAMPLE, take)
    shutil.copy(SAMPLE.with_suffix(".txt"), audio_dir / "take[best].txt")
    configs = [RunConfig(model="no-such[/model]", label="missing [draft]"), RunConfig(warmup=0, repeat=1, label="cpu [/x]")]
    app = AsrTuiApp(Preset("brackets", configs), [take], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "take[best].flac" in screen_text(app)  # the Sources table
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.running)
        assert [r.config_name for r in app.results] == ["cpu [/x]"] and app.results[0].wer is not None
        timings = app.query_one("#timings")
        timings.move_cursor(row=0)
        await pilot.pause()
        run_tab = screen_text(app)
        assert "missing [draft] · all files failed:" in run_tab and "no-such[/model]" in run_tab
        assert "cpu [/x] · take[best].flac" in run_tab  # its progress bar's title
        await pilot.press("4")
        await pilot.pause()
        results_tab = screen_text(app)
        assert "cpu [/x]" in results_tab and "take[best].flac" in results_tab
        app.query_one("#results-table").move_cursor(row=1)
        await pilot.pause()
        assert "missing [draft] failed: model path no-such[/model] does not exist" in screen_text(app)
        app.query_one("#sources-pane").add(take)  # said by name: text, not markup
        await pilot.pause()
        assert [n.markup for n in app._notifications if n.message == "take[best].flac is already a source"] == [False]


async def test_interleaved_passes_say_whose_they_are_in_the_segment_log(audio_dir):
    configs = [RunConfig(warmup=1, repeat=1, label="pt"), RunConfig(backend="ctranslate2", warmup=1, repeat=1, label="fw")]
    app = AsrTuiApp(Preset("turns", configs, options=RunOptions(interleave=True)), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        states = set()

        def watch() -> bool:
            states.update((str(r.title.render()), str(r.state.render())) for r in app.query_one("#run-pane")._rows.values())
            return not app.running

        await wait_until(pilot, watch)
        # a bar whose pass is over while the other configuration takes its turn says so
        assert ("pt · gettysburg.flac", "1/2 done, waiting") in states, states
        lines = ["".join(segment.text for segment in line) for line in app.query_one("#segments").lines]
        passes = [line.strip() for line in lines if "pass " in line]
        # A B B A: a pass that follows one of the same configuration needs no name
        assert passes == ["pt · gettysburg.flac · pass 1/2 (first)", "fw · gettysburg.flac · pass 1/2 (first)",
                          "pass 2/2 (warm)", "pt · gettysburg.flac · pass 2/2 (warm)"], lines


async def test_failed_configuration_has_a_status_details_a_results_row_and_is_exported(audio_dir, tmp_path):
    configs = [RunConfig(model="no-such-model", label="missing"), RunConfig(warmup=0, repeat=1, label="cpu")]
    app = AsrTuiApp(Preset("failing", configs), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.running)
        timings = app.query_one("#timings")
        assert column(timings, "config") == ["missing", "cpu"]
        assert cell(timings, 0, "status").startswith("failed: unknown model") and cell(timings, 0, "RTFx") == "-"
        assert float(cell(timings, 1, "RTFx")) > 0 and cell(timings, 1, "status") == "ok"  # the columns stay in place
        timings.move_cursor(row=0)
        await pilot.pause()
        details = app.query_one("#run-details-box")
        assert details.display and "a .pt checkpoint or a CTranslate2 directory" in str(app.query_one("#run-details").render())
        timings.move_cursor(row=1)
        await pilot.pause()
        assert not details.display
        assert "1 failed" in str(app.query_one("#overall-text").render())
        await pilot.press("4")
        results = app.query_one("#results-table")
        assert column(results, "config") == ["cpu", "missing"]  # failures after the results
        assert cell(results, 1, "status").startswith("failed: unknown model")
        results.move_cursor(row=1)
        await pilot.pause()
        assert "CTranslate2 directory" in str(app.query_one("#results-status").render())
        app.export_table(tmp_path / "session.json")  # as the CLI's --json: the failure with the results
        await pilot.pause()
        doc = json.loads((tmp_path / "session.json").read_text())
        assert [r["config_name"] for r in doc["runs"]] == ["cpu"]
        assert [s["run"] for s in doc["skipped"]] == ["missing"] and doc["skipped"][0]["reason"].startswith("unknown model")


async def test_quit_mid_run_asks_then_cancels_and_exits_promptly(audio_dir, long_clip):
    # passes enough that the run is still going when the dialog is answered, on a fast machine too
    many_passes = Preset("many", [RunConfig(warmup=0, repeat=20, label="pytorch")])
    app = AsrTuiApp(many_passes, [long_clip[0]], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        run_pane = app.query_one("#run-pane")
        await wait_until(pilot, lambda: any(r.bar.progress > 0 for r in run_pane._rows.values()))
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep running
        await pilot.pause()
        assert app.running and app.return_code is None
        await pilot.press("q")
        await pilot.press("y")
        asked = time.monotonic()
        while app.return_code is None and time.monotonic() - asked < 60:
            await asyncio.sleep(0.05)
        assert app.return_code == 0
        assert not app.running  # the worker reported the cancel before the app exited
    # the runner's close() found the worker idle: no wait for a chunk after the screen went
    assert not app.runner._thread.is_alive()
    assert time.monotonic() - asked < 30
    assert not app.results


async def test_keys_work_at_once_and_footers_fit_80_columns(audio_dir, own_data_dir):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)

        def footer_keys() -> list[str]:
            keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
            palette = app.screen.query_one(".-command-palette")
            for key in keys:  # every key shown whole, left of the palette key
                assert key.region.width > 0 and key.region.right <= palette.region.x, key.key
            return [k.key for k in keys]

        own_keys = {"1": {"a", "o", "M"}, "2": {"n", "x", "p"}, "3": set(), "4": {"space", "c", "s", "e"}, "5": {"space", "c", "e", "slash"}}
        for tab, keys in own_keys.items():
            await pilot.press(tab)
            await pilot.pause()
            shown = footer_keys()
            assert keys <= set(shown) and {"r", "question_mark", "q"} <= set(shown), (tab, shown)
        await pilot.press("1", "M")  # to the Microphone tab by a key
        await wait_until(pilot, lambda: app.focused is app.query_one("#recordings"))
        assert app.query_one("#source-tabs").active == "mic-tab"
        assert {"m", "b", "a", "x"} <= set(footer_keys())
        await pilot.press("f", "x")  # the Files tab's keys do nothing here
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and len(app.sources) == 1
        await pilot.press("M")  # and back
        await wait_until(pilot, lambda: app.focused is app.query_one("#audio-tree"))
        assert app.query_one("#source-tabs").active == "files-tab"
        # the palette offers the less-used actions
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Export results", "Compare marked runs", "Add a file or folder", "History", "Microphone"} <= titles


async def test_a_on_a_folder_adds_every_audio_file_under_it(tmp_path):
    folder = tmp_path / "set"
    (folder / "more").mkdir(parents=True)
    for path in (folder / "one.flac", folder / "more" / "two.flac"):
        shutil.copy(SAMPLE, path)
    (folder / "broken.wav").write_bytes(b"RIFF" + b"\x00" * 100)
    (folder / "notes.txt").write_text("not audio")
    app = AsrTuiApp(presets.find("quick"), [], root=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        tree = app.query_one("#audio-tree")
        await wait_until(pilot, lambda: app.focused is tree and len(tree.root.children) == 1)
        tree.move_cursor(tree.root.children[0])
        await pilot.press("a")
        await pilot.pause()
        assert sorted(s.path.name for s in app.sources) == ["broken.wav", "one.flac", "two.flac"]
        assert [s.path.name for s in app.sources if s.error] == ["broken.wav"]
        assert "added 3 files from set; 1 unreadable (the status column says why)" in [n.message for n in app._notifications]
        assert column(app.query_one("#selected"), "status")[0].startswith("unreadable")  # broken.wav sorts first
        await pilot.press("a")  # again: nothing twice
        await pilot.pause()
        assert len(app.sources) == 3 and "added 0 files from set; 3 already sources" in [n.message for n in app._notifications]


async def test_sources_path_input_refresh_up_and_remove(audio_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    music = tmp_path / "music"
    music.mkdir()
    shutil.copy(SAMPLE, music / "a.flac")
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        tree = app.query_one("#audio-tree")
        await wait_until(pilot, lambda: app.focused is tree)
        await pilot.press("x")  # on the tree, x removes nothing and asks nothing
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and len(app.sources) == 1
        await pilot.press("o")
        path = app.query_one("#source-path")
        assert app.focused is path
        path.value = "~/mu"
        await wait_until(pilot, lambda: path._suggestion == "~/music/")
        await pilot.press("right", "enter")  # accept the completion, open it
        await wait_until(pilot, lambda: Path(tree.path) == music and len(tree.root.children) == 1)
        shutil.copy(SAMPLE, music / "b.flac")
        for never_audio in ("__pycache__", "asr_tui.egg-info", ".cache"):  # what an install leaves, and hidden
            (music / never_audio).mkdir()
        (music / "notes.txt").write_text("not audio")
        tree.focus()
        await pilot.press("R")
        await wait_until(pilot, lambda: len(tree.root.children) == 2)
        assert sorted(str(node.label) for node in tree.root.children) == ["a.flac", "b.flac"]
        await pilot.press("u")
        await wait_until(pilot, lambda: Path(tree.path) == tmp_path)
        assert path.value == "~"
        # typing a file adds it
        await pilot.press("o")
        path.value = "~/music/b.flac"
        await pilot.press("enter")
        await pilot.pause()
        assert [s.path.name for s in app.sources] == ["gettysburg.flac", "b.flac"] and Path(tree.path) == music
        assert app.focused is tree  # done typing: keys are the tree's again
        # removing asks first; no keeps it
        selected = app.query_one("#selected")
        selected.focus()
        selected.move_cursor(row=1)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert len(app.sources) == 2
        await pilot.press("x", "enter")  # enter alone answers the focused No
        await pilot.pause()
        assert len(app.sources) == 2
        await pilot.press("x", "left", "enter")  # the arrows move between the buttons: to Yes
        await pilot.pause()
        assert [s.path.name for s in app.sources] == ["gettysburg.flac"]
        # a path that does not exist is said, nothing changes
        await pilot.press("o")
        path.value = "~/nowhere"
        await pilot.press("enter")
        await pilot.pause()
        assert Path(tree.path) == music and len(app.sources) == 1


async def test_recording_is_added_as_a_source(audio_dir, own_data_dir, speech_clip):
    microphone.recordings_dir().mkdir(parents=True)
    shutil.copy(speech_clip[0], microphone.recordings_dir() / "take-1.wav")
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.query_one("#source-tabs").active = "mic-tab"
        await wait_until(pilot, lambda: app.focused is app.query_one("#recordings"))
        await pilot.press("a")
        await pilot.pause()
        assert [s.path.name for s in app.sources] == ["gettysburg.flac", "take-1.wav"]
        assert app.sources[1].seconds > 5 and not app.sources[1].error
        # renamed, the selected source follows the file instead of pointing at a name that is gone
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, InputDialog))
        app.screen.query_one("#dialog-input").value = "quiet room"
        await pilot.press("enter")
        await wait_until(pilot, lambda: (microphone.recordings_dir() / "quiet room.wav").exists())
        await pilot.pause()
        assert [s.path.name for s in app.sources] == ["gettysburg.flac", "quiet room.wav"] and not app.sources[1].error


async def test_run_view_keeps_the_active_bar_in_view_at_80x24(audio_dir, tmp_path, speech_clip):
    clips = []
    for i in range(9):  # more pairs than the old view showed
        clips.append(tmp_path / f"clip{i}.wav")
        shutil.copy(speech_clip[0], clips[-1])
    app = AsrTuiApp(ONE_QUICK, clips, root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("r")
        pane = app.query_one("#run-pane")
        container = app.query_one("#progress-rows")
        seen_overall = set()
        active_before: set[int] = set()

        def check() -> bool:
            seen_overall.add(str(app.query_one("#overall-text").render()))
            active = {id(r): r for r in pane._rows.values() if r.started and not r.finished}
            for key in active.keys() & active_before:  # scrolled to after the refresh that shows it started
                assert in_view(container, active[key]), (active[key].title.render(), container.scroll_y)
            active_before.clear()
            active_before.update(active)
            return not app.running

        await wait_until(pilot, check)
        await pilot.pause()
        assert len(app.results) == 9
        assert any(re.search(r"about \d+ (s|min).* left · [1-8] of 9 done", text) for text in seen_overall), seen_overall
        assert "Run 1: 9 measurements in" in str(app.query_one("#overall-text").render())
        timings = app.query_one("#timings")
        assert timings.row_count == 9 and timings.cursor_row == 8
        assert timings.scroll_y > 0  # scrolled to the newest row
        assert app.query_one("#segments").size.height >= 4
        title = next(iter(pane._rows.values())).title
        assert title.size.width >= len("pytorch · clip0.wav")


async def test_a_smaller_window_keeps_the_running_bar_in_view(audio_dir, tmp_path, speech_clip, long_clip):
    clips = []
    for i in range(6):
        clips.append(tmp_path / f"clip{i}.wav")
        shutil.copy(speech_clip[0], clips[-1])
    three_passes = Preset("three", [RunConfig(warmup=0, repeat=3, label="pytorch")])  # the long clip's ~15 s
    app = AsrTuiApp(three_passes, [*clips, long_clip[0]], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        pane, container = app.query_one("#run-pane"), app.query_one("#progress-rows")
        rows = pane._rows
        await wait_until(pilot, lambda: len(app.results) == 6 and any(r.started for r in rows.values() if "long" in str(r.title.render())))
        assert container.scroll_y == 0  # all seven bars in view at this size
        await pilot.resize_terminal(60, 20)  # seconds of decoding left: no bar starts meanwhile
        await pilot.pause()
        await pilot.pause()
        row = next(r for r in rows.values() if "long" in str(r.title.render()))
        assert not row.finished and in_view(container, row), (container.scroll_y, row.virtual_region)
        app.action_cancel()
        await wait_until(pilot, lambda: not app.running)


async def test_results_sort_both_ways_and_the_chart_follows(audio_dir):
    from asr_tui.tui.widgets.results import FailedRun
    from datetime import datetime

    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.results.extend([
            fixed_result("slow", "pytorch", 1.0, 0.05),
            fixed_result("fast", "jax", 0.25, 0.04, model_reused=True),
            fixed_result("middle", "ctranslate2", 0.5, 0.06),
        ])
        app.failures.append(FailedRun("broken", None, "unknown model 'x'", datetime.now()))
        pane = app.query_one("#results-pane")
        pane.refresh_results()
        await pilot.press("4")
        table = app.query_one("#results-table")
        assert cell(table, 1, "load s") == "reused" and cell(table, 0, "load s") == "0.50"
        while pane.sort_column is None or pane.sort_column.header != "RTFx":
            await pilot.press("s")
        assert column(table, "config") == ["fast", "middle", "slow", "broken"]
        assert pane.chart_bars()[0] == ["#2", "#3", "#1"] == [f"#{n}" for n in column(table, "#")[:3]]
        await pilot.press("S")
        assert column(table, "config") == ["slow", "middle", "fast", "broken"]
        assert pane.chart_bars() == (["#1", "#3", "#2"], sorted(r.rtfx for r in app.results))
        assert "sorted by RTFx, worst first" in str(app.query_one("#results-status").render())
        while pane.sort_column is None or pane.sort_column.header != "time":
            await pilot.press("s")
        await pilot.press("S")  # a column's own words, both ways
        assert "sorted by time, newest first" in str(app.query_one("#results-status").render())


async def test_history_filter_mark_compare_export(audio_dir, own_data_dir, tmp_path, monkeypatch):
    lines = [
        fixed_result("PyTorch fp32", "pytorch", 0.75, 0.047),
        fixed_result("CT2 int8", "ctranslate2", 0.3, 0.05, finished_at="2025-03-02T09:00:00+00:00", lost_words=14,
                     lost_text="we are met on a great battlefield of that war we have come to dedicate"),
        fixed_result("JAX bf16", "jax", 0.1, 0.047, device="cuda", env={"hostname": "gpu-box", "gpu": "H100"}),
    ]
    path = history.history_file()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(lines[0].to_dict()) + "\nnot json\n" + "".join(json.dumps(r.to_dict()) + "\n" for r in lines[1:]))
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("5")
        table = app.query_one("#history-table")
        await wait_until(pilot, lambda: table.row_count == 3)
        assert column(table, "finished")[0].startswith("2025-03-02")  # newest first
        # a row that lost speech is marked, and the line under the table says what it lost
        assert column(table, "") == ["-", "", ""]
        await wait_until(pilot, lambda: "lost 14 reference words in a row, 'we are met on a great battlefield of ...'"
                         in str(app.query_one("#history-detail").render()), timeout=10)
        assert "1 unreadable line skipped" in str(app.query_one("#history-status").render())
        await pilot.press("slash")
        assert app.focused is app.query_one("#history-filter")
        app.focused.value = "gpu-box"
        await pilot.pause()
        assert column(table, "config") == ["JAX bf16"]
        await pilot.press("escape")  # back to the table, the filter kept
        assert app.focused is table and column(table, "config") == ["JAX bf16"]
        app.query_one("#history-filter").value = ""
        await pilot.press("space", "down", "space", "c")
        assert isinstance(app.screen, CompareScreen)
        assert {app.screen.first.config_name, app.screen.second.config_name} == {"CT2 int8", "PyTorch fp32"}
        await pilot.press("escape")
        app.query_one("#history-filter").value = "CT2"
        await pilot.pause()  # one marked row hidden: compare would still use it, and the status says so
        assert "marked 2/2 (1 hidden by the filter)" in str(app.query_one("#history-status").render())
        app.query_one("#history-filter").value = "bench-1"
        table.focus()
        out = tmp_path / "history.csv"
        monkeypatch.chdir(tmp_path)
        await pilot.press("e")
        assert isinstance(app.screen, InputDialog)
        app.screen.query_one("#dialog-input").value = out.name  # relative: the line says where it went
        await pilot.press("enter")
        await pilot.pause()
        assert sorted(line.split(",")[0] for line in out.read_text().splitlines()[1:]) == ["CT2 int8", "PyTorch fp32"]
        assert f"exported 2 runs to {out}" in [str(n.message) for n in app._notifications]


async def test_compare_scrolls_to_the_transcripts_at_80x24(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        busy = {"flagged": True, "reason": "other processes used 1.8 cores while this run asked for 2 threads"}
        a = fixed_result("PyTorch fp32", "pytorch", 0.75, 0.05, contention=busy, lost_words=12, lost_text="x " * 12)
        b = fixed_result("JAX fp32", "jax", 0.42, 0.04, text="Four score and seven years ago, our fathers brought forth")
        app.push_screen(CompareScreen(a, b))
        await wait_until(pilot, lambda: any("reference" in str(legend.render()) for legend in app.screen.query("#diff-legend")))
        await pilot.press("end")  # the ratios and the warnings leave the transcripts a line or two at this size
        await pilot.pause()
        shown = screen_text(app)
        assert "A: WER 0.050" in shown and "B: WER 0.040" in shown
        assert "continent" in shown and "brought forth" in shown  # each transcript whole


async def test_compare_wraps_its_verdicts_at_60x20(audio_dir):
    """A table cell does not wrap: at 60x20 "B is 11.54 ± 7.83x slower than A" was cut
    to "B is 11.54 ±". Each verdict now wraps in the room the other columns leave it,
    and again when the terminal is resized; with every row filled the dialog scrolls,
    not the table, whose own scroll bar took two more columns."""
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(60, 20)) as pilot:
        busy = {"flagged": True, "reason": "other processes used 1.0 cores while this run asked for 2 threads"}
        every = {"peak_gpu_mb": 512.0, "raw_wer": 0.11, "lost_words": 2, "added_words": 1, "repeated_words": 0}
        a = fixed_result("JAX fp32", "jax", 1.09, 0.05, warm_runs_s=[1.05, 1.09, 1.12], contention=busy, **every)
        b = fixed_result("PyTorch fp32", "pytorch", 12.58, 0.04, warm_runs_s=[11.9, 12.58, 13.4], contention=busy,
                         **every | {"peak_gpu_mb": 900.0, "raw_wer": 0.09, "lost_words": 12})
        app.push_screen(CompareScreen(a, b))
        await pilot.pause()
        ratios = app.screen.query_one("#ratios")
        verdict = cell(ratios, 0, "B against A")
        assert verdict.startswith("B is ") and verdict.endswith("slower than A")
        assert ratios.virtual_size.width <= ratios.scrollable_content_region.width  # nothing past the right edge
        assert ratios.rows[ratios.coordinate_to_cell_key((0, 0)).row_key].height > 1  # the verdict wrapped
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        ratios = app.screen.query_one("#ratios")
        assert ratios.virtual_size.width <= ratios.scrollable_content_region.width
        assert all(row.height == 1 for row in ratios.rows.values())  # room for every verdict on one line


def test_peak_rss_is_compared_only_between_processes():
    """A peak RSS is the process's so far: two runs of one process differ by run order."""
    from asr_tui.tui.screens.compare import SAME_PROCESS, memory_change, same_process

    one, other = {"process": "a1b2c3"}, {"process": "d4e5f6"}
    a, b = fixed_result("A", "jax", 1.0, 0.05, env=one), fixed_result("B", "pytorch", 1.0, 0.05, env=one)
    assert same_process(a, b) and memory_change(1000.0, 750.0, same_process(a, b)) == SAME_PROCESS
    c = fixed_result("C", "pytorch", 1.0, 0.05, env=other)
    assert not same_process(a, c) and memory_change(1000.0, 750.0, same_process(a, c)) == "B uses 25% less than A"
    assert not same_process(fixed_result("D", "jax", 1.0, 0.05, env={}), fixed_result("E", "jax", 1.0, 0.05, env={}))


def test_transcript_diffs_show_words_as_produced():
    reference = "Four score and seven years ago our fathers brought forth"
    hypothesis = "Four score and 7 years ago, uh, our father's brought forth"
    text = against_reference(reference, hypothesis, "en")
    red = [text.plain[s.start : s.end].strip() for s in text.spans if s.style == "bold red"]
    assert text.plain.startswith("Four score and 7 years ago,")  # as produced, not "4 score"
    assert red == ["father's"]  # "7" is "seven" and "uh" is dropped, as WER counts them
    assert "fathers" in [text.plain[s.start : s.end].strip() for s in text.spans if s.style == "strike dim"]
    aside = against_reference("the (second) cat sat", "the second cat sat", "en")  # a reference's aside is said
    assert not [s for s in aside.spans if s.style in ("bold red", "strike dim")]
    a, b = against_each_other("the cat sat on the mat", "the cat sat upon a mat", "en")
    assert [a.plain[s.start : s.end].strip() for s in a.spans if s.style == "bold red"] == ["on", "the"]
    assert [b.plain[s.start : s.end].strip() for s in b.spans if s.style == "bold red"] == ["upon", "a"]
    assert how_much(1.8, 1.0, True, "faster", "slower") == "B is 1.80x faster than A"
    assert how_much(10.0, 5.0, False, "faster", "slower") == "B is 2.00x slower than A"
    assert how_much(1.8, 1.0, True, "faster", "slower", spread=0.05) == "B is 1.80 ± 0.09x faster than A"
    # 1.13 ± 0.19 holds 1: the spread cannot say which is faster
    assert how_much(1.13, 1.0, True, "faster", "slower", spread=0.19 / 1.13) == "no clear difference: 1.13 ± 0.19x, within the spread"


async def test_malformed_preset_is_reported_and_the_rest_load(audio_dir):
    errors, listed = await preset_picker_with("broken.toml", b"[[configs]]\nbackend = 'pytorch'\nbatch_size = 'huge'\n", SIZE)
    assert "broken.toml" in errors and "batch_size" in errors
    assert listed >= 4


async def test_save_overwrite_reload_delete_preset(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "ctrl+s")
        assert isinstance(app.screen, SavePresetDialog)
        app.screen.query_one("#preset-name-input").value = "My tiny run"
        await pilot.press("enter", "enter")
        await pilot.pause()
        path = presets.user_dir() / "my-tiny-run.toml"
        assert path.is_file() and len(presets.load(path).configs) == 2
        # change the first config's beam size in the form, save again over it
        beam = app.query_one("#field-beam_size")
        beam.value = "3"
        await pilot.pause()
        assert app.configs[0].beam_size == 3
        await pilot.press("ctrl+s")
        app.screen.query_one("#preset-name-input").value = "My tiny run"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert presets.load(path).configs[0].beam_size == 3
        # a bundled preset's name: asked first, since the copy would hide the bundled one
        await pilot.press("ctrl+s")
        app.screen.query_one("#preset-name-input").value = "quick"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "bundled preset" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert not (presets.user_dir() / "quick.toml").exists() and presets.find("quick").bundled
        # no: back in the dialog as typed, for another name
        assert isinstance(app.screen, SavePresetDialog) and app.screen.query_one("#preset-name-input").value == "quick"
        await pilot.press("escape")
        await pilot.pause()
        # reload it from the preset list, then delete it
        app.configs[0] = app.configs[0].with_(beam_size=1)
        await pilot.press("p")
        await pilot.pause()
        names = [p.slug for p in app.screen.found]
        app.screen.query_one("#preset-list").highlighted = names.index("my-tiny-run")
        await pilot.press("enter")
        await pilot.pause()
        assert app.configs[0].beam_size == 3 and app.preset.path == path
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#preset-list").highlighted = [p.slug for p in app.screen.found].index("my-tiny-run")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not path.exists()


async def test_invalid_combination_is_explained_inline(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        app.query_one("#field-dtype").value = "float16"
        await pilot.pause()
        assert "float16 only on cuda" in str(app.query_one("#error-dtype").render())
        assert app.configs[0].dtype == "float32"  # the invalid edit is not applied
        # the JAX config shows its compilation cache, the PyTorch one beam size
        assert not app.query_one("#row-compilation_cache").display and app.query_one("#row-beam_size").display


def test_a_rerun_compared_with_itself_is_told_apart_by_when_it_finished():
    from asr_tui.tui.screens.compare import titles

    a = fixed_result("PyTorch fp32", "pytorch", 0.75, 0.05, finished_at="2026-12-06T09:00:00+00:00")
    b = fixed_result("PyTorch fp32", "pytorch", 0.5, 0.05, finished_at="2026-12-06T10:30:00+00:00")
    first, second = titles(a, b)
    assert first != second and first.startswith("PyTorch fp32 · ") and "finished 2026-12-06" in second
    other = fixed_result("JAX fp32", "jax", 0.5, 0.05)
    assert titles(a, other) == [f"PyTorch fp32 · {Path(a.audio).name}", f"JAX fp32 · {Path(other.audio).name}"]
    # copies of one clip in two folders: their folders tell them apart, not the clock
    here, there = dataclasses.replace(a, audio="/clips/talk.flac"), dataclasses.replace(b, audio="/elsewhere/talk.flac")
    assert titles(here, there) == ["PyTorch fp32 · clips/talk.flac", "PyTorch fp32 · elsewhere/talk.flac"]
