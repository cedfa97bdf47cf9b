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
