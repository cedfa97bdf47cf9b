"""Knob values in both shapes they arrive in, text (a flag, a form field, a sweep) and
typed (TOML, Python), each kind coerced or refused with a line naming the knob, and
every declared bound held at its edge."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass

import pytest

from asr_tui.core import backends
from asr_tui.core.config import BY_NAME, DTYPES, KNOBS
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import Knob, knob, table

# One real knob of each kind.
BOOL, INT, FLOAT = BY_NAME["condition_on_previous_text"], BY_NAME["beam_size"], BY_NAME["logprob_threshold"]
FLOATS, OPTIONAL, TEXT = BY_NAME["temperatures"], BY_NAME["language"], BY_NAME["model"]


def ident(value) -> str:
    return value.name if isinstance(value, Knob) else repr(value)


def test_one_knob_of_each_kind():
    assert [k.kind for k in (BOOL, INT, FLOAT, FLOATS, OPTIONAL, TEXT)] == [
        "bool", "int", "float", "floats", "optional text", "text",
    ]
    assert {k.kind for k in KNOBS} == {"bool", "int", "float", "floats", "optional text", "text"}


@pytest.mark.parametrize(
    ("knob_", "text", "value"),
    [
        *[(BOOL, t, True) for t in ("on", "True", " yes ", "1")],
        *[(BOOL, t, False) for t in ("off", "FALSE", "no", "0")],
        (INT, " 7 ", 7),
        (INT, "-3", -3),
        (FLOAT, "-0.5", -0.5),
        (FLOAT, "1e-1", 0.1),
        (FLOAT, "2", 2.0),
        (FLOATS, "0, 0.2,0.4", (0.0, 0.2, 0.4)),
        (FLOATS, "0,", (0.0,)),
        (FLOATS, "", ()),
        (OPTIONAL, " de ", "de"),
        (OPTIONAL, "  ", None),
        (TEXT, " tiny.en ", "tiny.en"),
    ],
    ids=ident,
)
def test_from_text(knob_, text, value):
    got = knob_.from_text(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("knob_", "text", "message"),
    [
        (BOOL, "maybe", "condition_on_previous_text: 'maybe' is not on or off"),
        (INT, "4.5", "beam_size: '4.5' is not a whole number"),
        (INT, "", "beam_size: '' is not a whole number"),
        (FLOAT, "low", "logprob_threshold: 'low' is not a number"),
        (FLOATS, "0;0.2", "temperatures: '0;0.2' is not a comma-separated list of numbers"),
    ],
    ids=ident,
)
def test_from_text_refuses_in_one_line(knob_, text, message):
    with pytest.raises(AsrTuiError) as info:
        knob_.from_text(text)
    assert str(info.value) == f"invalid configuration: {message}"


def toml_value(text: str):
    """The value TOML gives for `text`, as a preset would carry it."""
    return tomllib.loads(f"v = {text}")["v"]


@pytest.mark.parametrize(
    ("knob_", "toml", "value"),
    [
        (BOOL, "false", False),
        (INT, "5", 5),
        (FLOAT, "-1", -1.0),  # an integer is a number wherever a float is
        (FLOAT, "-0.25", -0.25),
        (FLOATS, "[0, 0.5]", (0.0, 0.5)),
        (FLOATS, "[]", ()),
        (OPTIONAL, '"de"', "de"),
        (OPTIONAL, '""', None),
        (TEXT, '"base"', "base"),
    ],
    ids=ident,
)
def test_from_toml_value(knob_, toml, value):
    got = knob_.from_value(toml_value(toml))
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("knob_", "toml", "message"),
    [
        (INT, "true", "'beam_size' must be int, not bool"),  # bool is not a number here
        (INT, "5.0", "'beam_size' must be int, not float"),
        (INT, '"5"', "'beam_size' must be int, not str"),
        (FLOAT, "true", "'logprob_threshold' must be float, not bool"),
        (BOOL, "1", "'condition_on_previous_text' must be bool, not int"),
        (FLOATS, '"0,0.2"', "'temperatures' must be a list of numbers"),
        (FLOATS, "[0, true]", "'temperatures' must be a list of numbers"),
        (FLOATS, "0.5", "'temperatures' must be a list of numbers"),
        (OPTIONAL, "3", "'language' must be a string"),
        (TEXT, "[1]", "'model' must be str, not list"),
    ],
    ids=ident,
)
def test_from_toml_value_refuses_wrong_types(knob_, toml, message):
    with pytest.raises(AsrTuiError) as info:
        knob_.from_value(toml_value(toml))
    assert str(info.value) == f"invalid configuration: {message}"


BOUNDED = [(k, side) for k in KNOBS for side, limit in zip(("low", "high"), k.bounds) if limit is not None]


@pytest.mark.parametrize(("knob_", "side"), BOUNDED, ids=lambda p: p if isinstance(p, str) else ident(p))
def test_each_bound_is_inclusive_and_refused_just_past(knob_, side):
    limit = knob_.bounds[0 if side == "low" else 1]
    step = 1 if knob_.kind == "int" else 1e-6
    past = limit - step if side == "low" else limit + step

    def shaped(v):
        return (float(v),) if knob_.is_list else v

    knob_.check(shaped(limit))
    word = "at least" if side == "low" else "at most"
    with pytest.raises(AsrTuiError, match=f"^invalid configuration: {knob_.name} must be {word} "):
        knob_.check(shaped(past))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(AsrTuiError, match="must be a finite number"):
        BY_NAME["no_speech_threshold"].check(value)
    with pytest.raises(AsrTuiError, match="temperatures must be a finite number"):
        FLOATS.check((0.0, value))


def test_every_item_of_a_list_is_bounded():
    FLOATS.check((0.0, 0.5, 1.0))
    with pytest.raises(AsrTuiError, match=r"temperatures must be at most 1 \(got 1.2\)"):
        FLOATS.check((0.0, 1.2))


def test_choices_fixed_and_found_at_run_time():
    dtype = BY_NAME["dtype"]
    assert dtype.choice_list() == DTYPES
    with pytest.raises(AsrTuiError) as info:
        dtype.check("int4")
    assert str(info.value) == f"invalid configuration: unknown dtype 'int4' (choose {', '.join(DTYPES)})"
    backend = BY_NAME["backend"]
    assert callable(backend.choices) and backend.choice_list() == tuple(backends.names())
    backend.check("pytorch")


@pytest.mark.parametrize(("knob_", "value", "text"), [
    (BOOL, True, "on"), (BOOL, False, "off"), (FLOATS, (0.0, 0.25), "0,0.25"), (OPTIONAL, None, ""), (INT, 12, "12"),
    # a float as typed (a sweep's label read clip_seconds=1.0), every digit kept
    (FLOAT, 1.0, "1"), (FLOAT, 0.123456789, "0.123456789"), (FLOATS, (1e-7,), "1e-07"),
], ids=ident)
def test_to_text(knob_, value, text):
    assert knob_.to_text(value) == text


def test_table_fills_in_each_field_and_refuses_a_plain_one():
    @dataclass(frozen=True)
    class Declared:
        rate: float = knob(0.5, "Rate", "how fast", bounds=(0.0, 1.0))
        batch_size: int = knob(2, "Batch", "how many", aliases=("--batch",))

    rate, batch = table(Declared)
    assert (rate.name, rate.type, rate.default, rate.kind, rate.bounds) == ("rate", float, 0.5, "float", (0.0, 1.0))
    assert (batch.name, batch.flag, batch.aliases, batch.kind) == ("batch_size", "--batch-size", ("--batch",), "int")

    @dataclass(frozen=True)
    class Undeclared:
        rate: float = knob(0.5, "Rate", "how fast")
        forgotten: int = 3

    with pytest.raises(TypeError, match="Undeclared.forgotten is not declared with knob"):
        table(Undeclared)
