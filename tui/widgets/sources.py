"""The Sources tab: pick audio files from a tree filtered to audio, see their length
and whether a reference transcript sits beside them; microphone capture has its own
tab."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, DirectoryTree, Label, TabbedContent, TabPane

from asr_tui.core import audio, references
from asr_tui.core.errors import AsrTuiError
from asr_tui.tui.widgets.microphone import MicrophonePane
from asr_tui.tui.widgets.tables import row_item


@dataclass
class Source:
    path: Path
    seconds: float | None = None
    reference: Path | None = None
    error: str | None = None

    @classmethod
    def probe(cls, path: Path) -> "Source":
        """Read the header now, so an unreadable file is flagged in the list, not at run time."""
        path = Path(path).expanduser().resolve()
        try:
            return cls(path, audio.probe_seconds(path), references.find(path))
        except AsrTuiError as exc:
            return cls(path, error=str(exc))


class AudioTree(DirectoryTree):
    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in audio.AUDIO_SUFFIXES)]


class SourcesPane(Vertical):
    BINDINGS = [
        Binding("a", "add", "Add file"),
        Binding("x", "remove", "Remove"),
        Binding("f", "attach_reference", "Reference"),
    ]

    class Changed(Message):
        """The selected sources changed."""

    def __init__(self, root: Path, sources: list[Source], **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.sources = sources

    def compose(self) -> ComposeResult:
        with TabbedContent(id="source-tabs"):
            with TabPane("Files", id="files-tab"):
                with Horizontal():
                    yield AudioTree(self.root, id="audio-tree")
                    with Vertical(id="selected-box"):
                        yield Label("Selected sources", classes="title")
                        yield DataTable(id="selected", cursor_type="row", zebra_stripes=True)
            with TabPane("Microphone", id="mic-tab"):
                yield MicrophonePane(id="mic-pane")

    def on_mount(self) -> None:
        table = self.query_one("#selected", DataTable)
        table.add_columns("file", "length", "reference", "status")
        self.refresh_table()

    def refresh_table(self) -> None:
        table = self.query_one("#selected", DataTable)
        table.clear()
        for source in self.sources:
            length = "-" if source.seconds is None else f"{source.seconds:.1f} s"
            reference = source.reference.name if source.reference else "-"
            status = f"unreadable: {source.error}" if source.error else "ok"
            table.add_row(source.path.name, length, reference, status, key=str(source.path))
        self.post_message(self.Changed())

    def add(self, path: Path) -> Source | None:
        path = Path(path).expanduser().resolve()
        if any(s.path == path for s in self.sources):
            return None
        source = Source.probe(path)
        self.sources.append(source)
        self.refresh_table()
        if source.error:
            self.notify(source.error, severity="error")
        return source

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.add(event.path)

    def action_add(self) -> None:
        node = self.query_one(AudioTree).cursor_node
        if node is not None and node.data is not None and Path(node.data.path).is_file():
            self.add(node.data.path)

    def _selected(self) -> Source | None:
        return row_item(self.query_one("#selected", DataTable), self.sources)

    def action_remove(self) -> None:
        source = self._selected()
        if source is not None:
            self.sources.remove(source)
            self.refresh_table()

    def action_attach_reference(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        source = self._selected()
        if source is None:
            self.notify("select a source first", severity="warning")
            return

        def attach(value: str | None) -> None:
            if value is None:
                return
            path = Path(value).expanduser()
            if not path.is_file():
                self.notify(f"reference {path} does not exist", severity="error")
                return
            source.reference = path.resolve()
            self.refresh_table()

        self.app.push_screen(InputDialog(f"Reference transcript for {source.path.name}", placeholder="path/to/transcript.txt"), attach)
