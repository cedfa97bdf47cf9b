"""The Sources tab: open any folder by typing its path (with `~` and completion), pick
audio files from a tree filtered to audio, see their length and whether a reference
transcript sits beside them; microphone capture has its own tab, whose recordings can
be added here too.

Keys live on the widget they act on (the tree adds, the table removes), so a key never
acts on something hidden or unfocused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import DataTable, DirectoryTree, Input, Label, TabbedContent, TabPane

from asr_tui.core import audio, paths, references
from asr_tui.core.sources import expand as expand_sources
from asr_tui.core.errors import AsrTuiError
from asr_tui.tui.widgets.microphone import MicrophonePane
from asr_tui.tui.widgets.tables import LiteralTable, row_item


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


NEVER_AUDIO = ("__pycache__", "*.egg-info")  # folders a Python install leaves beside a checkout


def shown_in_tree(path: Path) -> bool:
    """Audio files and the folders that may hold some: not hidden ones, nor a Python
    install's (the README's command starts the app in its own checkout)."""
    if path.name.startswith(".") or any(path.match(pattern) for pattern in NEVER_AUDIO):
        return False
    return path.is_dir() or path.suffix.lower() in audio.AUDIO_SUFFIXES


def typed_path(value: str, base: Path) -> Path:
    """What a typed path means: `~` expanded, relative to the folder on show."""
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else base / path


def with_tilde(path: Path) -> str:
    """A path as a user would type it: under the home folder, from `~`."""
    home = Path.home()
    if path == home:
        return "~"
    return "~/" + str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


class PathSuggester(Suggester):
    """Completes the last part of a typed path from the folder's entries (folders and
    audio files, as the tree shows them); right arrow accepts."""

    def __init__(self, base: Callable[[], Path]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        typed = typed_path(value, self.base())
        folder, prefix = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(
                p.name + ("/" if p.is_dir() else "")
                for p in folder.iterdir()
                if p.name.startswith(prefix) and (shown_in_tree(p) or prefix.startswith("."))
            )
        except OSError:
            return None
        return value + names[0][len(prefix) :] if names else None


class AudioTree(DirectoryTree):
    BINDINGS = [Binding("a", "add", "Add file")]  # on a folder: every audio file under it

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if shown_in_tree(p)]

    def action_add(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        path = Path(node.data.path)
        if path.is_dir():
            self.query_ancestor(SourcesPane).add_folder(path)
        elif path.is_file():
            self.query_ancestor(SourcesPane).add(path)


class SelectedTable(LiteralTable):
    """The chosen sources; removing and attaching references act on its cursor row."""

    BINDINGS = [
        Binding("x", "remove", "Remove"),
        Binding("f", "attach_reference", "Reference"),
    ]

    def action_remove(self) -> None:
        self.query_ancestor(SourcesPane).remove_highlighted()

    def action_attach_reference(self) -> None:
        self.query_ancestor(SourcesPane).attach_reference()


class FilesPane(Vertical):
    """The Files tab; its keys act on the folder on show."""

    BINDINGS = [
        Binding("o", "open_path", "Open path"),
        Binding("u", "up", "Up a folder", show=False),
        Binding("R", "reload", "Refresh", show=False),
    ]

    def __init__(self, root: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root

    def compose(self) -> ComposeResult:
        tree = AudioTree(self.root, id="audio-tree")
        yield Input(
            with_tilde(self.root.resolve()),
            placeholder="a folder or an audio file (~ works, → completes); enter opens it",
            suggester=PathSuggester(lambda: Path(tree.path)),
            id="source-path",
            compact=True,
        )
        with Horizontal():
            yield tree
            with Vertical(id="selected-box"):
                yield Label("Selected sources", classes="title")
                yield SelectedTable(id="selected", cursor_type="row", zebra_stripes=True)

    @property
    def tree(self) -> AudioTree:
        return self.query_one(AudioTree)

    def open_folder(self, folder: Path) -> None:
        self.tree.path = folder
        self.query_one("#source-path", Input).value = with_tilde(folder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "source-path":
            return
        event.stop()
        path = typed_path(event.value, Path(self.tree.path)).resolve()
        if path.is_dir():
            self.open_folder(path)
            self.tree.focus()
        elif path.is_file():
            self.open_folder(path.parent)
            self.query_ancestor(SourcesPane).add(path)
            self.tree.focus()  # done typing: the number keys switch tabs again
        else:
            self.notify(f"no such file or folder: {path}", severity="error", markup=False)

    def action_open_path(self) -> None:
        path_input = self.query_one("#source-path", Input)
        path_input.focus()
        path_input.action_end()

    def action_up(self) -> None:
        self.open_folder(Path(self.tree.path).resolve().parent)

    def action_reload(self) -> None:
        self.tree.reload()


class SourcesPane(Vertical):
    BINDINGS = [Binding("M", "switch_tab", "Mic")]  # the Microphone tab's own M (hidden) goes back

    class Changed(Message):
        """The selected sources changed."""

    def __init__(self, root: Path, sources: list[Source], **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.sources = sources

    def compose(self) -> ComposeResult:
        with TabbedContent(id="source-tabs"):
            with TabPane("Files", id="files-tab"):
                yield FilesPane(self.root, id="files-pane")
            with TabPane("Microphone", id="mic-tab"):
                yield MicrophonePane(id="mic-pane")

    def on_mount(self) -> None:
        table = self.query_one("#selected", DataTable)
        table.add_columns("file", "status", "length", "reference")  # status early: whole at 80 columns
        self.refresh_table()

    def action_switch_tab(self) -> None:
        """Files to Microphone and back by a key, not only by a click."""
        tabs = self.query_one("#source-tabs", TabbedContent)
        tabs.active = "files-tab" if tabs.active == "mic-tab" else "mic-tab"

    def focus(self, scroll_visible: bool = True) -> "SourcesPane":
        """Focus the main widget of the inner tab on show, so its keys work at once."""
        mic = self.query_one("#source-tabs", TabbedContent).active == "mic-tab"
        self.query_one("#recordings" if mic else "#audio-tree").focus(scroll_visible)
        return self

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "source-tabs":
            event.stop()
            # the start-up activation can arrive after a later switch: act only on the tab on show
            if event.pane.id == event.tabbed_content.active:
                self.focus()

    def refresh_table(self) -> None:
        table = self.query_one("#selected", DataTable)
        row = table.cursor_row
        table.clear()
        for source in self.sources:
            length = "-" if source.seconds is None else f"{source.seconds:.1f} s"
            reference = source.reference.name if source.reference else "-"
            status = f"unreadable: {source.error}" if source.error else "ok"
            table.add_row(source.path.name, status, length, reference, key=str(source.path))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.post_message(self.Changed())

    def renamed(self, old: Path, new: Path) -> None:
        """A file renamed under the app (a recording): a selected source follows it,
        rather than point at a name that no longer exists."""
        old = Path(old).resolve()
        for index, source in enumerate(self.sources):
            if source.path == old:
                self.sources[index] = Source.probe(new)
                self.refresh_table()

    def deleted(self, path: Path) -> None:
        """A file deleted under the app (a recording): no longer a source, rather than
        one listed as fine that the next run cannot find."""
        path = Path(path).resolve()
        if any(s.path == path for s in self.sources):
            self.sources[:] = [s for s in self.sources if s.path != path]
            self.refresh_table()

    def add(self, path: Path) -> Source | None:
        path = Path(path).expanduser().resolve()
        if any(s.path == path for s in self.sources):
            self.notify(f"{path.name} is already a source", markup=False)
            return None
        source = Source.probe(path)
        self.sources.append(source)
        self.refresh_table()
        if source.error:
            self.notify(source.error, severity="error", markup=False)
        else:
            self.notify(f"added {path.name}", markup=False)
        return source

    def add_folder(self, folder: Path) -> None:
        """Every audio file under `folder`, as `asr-tui run FOLDER` takes them; said in one line."""
        try:
            found = expand_sources([folder]).files
        except AsrTuiError as exc:  # no audio files there
            self.notify(str(exc), severity="warning", markup=False)
            return
        known = {s.path for s in self.sources}
        added = [Source.probe(path.resolve()) for path in found if path.resolve() not in known]
        self.sources.extend(added)
        self.refresh_table()
        unreadable = sum(1 for s in added if s.error)
        already = len(found) - len(added)
        said = [f"added {len(added)} file{'s' if len(added) != 1 else ''} from {folder.name}"]
        said += [f"{unreadable} unreadable (the status column says why)"] if unreadable else []
        said += [f"{already} already sources"] if already else []
        self.notify("; ".join(said), severity="warning" if unreadable else "information", markup=False)

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.add(event.path)

    def _selected(self) -> Source | None:
        return row_item(self.query_one("#selected", DataTable), self.sources)

    def remove_highlighted(self) -> None:
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        source = self._selected()
        if source is None:
            return

        def remove(yes: bool | None) -> None:
            if yes and source in self.sources:
                self.sources.remove(source)
                self.refresh_table()

        self.app.push_screen(ConfirmDialog(f"Remove {source.path.name} from the sources? The file stays on disk."), remove)

    def attach_reference(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        source = self._selected()
        if source is None:
            self.notify("select a source first", severity="warning", markup=False)
            return

        def attach(value: str | None) -> None:
            if value is None:
                return
            path = Path(value).expanduser()
            try:
                paths.require_file(path, "reference")
            except AsrTuiError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            if problem := references.not_text(path):
                self.notify(f"{problem}: not attached", severity="error", markup=False)
                return
            source.reference = path.resolve()
            self.refresh_table()

        self.app.push_screen(InputDialog(f"Reference transcript for {source.path.name}", placeholder="path/to/transcript.txt"), attach)
