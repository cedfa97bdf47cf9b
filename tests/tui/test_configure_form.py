"""The Configure form under Pilot at 80x24: each field checked where it is edited,
invalid configurations marked and refused, devices checked at once, labels that
follow the settings, and presets saved and picked by the name --preset takes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from asr_tui.core import environment, presets
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.screens.presets import PresetScreen, SavePresetDialog
from tests.tui_helpers import column, screen_text, wait_until

SMALL = (80, 24)


def quick_app() -> AsrTuiApp:
    return AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))


async def open_configure(pilot, row: int = 0) -> None:
    await pilot.press("2")
    await pilot.pause()
    for _ in range(row):
        await pilot.press("down")
    await pilot.pause()
    assert pilot.app.query_one("#configure-pane").current == row


async def type_into(pilot, field: str, text: str) -> None:
    """Replace a field's text with keystrokes, as a person does."""
    widget = pilot.app.query_one(f"#field-{field}")
    widget.focus()
    await pilot.press("end", *["backspace"] * len(widget.value), *text)
    await pilot.pause()


async def choose(pilot, field: str, value: str) -> None:
    pilot.app.query_one(f"#field-{field}").value = value
    await pilot.pause()


def seen(app, widget) -> bool:
    """Wholly on screen, inside the form's scrolled view."""
    region = widget.region
    return widget.display and region.height > 0 and app.query_one("#config-form").region.contains_region(region)


def names(app) -> list[str]:
    return column(app.query_one("#config-list"), "configuration")


def shows(cell: str, name: str) -> bool:
    """Whether a list cell shows `name`: whole, or too wide for the list, with its
    middle given way to an ellipsis (its start and its end, where names differ)."""
    head, ellipsis, tail = cell.partition("…")
    return cell == name or (bool(ellipsis) and name.startswith(head) and name.endswith(tail) and len(cell) < len(name))


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_an_invalid_edit_stays_in_the_form_is_marked_and_refused(audio_dir):
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot, row=1)  # JAX fp32, sequential
        await type_into(pilot, "batch_size", "8")
        error = app.query_one("#error-batch_size")
        assert app.query_one("#field-batch_size").value == "8"  # what was typed stays
        assert "use strategy batched" in str(error.render()) and seen(app, error)
        assert not any(e.display for e in app.query(".knob-error") if e is not error)
        assert app.configs[1].batch_size == 1  # the app keeps the last valid copy...
        assert names(app)[1].startswith("✗ ") and app.query_one("#config-list").get_row_at(1)[1].style == "bold red"
        # ...and will not run it
        app.query_one("#sources-pane").focus()
        await pilot.press("r")
        await pilot.pause()
        assert not app.running and app.query_one("#tabs").active == "configure"
        assert "configuration 2 'jax tiny.en cpu float32' is invalid: sequential decoding" in notices(app)[-1]
        # leaving the configuration and coming back shows the draft, not the valid copy
        await pilot.press("up")
        await pilot.pause()
        assert app.query_one("#field-batch_size").value == "1" and not error.display
        await pilot.press("down")
        await pilot.pause()
        assert app.query_one("#field-batch_size").value == "8" and error.display
        # the fix applies the configuration and clears the mark
        await choose(pilot, "strategy", "batched")
        assert not error.display and app.configs[1].batch_size == 8 and app.configs[1].strategy == "batched"
        assert shows(names(app)[1], "jax tiny.en cpu float32 batched b8") and "…" in names(app)[1]  # 80 columns
        # a wider window gives the whole name back, once the list has its new width
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert names(app)[1] == "jax tiny.en cpu float32 batched b8"


async def test_a_field_that_does_not_parse_is_refused_under_that_field(audio_dir):
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        await type_into(pilot, "temperatures", "0,0.5,x")
        error = app.query_one("#error-temperatures")
        assert "comma-separated list of numbers" in str(error.render()) and seen(app, error)
        assert app.configs[0].temperatures == (0.0, 0.5)  # the last valid text, "0,0.5,"
        # an edit elsewhere keeps the problem where it is
        await type_into(pilot, "best_of", "2")
        assert error.display and not app.query_one("#error-best_of").display


async def test_a_rule_left_broken_is_said_under_the_field_that_broke_it(audio_dir):
    """Batch size 8 on sequential, then float16 on the CPU, then batch size 1 again:
    what is still wrong is the dtype, whichever field was edited last."""
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)  # PyTorch fp32, sequential, on the CPU
        await type_into(pilot, "batch_size", "8")
        assert app.query_one("#error-batch_size").display
        await choose(pilot, "dtype", "float16")
        assert app.query_one("#error-batch_size").display  # still the batch size's rule
        await type_into(pilot, "batch_size", "1")
        error = app.query_one("#error-dtype")
        assert error.display and "float16 only on cuda" in str(error.render())
        assert not app.query_one("#error-batch_size").display


async def test_escape_leaves_the_form_and_removing_a_configuration_asks(audio_dir):
    from asr_tui.tui.screens.dialogs import ConfirmDialog

    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        app.query_one("#field-beam_size").focus()
        await pilot.press("escape")
        assert app.focused is app.query_one("#config-list")
        before = names(app)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert names(app) == before
        await pilot.press("x", "y")
        await pilot.pause()
        assert names(app) == before[1:]


async def test_switching_backend_resets_what_the_new_one_does_not_read(audio_dir):
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot, row=1)
        await choose(pilot, "compilation_cache", "on")
        assert app.configs[1].compilation_cache
        await choose(pilot, "backend", "pytorch")  # compiles nothing, so reads no compilation cache
        assert not app.query_one("#row-compilation_cache").display
        config = app.configs[1]
        assert (config.backend, config.compilation_cache) == ("pytorch", False)
        assert not any(e.display for e in app.query(".knob-error"))


@pytest.mark.skipif(importlib.util.find_spec("whisper_jax") is None,
                    reason="whisper-jax is absent (bash scripts/install.sh --test installs it from ../shared/third_party)")
async def test_whisper_jax_chosen_gets_its_only_strategy_and_greedy_decoding(audio_dir):
    """whisper-jax decodes batched, greedily, without temperature fallback."""
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot, row=1)
        await choose(pilot, "backend", "whisper-jax")
        config = app.configs[1]
        assert (config.backend, config.strategy, tuple(config.temperatures)) == ("whisper-jax", "batched", (0.0,))
        assert not any(e.display for e in app.query(".knob-error"))


async def test_cuda_without_a_gpu_is_said_at_once(audio_dir, monkeypatch):
    monkeypatch.setattr(environment, "gpu_visible", lambda: False)
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        await choose(pilot, "device", "cuda")
        error = app.query_one("#error-device")
        assert "no GPU is visible" in str(error.render()) and seen(app, error)
        assert app.configs[0].device == "cpu" and names(app)[0].startswith("✗ ")


async def test_cuda_with_a_gpu_visible_is_accepted(audio_dir, monkeypatch):
    monkeypatch.setattr(environment, "gpu_visible", lambda: True)  # no GPU here: the probe says there is
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        await choose(pilot, "device", "cuda")
        assert app.configs[0].device == "cuda" and not app.query_one("#error-device").display


async def test_a_presets_gpu_configurations_are_marked_when_it_loads(audio_dir, monkeypatch):
    monkeypatch.setattr(environment, "gpu_visible", lambda: False)
    app = AsrTuiApp(presets.find("study-gpu-large-v2"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        assert all(name.startswith("✗ ") for name in names(app))
        assert "no GPU is visible" in str(app.query_one("#error-device").render())


async def test_labels_follow_the_settings_unless_typed(audio_dir, monkeypatch):
    monkeypatch.setattr(environment, "gpu_visible", lambda: True)
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot, row=1)
        assert names(app)[1] == "JAX fp32"
        await type_into(pilot, "no_speech_threshold", "0.5")  # not a setting the name is about
        assert names(app)[1] == "JAX fp32"
        await choose(pilot, "dtype", "bfloat16")
        await choose(pilot, "device", "cuda")
        label = app.query_one("#field-label")
        assert shows(names(app)[1], app.configs[1].display_name) and app.configs[1].display_name == "jax tiny.en cuda bfloat16"
        assert label.value == "" and label.placeholder == "jax tiny.en cuda bfloat16"
        # a label typed here sticks across edits
        await type_into(pilot, "label", "my jax")
        await choose(pilot, "dtype", "float16")
        assert names(app)[1] == app.configs[1].label == "my jax" and app.configs[1].dtype == "float16"
        # cleared, the generated name is back
        await type_into(pilot, "label", "")
        assert shows(names(app)[1], "jax tiny.en cuda float16")
        # and it is what a saved preset keeps
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#preset-name-input").value = "edited"
        await pilot.press("enter", "enter")
        await pilot.pause()
        saved = presets.load(presets.user_dir() / "edited.toml")
        assert [c.display_name for c in saved.configs] == ["PyTorch fp32", "jax tiny.en cuda float16"]
        (presets.user_dir() / "edited.toml").unlink()


async def test_save_asks_for_a_name_and_a_description(audio_dir):
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SavePresetDialog)
        name, description = dialog.query_one("#preset-name-input"), dialog.query_one("#preset-description-input")
        assert name.value == "quick copy"
        assert description.value == ""  # not the bundled preset's description
        await type_into_dialog(pilot, name, "My CPU look")
        assert "--preset my-cpu-look" in str(dialog.query_one("#preset-file").render())
        await pilot.press("enter")  # on to the description
        assert app.focused is description
        await pilot.press(*"tiny.en, two engines")
        await pilot.press("enter")
        await pilot.pause()
        path = presets.user_dir() / "my-cpu-look.toml"
        saved = presets.load(path)
        assert (saved.name, saved.description) == ("My CPU look", "tiny.en, two engines")
        # saving again offers the user preset's own name and description
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#preset-name-input").value == "My CPU look"
        assert app.screen.query_one("#preset-description-input").value == "tiny.en, two engines"
        await pilot.press("escape")
        path.unlink()


async def test_a_user_preset_saved_under_its_own_name_goes_back_to_its_file(audio_dir, tmp_path):
    """'withsrc.toml' named "With sources": saved as it was offered, it went to a new
    with-sources.toml (two presets of one name in the picker) without its sources."""
    presets.user_dir().mkdir(parents=True, exist_ok=True)
    own = presets.user_dir() / "withsrc.toml"
    own.write_text(f'name = "With sources"\nsources = ["{SAMPLE}"]\n[[configs]]\nbackend = "pytorch"\n')
    try:
        app = AsrTuiApp(presets.load(own), [SAMPLE], root=Path("."))
        async with app.run_test(size=SMALL) as pilot:
            await open_configure(pilot)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "--preset withsrc" in str(app.screen.query_one("#preset-file").render())
            await pilot.press("enter", "enter")
            await pilot.pause()
            assert "Preset 'withsrc' exists: saving replaces it. Save?" in screen_text(app)
            await pilot.press("y")
            await pilot.pause()
            assert sorted(p.name for p in presets.user_dir().glob("*.toml")) == ["withsrc.toml"]
            assert presets.load(own).sources == [str(SAMPLE)]
    finally:
        own.unlink(missing_ok=True)


async def type_into_dialog(pilot, widget, text: str) -> None:
    widget.focus()
    await pilot.press("end", *["backspace"] * len(widget.value), *text)
    await pilot.pause()


async def test_a_name_without_letters_is_not_saved(audio_dir):
    app = quick_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        await type_into_dialog(pilot, dialog.query_one("#preset-name-input"), "!!")
        assert "at least one letter or digit" in str(dialog.query_one("#preset-file").render())
        dialog.query_one("#ok").press()
        await pilot.pause()
        assert app.screen is dialog


async def test_picker_lists_the_preset_name_and_description(audio_dir):
    presets.user_dir().mkdir(parents=True, exist_ok=True)
    unreadable = presets.user_dir() / "unreadable.toml"
    unreadable.write_bytes(b"name = \xff\n")
    try:
        app = quick_app()
        async with app.run_test(size=SMALL) as pilot:
            await open_configure(pilot)
            await pilot.press("p")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PresetScreen)
            options = screen.query_one("#preset-list")
            shown = {options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt) for i in range(options.option_count)}
            study = presets.find("study-cpu-base")
            assert shown["study-cpu-base"].startswith("study-cpu-base  ") and study.description in shown["study-cpu-base"]
            assert "unreadable.toml" not in shown and "unreadable" in str(screen.query_one("#preset-errors").render())
            errors = screen.query_one("#preset-errors")  # on screen at 80x24, however long the list
            assert errors.region.height > 0 and app.screen.region.contains_region(errors.region)
            # enter loads the highlighted preset by that name
            options.highlighted = list(shown).index("study-cpu-base")
            await pilot.press("enter")
            await pilot.pause()
            assert app.preset.slug == "study-cpu-base" and names(app)[0] == "PyTorch fp32"
    finally:
        unreadable.unlink()


@pytest.mark.parametrize(
    ("nodes", "cuda_visible_devices", "expected"),
    [
        ((), None, False),
        (("nvidia0", "nvidiactl"), None, True),
        (("nvidiactl",), None, False),  # the control node alone is no GPU
        (("kfd",), None, True),  # ROCm
        (("nvidia0",), "", False),  # hidden from CUDA
        (("nvidia0",), "-1", False),
        (("nvidia0",), "1", True),
    ],
)
def test_the_gpu_probe_reads_device_nodes(tmp_path, monkeypatch, nodes, cuda_visible_devices, expected):
    for node in nodes:
        (tmp_path / node).touch()
    if cuda_visible_devices is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", cuda_visible_devices)
    assert environment.gpu_visible(tmp_path) is expected


async def test_the_interleave_switch_reaches_the_run_and_the_saved_preset(audio_dir):
    app = AsrTuiApp(presets.find("three-backends-cpu"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SMALL) as pilot:
        await open_configure(pilot)
        switch = app.query_one("#run-interleave")
        assert switch.value == "off" and seen_whole(app, switch)
        switch.value = "on"
        await pilot.pause()
        asked = []
        submit_all = app.runner.submit_all

        def spy(configs, sources, references=None, interleave=False):
            asked.append((len(configs), interleave))
            jobs = submit_all(configs, sources, references, interleave)
            app.runner.cancel()  # what was asked is all this test needs
            return jobs

        app.runner.submit_all = spy
        await pilot.press("r")
        await pilot.pause()
        assert asked == [(len(app.configs), True)]
        await wait_until(pilot, lambda: not app.running, timeout=120)
        await pilot.press("2", "ctrl+s")
        await pilot.pause()
        await type_into_dialog(pilot, app.screen.query_one("#preset-name-input"), "Interleaved three")
        await pilot.press("enter", "enter")
        await pilot.pause()
        path = presets.user_dir() / "interleaved-three.toml"
        assert presets.load(path).options.interleave and "interleave = true" in path.read_text()
        path.unlink()


def seen_whole(app, widget) -> bool:
    return widget.display and widget.region.height > 0 and app.screen.region.contains_region(widget.region)


async def test_copies_read_apart_by_what_differs_and_twins_are_refused(audio_dir):
    """A copy (`n`) differs in nothing the generated name shows: the list names both
    by the setting changed, as the run will, and an unchanged copy cannot run."""
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(120, 30)) as pilot:
        await open_configure(pilot, row=1)
        await type_into(pilot, "label", "")
        await pilot.press("escape", "n")
        await pilot.pause()
        assert len(app.configs) == 3 and app.configs[1] == app.configs[2]
        await pilot.press("r")
        await pilot.pause()
        assert not app.running
        assert "configurations 2 and 3 ('jax tiny.en cpu float32') have the same settings: remove one or change one" in notices(app)
        await type_into(pilot, "threads", "1")
        assert names(app)[1:] == [f"jax tiny.en cpu float32 threads={app.configs[1].threads}",
                                  "jax tiny.en cpu float32 threads=1"]
