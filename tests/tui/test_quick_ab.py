"""The Microphone tab under Pilot: record from the virtual device, then quick A/B."""

from __future__ import annotations

from pathlib import Path

from asr_tui.core import presets
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.backends.test_microphone import REFERENCE
from tests.bounds import SAMPLE_WER_BOUND
from tests.tui_helpers import started, wait_until
from tests.virtual_mic import play
from asr_tui.tui.app import AsrTuiApp


async def open_microphone_tab(pilot, max_seconds: str):
    """The Microphone tab once it has found the virtual device, its keys live."""
    app = pilot.app
    await started(pilot)
    app.query_one("#source-tabs").active = "mic-tab"
    pane = app.query_one("#mic-pane")
    await wait_until(pilot, lambda: bool(pane.devices), timeout=30)
    app.query_one("#mic-seconds").value = max_seconds
    # switching to the tab focuses the recordings, so the tab's keys work at once
    await wait_until(pilot, lambda: app.focused is app.query_one("#recordings"), timeout=10)
    return pane


async def test_record_then_quick_ab(virtual_mic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_microphone_tab(pilot, "30")
        before = set(pane.files)
        await pilot.press("m")
        assert pane.recording is not None
        player = play(SAMPLE)
        await wait_until(pilot, lambda: pane.recording is None, timeout=60)  # stops itself at 30 s
        player.wait(10)
        assert pane.files[0] not in before and set(pane.files) - before == {pane.files[0]}
        assert "saved" in str(app.query_one("#mic-timer").render())
        await pilot.press("b")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CompareScreen", timeout=300)
        first, second = app.screen.first, app.screen.second
        assert {first.backend, second.backend} == {"pytorch", "jax"}
        for result in (first, second):
            assert wer(REFERENCE, result.text) <= SAMPLE_WER_BOUND, (wer(REFERENCE, result.text), result.text)


async def test_renaming_and_deleting_a_recording_that_is_a_source(tmp_path, monkeypatch):
    """A name that is no file name, or too long for the file system, is said and the
    take kept; a '.wav' typed is not doubled; a take deleted leaves the sources too."""
    import shutil

    from asr_tui.core import microphone
    from asr_tui.tui.screens.dialogs import InputDialog

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    microphone.recordings_dir().mkdir(parents=True)
    take = microphone.recordings_dir() / "20261206-101500.wav"
    shutil.copy(SAMPLE, take)  # a FLAC under a .wav name decodes all the same
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await started(pilot)
        app.query_one("#source-tabs").active = "mic-tab"
        await wait_until(pilot, lambda: app.focused is app.query_one("#recordings"), timeout=10)
        await pilot.press("a")
        sources = app.query_one("#sources-pane").sources
        await wait_until(pilot, lambda: any(s.path == take for s in sources))

        async def rename_to(name: str) -> None:
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, InputDialog))
            app.screen.query_one("#dialog-input").value = name
            await pilot.press("enter")
            await pilot.pause()

        for name, said in (("../elsewhere/x", "cannot hold '/'"), (".", "cannot hold '/' or start with '.'"),
                           ("x" * 300, "cannot rename 20261206-101500.wav: File name too long")):
            await rename_to(name)
            assert any(said in str(n.message) for n in app._notifications), name
            assert take.exists() and app.is_running
        await rename_to("take v1.2 final [ü].wav")
        renamed = take.with_name("take v1.2 final [ü].wav")
        assert renamed.exists() and [s.path for s in sources if s.path.parent == take.parent] == [renamed]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not renamed.exists() and all(s.path != renamed for s in sources)


async def test_a_recording_of_no_length_is_refused(virtual_mic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_microphone_tab(pilot, "0")
        await pilot.press("m")
        await pilot.pause()
        assert pane.recording is None
        assert "max seconds '0': a recording needs a length above 0 s" in [str(n.message) for n in app._notifications]
