"""The Microphone tab: pick an input device, record with a live level meter and
timer, manage the recordings (rename, delete, add to the sources), and run a quick
A/B of the first two configurations on the newest one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select

from asr_tui.core import audio, microphone
from asr_tui.core.errors import AsrTuiError
from asr_tui.tui.widgets.tables import LiteralTable, row_item


LOOK_AGAIN = " (R looks again)"


class RecordingsTable(LiteralTable):
    """The recordings, newest first; its keys act on the cursor row."""

    BINDINGS = [
        Binding("a", "add_source", "Add source"),
        Binding("n", "rename", "Rename", show=False),
        Binding("x", "delete", "Delete"),
    ]

    def action_add_source(self) -> None:
        self.query_ancestor(MicrophonePane).add_highlighted_to_sources()

    def action_rename(self) -> None:
        self.query_ancestor(MicrophonePane).rename_highlighted()

    def action_delete(self) -> None:
        self.query_ancestor(MicrophonePane).delete_highlighted()


class MicrophonePane(Vertical):
    BINDINGS = [
        Binding("m", "toggle_record", "Record"),
        Binding("b", "quick_ab", "A/B"),
        # not in the footer, which 80 columns fill: the no-device line names R, `?` both
        Binding("R", "rescan_devices", "Devices", show=False),
        Binding("M", "files_tab", "Files", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.recording: microphone.Recording | None = None
        self.devices: list[microphone.InputDevice] = []
        self.scanning = False  # a device scan is on a worker: no second one, no recording yet

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Device", classes="form-label")
            yield Select([], prompt="looking for input devices…", id="mic-device", compact=True)
        with Horizontal(classes="form-row"):
            yield Label("Max seconds", classes="form-label")
            yield Input("30", id="mic-seconds", type="number", compact=True)
        with Horizontal(classes="form-row"):
            yield Button("Record (m)", id="mic-record", variant="primary", compact=True)
            yield Label("  idle", id="mic-timer", markup=False)
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="mic-level")
        yield Label("Recordings (newest first): b runs a quick A/B of the first two configurations", classes="title")
        yield RecordingsTable(id="recordings", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#recordings", DataTable).add_columns("name", "length", "recorded")
        self.refresh_recordings()
        self.scanning = True
        self.find_devices()

    @work(thread=True)
    def find_devices(self, rescan: bool = False) -> None:
        """PortAudio probes every ALSA device: off the UI thread (`scanning` is set by
        the caller, on the UI thread, so no key slips in before the worker starts)."""
        try:
            devices = microphone.input_devices(rescan)
            error = None if devices else microphone.NO_DEVICE
        except AsrTuiError as exc:
            devices, error = [], str(exc)
        self.app.call_from_thread(self._show_devices, devices, error, rescan)

    def action_files_tab(self) -> None:
        from asr_tui.tui.widgets.sources import SourcesPane

        self.query_ancestor(SourcesPane).action_switch_tab()

    def action_rescan_devices(self) -> None:
        if self.recording is not None:  # starting PortAudio again would end the recording
            self.notify("stop the recording first (m)", severity="warning", markup=False)
            return
        if self.scanning:
            return
        self.scanning = True
        self.query_one("#mic-timer", Label).update("  looking for input devices…")
        self.find_devices(rescan=True)

    def _show_devices(self, devices: list[microphone.InputDevice], error: str | None, rescan: bool) -> None:
        self.devices, self.scanning = devices, False
        if rescan:  # the tab's line may read as before: say that it looked
            if devices:
                self.notify(f"found {len(devices)} input device{'s' if len(devices) > 1 else ''}", markup=False)
            else:
                self.notify(f"looked again: {error}", severity="warning", markup=False)
        select = self.query_one("#mic-device", Select)
        select.set_options([(f"{d.index}: {d.name} ({d.samplerate:.0f} Hz)", d.index) for d in devices])
        if devices:
            select.prompt = "pick a device"
            self.query_one("#mic-timer", Label).update("  idle")
            try:
                select.value = microphone.default_device().index
            except AsrTuiError:
                select.value = devices[0].index
        else:
            # shown in the tab, not as a toast: a user who never records is not bothered
            select.prompt = "no input device"
            # R helps where PortAudio found nothing, not where PortAudio itself is missing
            again = LOOK_AGAIN if error == microphone.NO_DEVICE else ""
            self.query_one("#mic-timer", Label).update(f"  {error}{again}")

    def refresh_recordings(self) -> None:
        table = self.query_one("#recordings", DataTable)
        table.clear()
        self.files = microphone.recordings()
        for path in self.files:
            try:
                length = f"{audio.probe_seconds(path):.1f} s"
            except AsrTuiError:
                length = "unreadable"
            table.add_row(path.name, length, f"{datetime.fromtimestamp(path.stat().st_mtime):%H:%M:%S}")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mic-record":
            self.action_toggle_record()

    def action_toggle_record(self) -> None:
        if self.recording is not None:
            self._finish()
            return
        if self.scanning:
            self.notify("looking for input devices: a moment", severity="warning", markup=False)
            return
        device_index = self.query_one("#mic-device", Select).value
        device = next((d for d in self.devices if d.index == device_index), None)
        if device is None:
            self.notify(f"{microphone.NO_DEVICE}{LOOK_AGAIN}", severity="error", markup=False)
            return
        typed = self.query_one("#mic-seconds", Input).value or "30"
        try:
            seconds = float(typed)
        except ValueError:  # half a number ("-"): no length
            seconds = 0.0
        try:
            microphone.check_length(seconds)
        except AsrTuiError as exc:
            self.notify(f"max seconds '{typed}': {exc}", severity="error", markup=False)
            return
        try:
            self.recording = microphone.Recording(device, seconds).start()
        except AsrTuiError as exc:  # the device went away (a sound server stopped)
            self.recording = None
            self.notify(f"{exc}{LOOK_AGAIN}", severity="error", markup=False)
            return
        self.query_one("#mic-record", Button).label = "Stop (m)"
        self._ticker = self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        recording = self.recording
        if recording is None:
            return
        self.query_one("#mic-level", ProgressBar).update(progress=min(1.0, recording.peak))
        self.query_one("#mic-timer", Label).update(f"  recording {recording.elapsed:5.1f} s  rms {recording.rms:.3f}")
        if recording.wait(0):
            self._finish()

    def _finish(self) -> None:
        recording, self.recording = self.recording, None
        self._ticker.stop()
        self.query_one("#mic-record", Button).label = "Record (m)"
        self.query_one("#mic-level", ProgressBar).update(progress=0)
        try:
            path = recording.stop()
            self.query_one("#mic-timer", Label).update(f"  saved {path.name}")
        except AsrTuiError as exc:
            self.query_one("#mic-timer", Label).update("  recording failed")
            self.notify(str(exc), severity="error", timeout=8, markup=False)
        self.refresh_recordings()

    def _highlighted(self) -> Path | None:
        return row_item(self.query_one("#recordings", DataTable), self.files)

    def action_quick_ab(self) -> None:
        if not self.files:
            self.notify("record something first (m)", severity="warning", markup=False)
            return
        self.app.quick_ab(self.files[0])

    def add_highlighted_to_sources(self) -> None:
        from asr_tui.tui.widgets.sources import SourcesPane

        path = self._highlighted()
        if path is not None:
            self.query_ancestor(SourcesPane).add(path)

    def rename_highlighted(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        path = self._highlighted()
        if path is None:
            return

        def rename(name: str | None) -> None:
            from asr_tui.tui.widgets.sources import SourcesPane

            name = (name or "").strip()
            if name.lower().endswith(".wav"):
                name = name[: -len(".wav")]
            if not name:
                return
            if "/" in name or name.startswith("."):
                self.notify(f"'{name}': a recording's name cannot hold '/' or start with '.'", severity="error", markup=False)
                return
            target = path.with_name(name + ".wav")
            try:
                if target.exists():
                    self.notify(f"{target.name} exists", severity="error", markup=False)
                    return
                path.rename(target)
            except OSError as exc:  # a name too long for the file system, say
                self.notify(f"cannot rename {path.name}: {exc.strerror or exc}", severity="error", markup=False)
                return
            self.query_ancestor(SourcesPane).renamed(path, target)
            timer = self.query_one("#mic-timer", Label)
            if str(timer.render()).strip() == f"saved {path.name}":
                timer.update(f"  saved {target.name}")
            self.refresh_recordings()

        self.app.push_screen(InputDialog("Rename recording to", path.stem), rename)

    def delete_highlighted(self) -> None:
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        path = self._highlighted()
        if path is None:
            return

        def delete(yes: bool | None) -> None:
            from asr_tui.tui.widgets.sources import SourcesPane

            if yes:
                path.unlink(missing_ok=True)
                self.query_ancestor(SourcesPane).deleted(path)
                self.refresh_recordings()

        self.app.push_screen(ConfirmDialog(f"Delete recording {path.name}?"), delete)
