"""The History tab: every result ever appended to history.jsonl, from earlier sessions
and, where the file was copied over, other machines; filtered by typing, two marked
runs compared on the Compare screen, the shown rows exported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label

from asr_tui.core import history
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.results import RunResult
from asr_tui.tui.widgets.sources import with_tilde
from asr_tui.tui.widgets.tables import LiteralTable, TableNote, compare_marked, marks_cell, number, row_item, toggle_mark

# the audio's length by RTFx and WER (which 80 columns show first): a clip of a file
# shares its name, and a short clip's RTFx pays for a whole window
COLUMNS = ("", "finished", "host", "backend", "model", "device", "RTFx", "WER", "audio s", "dtype", "config", "file", "GPU")
FIXED_COLUMNS = 2  # marks and date stay put when the table scrolls sideways


def finished(result: RunResult) -> str:
    try:
        return datetime.fromisoformat(result.finished_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return "-"


def cells(result: RunResult) -> tuple[str, ...]:
    """The row for one result, without the mark: also what the filter searches."""
    return (
        finished(result),
        str(result.env.get("hostname") or "-"),
        result.backend,
        result.model,
        result.device,
        number(result.rtfx, ".1f"),
        number(result.wer, ".3f"),
        number(result.audio_seconds, ".1f"),
        result.dtype,
        result.config_name,
        Path(result.audio).name,
        str(result.env.get("gpu") or "-"),
    )


def matches(result: RunResult, query: str) -> bool:
    """Every word of the query appears somewhere in the row (case-insensitive)."""
    row = " ".join(cells(result)).lower()
    return all(word in row for word in query.lower().split())


class HistoryPane(Vertical):
    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("e", "export", "Export"),
        Binding("slash", "filter", "Filter"),
        Binding("R", "reload", "Reload", show=False),
        Binding("escape", "leave_filter", "To the table", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.path = history.history_file()
        self.entries: list[RunResult] = []  # newest first
        self.shown: list[RunResult] = []
        self.marked: list[RunResult] = []
        self.skipped = 0
        self.unreadable: str | None = None  # why the file could not be read at all

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: words that must all appear (host, backend, model, file…)", id="history-filter", compact=True)
        yield Label("Reading the history…", id="history-status", markup=False)
        yield LiteralTable(id="history-table", cursor_type="row", zebra_stripes=True, fixed_columns=FIXED_COLUMNS)
        yield TableNote("history-detail")

    def on_mount(self) -> None:
        self.query_one("#history-table", DataTable).add_columns(*COLUMNS)

    def on_show(self) -> None:
        """Read the file each time the tab is shown: this session keeps appending to it."""
        self.action_reload()

    def action_reload(self) -> None:
        self.load(history.history_file())

    @work(thread=True, exclusive=True)
    def load(self, path: Path) -> None:
        """Off the UI thread: a long history is many megabytes of JSON."""
        try:
            results, bad = history.read(path)
        except AsrTuiError as exc:
            self.app.call_from_thread(self._unreadable, path, str(exc))
            return
        # newest first by the recorded time: a history merged from several machines is not in order
        results.sort(key=lambda r: r.finished_at, reverse=True)
        self.app.call_from_thread(self._loaded, path, results, bad)

    def _unreadable(self, path: Path, message: str) -> None:
        self._loaded(path, [], 0, message)

    def _loaded(self, path: Path, entries: list[RunResult], skipped: int, unreadable: str | None = None) -> None:
        self.path, self.entries, self.skipped, self.unreadable = path, entries, skipped, unreadable
        # the reread file has new objects: keep the marks on the equal ones
        self.marked = [e for m in self.marked if (e := next((e for e in entries if e == m), None)) is not None]
        self.refresh_rows()

    def refresh_rows(self) -> None:
        query = self.query_one("#history-filter", Input).value
        self.shown = [r for r in self.entries if matches(r, query)]
        table = self.query_one("#history-table", DataTable)
        row = table.cursor_row
        table.clear()
        for result in self.shown:
            table.add_row(marks_cell(result, any(result is m for m in self.marked)), *cells(result))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_detail()
        skipped = f"; {self.skipped} unreadable line{'s' if self.skipped > 1 else ''} skipped" if self.skipped else ""
        where = with_tilde(self.path)
        # a mark the filter hides still counts for compare: say so
        hidden = sum(not any(m is r for r in self.shown) for m in self.marked)
        hidden_marks = f" ({hidden} hidden by the filter)" if hidden else ""
        if self.unreadable:
            status = self.unreadable
        elif self.entries:
            status = f"{len(self.shown)} of {len(self.entries)} results in {where}{skipped}; marked {len(self.marked)}/2{hidden_marks}"
        else:
            status = f"No results yet in {where}: every run is appended there."
        self.query_one("#history-status", Label).update(status)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """What the highlighted row's marks mean, as on the Results tab."""
        result = row_item(self.query_one("#history-table", DataTable), self.shown)
        notes = result.notes if isinstance(result, RunResult) else []
        self.query_one(TableNote).show("; ".join(map(str, notes)))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "history-filter":
            self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "history-filter":
            self.query_one("#history-table").focus()

    def action_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_leave_filter(self) -> None:
        """From the filter, back to the table with the filter kept (as enter does);
        anywhere else escape is the app's (it cancels a run)."""
        if self.app.focused is not self.query_one("#history-filter", Input):
            raise SkipAction()
        self.query_one("#history-table").focus()

    def action_mark(self) -> None:
        result = row_item(self.query_one("#history-table", DataTable), self.shown)
        if result is None:
            return
        self.marked = toggle_mark(self.marked, result)
        self.refresh_rows()

    def action_compare(self) -> None:
        compare_marked(self, self.marked)

    def action_export(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        if not self.shown:
            self.notify("nothing shown to export", severity="warning", markup=False)
            return
        shown = list(self.shown)

        def write(value: str | None) -> None:
            if value:
                self.app.export_table(Path(value), shown)

        self.app.push_screen(InputDialog(f"Export the {len(shown)} shown results to (.json, .csv or .md)", "asr-tui-history.json"), write)
