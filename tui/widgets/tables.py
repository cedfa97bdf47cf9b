"""What the tabs' tables share."""

from __future__ import annotations

from typing import Sequence, TypeVar

from textual.widgets import DataTable

T = TypeVar("T")


def row_item(table: DataTable, items: Sequence[T]) -> T | None:
    """The item shown on the table's cursor row (rows are built from `items` in order)."""
    row = table.cursor_row
    if not items or row is None or not 0 <= row < len(items):
        return None
    return items[row]


def number(value: float | None, spec: str) -> str:
    """A table cell for a measurement that may be missing ('-')."""
    return "-" if value is None else format(value, spec)


REASON_WIDTH = 24


def short_reason(message: str) -> str:
    """The start of a failure message, for a table cell; a details panel shows all of it."""
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return first_line if len(first_line) <= REASON_WIDTH else first_line[: REASON_WIDTH - 1] + "…"
