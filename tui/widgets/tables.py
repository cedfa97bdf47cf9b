"""What the tabs' tables share."""

from __future__ import annotations

from typing import Sequence, TypeVar

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label

T = TypeVar("T")


class LiteralTable(DataTable):
    """A DataTable whose text cells show as written. DataTable reads a string cell as
    Rich markup, so a file 'take[best].wav' showed as 'take.wav', and a label typed as
    'jax [/x]' stopped the app with a markup error; here a string becomes a `Text`
    (as the CLI's tables do; escaping instead doubled a trailing backslash)."""

    def add_row(self, *cells, **kwargs):
        return super().add_row(*(_literal(cell) for cell in cells), **kwargs)

    def update_cell(self, row_key, column_key, value, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _literal(value), update_width=update_width)


def _literal(cell):
    return Text(cell) if isinstance(cell, str) else cell


class TableNote(VerticalScroll):
    """A note beside a table (its highlighted row's, or what its rows differ in), in a
    box a few lines high (`.table-note` in the CSS). A longer note scrolls, by mouse
    or, once tab has focused the box, by the arrow keys; the box is a tab stop only
    while it has more to show."""

    def __init__(self, label_id: str, **kwargs) -> None:
        super().__init__(Label("", id=label_id, markup=False), classes="table-note", **kwargs)

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0

    def show(self, note: str | Text) -> None:
        """A new note, from its first line: shown as written (style it with a `Text`)."""
        self.query_one(Label).update(note)
        self.scroll_home(animate=False)


def row_item(table: DataTable, items: Sequence[T]) -> T | None:
    """The item shown on the table's cursor row (rows are built from `items` in order)."""
    row = table.cursor_row
    if not items or row is None or not 0 <= row < len(items):
        return None
    return items[row]


def marks_cell(result, marked: bool) -> str:
    """A row's first cell: `*` when marked for comparing, then the result's own marks
    (busy, unstable, lost speech ...)."""
    return ("*" if marked else "") + result.marks


def number(value: float | None, spec: str) -> str:
    """A table cell for a measurement that may be missing ('-')."""
    return "-" if value is None else format(value, spec)


REASON_WIDTH = 24


def short_reason(message: str) -> str:
    """The start of a failure message, for a table cell; a details panel shows all of it."""
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return first_line if len(first_line) <= REASON_WIDTH else first_line[: REASON_WIDTH - 1] + "…"


def toggle_mark(marked: list[T], item: T) -> list[T]:
    """Marks for comparing two runs (by identity): unmark a marked one, else mark it,
    keeping the two newest."""
    if any(item is m for m in marked):
        return [m for m in marked if m is not item]
    return (marked + [item])[-2:]


def compare_marked(widget, marked: list) -> None:
    """Open the Compare screen on the two marked runs, or say how to mark them."""
    from asr_tui.tui.screens.compare import CompareScreen

    if len(marked) != 2:
        widget.notify("mark two runs with space first", severity="warning", markup=False)
        return
    widget.app.push_screen(CompareScreen(*marked))
