"""What a knob is: one declaration that every surface reads.

A knob is declared where `RunConfig` declares its field: `knob(...)` puts a `Knob`
into the field's metadata, and `table(RunConfig)` reads them back with the field's
name, type and default filled in. The `asr-tui run` flags, the Configure form's
rows, preset coercion, the bounds checks and the decoding settings recorded with
each result are all derived from that table, so adding a knob is one field plus
the backend code that reads it.

Values arrive in two shapes: text (a CLI flag, a form input, a sweep value) and
typed values (TOML, Python). Both end up checked against the same type and bounds.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import Field, dataclass, field, fields, replace

from asr_tui.core.errors import AsrTuiError


INVALID = "invalid configuration: "


def invalid(what: str) -> AsrTuiError:
    """The one error every rejected knob value becomes."""
    return AsrTuiError(f"{INVALID}{what}")


@dataclass(frozen=True)
class Knob:
    label: str  # the form's row label
    help: str  # --help text; says what the knob changes and why one would
    # a fixed tuple, or a function for choices found at run time (installed backends)
    choices: tuple[str, ...] | Callable[[], Sequence[str]] | None = None
    bounds: tuple[float | None, float | None] = (None, None)  # inclusive; for lists, each item
    decoding: bool = False  # recorded with every result among its decoding settings
    common: bool = False  # read whatever the backend (by the runner or by all of them): always on the form
    aliases: tuple[str, ...] = ()  # older CLI spellings kept working, e.g. --vad
    # filled in from the dataclass field by `table`
    name: str = ""
    type: object = None
    default: object = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def kind(self) -> str:
        """bool, int, float, floats (a list of numbers), text or optional text."""
        if typing.get_origin(self.type) is tuple:
            return "floats"
        if isinstance(self.type, types.UnionType):
            return "optional text"
        return {bool: "bool", int: "int", float: "float", str: "text"}[self.type]

    @property
    def is_list(self) -> bool:
        return self.kind == "floats"

    def choice_list(self) -> tuple[str, ...]:
        return tuple(self.choices() if callable(self.choices) else self.choices or ())

    # --- values in --------------------------------------------------------------------

    def from_text(self, text: str):
        """A value typed by a person: a flag, a form field, a sweep value."""
        text = text.strip()
        kind = self.kind
        try:
            if kind == "bool":
                return {"on": True, "true": True, "yes": True, "1": True,
                        "off": False, "false": False, "no": False, "0": False}[text.lower()]
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
            if kind == "floats":
                return tuple(float(t) for t in text.split(",") if t.strip())
        except (KeyError, ValueError):
            raise invalid(f"{self.name}: '{text}' is not {_KIND_WORDS[kind]}") from None
        if kind == "optional text":
            return text or None
        return text

    def from_value(self, value):
        """A typed value from a preset or Python; bool is not a number here, but an
        int is a float."""
        kind = self.kind
        if kind == "floats":
            if isinstance(value, (list, tuple)) and all(_is_number(t) for t in value):
                return tuple(float(t) for t in value)
            raise invalid(f"'{self.name}' must be a list of numbers")
        if kind == "optional text":
            if value is None or isinstance(value, str):
                return value or None
            raise invalid(f"'{self.name}' must be a string")
        if kind == "float" and _is_number(value):
            return float(value)
        if type(value) is not self.type:
            raise invalid(f"'{self.name}' must be {self.type.__name__}, not {type(value).__name__}")
        return value

    # --- values out and checks ------------------------------------------------------------

    def to_text(self, value) -> str:
        """The inverse of `from_text`, for the form."""
        if value is None:
            return ""
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "floats":
            return ",".join(as_typed(t) for t in value)
        return as_typed(value)

    def check(self, value) -> None:
        """Choices and bounds: the rules that need no other knob."""
        choices = self.choice_list()
        if choices and value not in choices:
            raise invalid(f"unknown {self.name} '{value}' (choose {', '.join(choices)})")
        items = value if self.is_list else (value,)
        low, high = self.bounds
        for item in items:
            if isinstance(item, float) and not math.isfinite(item):
                raise invalid(f"{self.name} must be a finite number, not {item}")
            if low is not None and item < low:
                raise invalid(f"{self.name} must be at least {as_typed(low)} (got {as_typed(item)})")
            if high is not None and item > high:
                raise invalid(f"{self.name} must be at most {as_typed(high)} (got {as_typed(item)})")


_KIND_WORDS = {
    "bool": "on or off", "int": "a whole number", "float": "a number",
    "floats": "a comma-separated list of numbers",
}


def as_typed(value) -> str:
    """A float as it was typed: 1 rather than 1.0, all the digits where they count."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:g}" if float(f"{value:g}") == value else repr(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def knob(default, label: str, help: str, *, compare: bool = True, **declaration) -> Field:
    """A dataclass field that is also a knob (see `Knob` for the declaration's parts)."""
    return field(default=default, compare=compare, metadata={"knob": Knob(label, help, **declaration)})


def table(cls) -> tuple[Knob, ...]:
    """Every knob of a dataclass built with `knob()` fields, in declaration order. A
    field declared without `knob()` is an error: nothing could set it."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in fields(cls):
        if "knob" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with knob()")
        found.append(replace(f.metadata["knob"], name=f.name, type=hints[f.name], default=f.default))
    return tuple(found)
