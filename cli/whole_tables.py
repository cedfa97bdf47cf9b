"""Tables printed whole: a cut figure ("73…") or a cut name ("float…", which could
be float16 or float32) is a wrong number, and a wrapped line is only an ugly one.

Rich fits a table to the terminal, or to 80 columns when the output is a pipe or a
file, by cutting cells. Tables whose rows must not lose a digit are printed at their
natural width instead, wider than the terminal if need be.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_whole(console: Console, table: Table) -> None:
    width = console.width
    try:
        console.width = 10_000  # measured unconstrained: Rich measures within the console's width
        console.width = max(width, console.measure(table).maximum)
        console.print(table)
    finally:
        console.width = width
