"""The real TUI under Pilot, on the bundled tiny.en and real audio."""

from __future__ import annotations

import json
from pathlib import Path


from asr_tui.core import presets
from asr_tui.core.config import RunConfig
from asr_tui.core.presets import Preset
from asr_tui.core.samples import SAMPLE
from tests.tui_helpers import wait_until
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.screens.dialogs import ConfirmDialog, InputDialog
from asr_tui.tui.screens.presets import PresetScreen

SIZE = (100, 32)
TWO_CONFIGS = Preset(
    "two", [RunConfig(warmup=1, repeat=1, label="pytorch"), RunConfig(backend="jax", warmup=1, repeat=1, label="jax")]
)


async def test_pick_sample_run_two_configs_export(audio_dir, tmp_path):
    app = AsrTuiApp(TWO_CONFIGS, [], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")  # nothing selected yet: refused with a message, no run
        assert not app.running
        app.query_one("#audio-tree").focus()
        await wait_until(pilot, lambda: app.query_one("#audio-tree").cursor_node is not None and len(app.query_one("#audio-tree").root.children) > 0)
        await pilot.press("down", "a")  # the first (only) file under the root
        assert [s.path.name for s in app.sources] == ["gettysburg.flac"]
        assert app.sources[0].reference is not None and app.sources[0].seconds > 20
        await pilot.press("r")
        assert app.query_one("#tabs").active == "run"
        await wait_until(pilot, lambda: not app.running)
        assert [r.config_name for r in app.results] == ["pytorch", "jax"]
        table = app.query_one("#timings")
        assert table.row_count == 2
        for row in range(2):
            cells = table.get_row_at(row)
            assert float(cells[5]) > 1  # RTFx
            assert 0 <= float(cells[6]) < 0.1  # WER against the sibling reference
        await pilot.press("4")
        assert app.query_one("#results-table").row_count == 2
        out = tmp_path / "export.json"
        await pilot.press("e")
        assert isinstance(app.screen, InputDialog)
        app.screen.query_one("#dialog-input").value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        doc = json.loads(out.read_text())
        assert doc["schema"] == 1 and [r["backend"] for r in doc["runs"]] == ["pytorch", "jax"]
        assert all(r["rtfx"] > 1 and r["wer"] < 0.1 and r["segments"] for r in doc["runs"])
        # compare the two runs
        await pilot.press("space", "down", "space", "c")
        assert type(app.screen).__name__ == "CompareScreen"
        assert app.screen.query_one("#ratios").row_count >= 5


async def test_cancel_midway_then_run_again(audio_dir, long_clip):
    app = AsrTuiApp(Preset("one", [RunConfig(warmup=0, repeat=1)]), [long_clip[0]], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        run_pane = app.query_one("#run-pane")
        await wait_until(pilot, lambda: any(r.bar.progress > 0 for r in run_pane._rows.values()))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.running)
        assert not app.results
        assert "Cancelled" in str(app.query_one("#phase").render())
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.running)
        assert len(app.results) == 1 and app.results[0].model_reused


async def test_malformed_preset_is_reported_and_the_rest_load(audio_dir):
    presets.user_dir().mkdir(parents=True, exist_ok=True)
    bad = presets.user_dir() / "broken.toml"
    bad.write_text("[[configs]]\nbackend = 'pytorch'\nbatch_size = 'huge'\n")
    try:
        app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2", "p")
            await pilot.pause()
            assert isinstance(app.screen, PresetScreen)
            errors = str(app.screen.query_one("#preset-errors").render())
            assert "broken.toml" in errors and "batch_size" in errors
            assert app.screen.query_one("#preset-list").option_count >= 4
    finally:
        bad.unlink()


async def test_save_overwrite_reload_delete_preset(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "ctrl+s")
        assert isinstance(app.screen, InputDialog)
        app.screen.query_one("#dialog-input").value = "My tiny run"
        await pilot.press("enter")
        await pilot.pause()
        path = presets.user_dir() / "my-tiny-run.toml"
        assert path.is_file() and len(presets.load(path).configs) == 2
        # change the first config's beam size in the form, save again over it
        beam = app.query_one("#field-beam_size")
        beam.value = "3"
        await pilot.pause()
        assert app.configs[0].beam_size == 3
        await pilot.press("ctrl+s")
        app.screen.query_one("#dialog-input").value = "My tiny run"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert presets.load(path).configs[0].beam_size == 3
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
        assert "float16 only on cuda" in str(app.query_one("#config-error").render())
        assert app.configs[0].dtype == "float32"  # the invalid edit is not applied
        # the JAX config shows batch size and strategy, the PyTorch one beam size
        assert not app.query_one("#row-batch_size").display and app.query_one("#row-beam_size").display
