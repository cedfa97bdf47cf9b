"""Sweeps: one configuration with several values for some knobs becomes the cross
product of them, each with a label that says what it varies.

A preset sweeps a knob by giving a list where the knob holds one value
(`batch_size = [1, 4, 16]`; a list of lists for a list-valued knob such as
temperatures); `asr-tui run --sweep KNOB=V1,V2` does the same from the shell.
A combination that the rules or its backend refuse is skipped with the reason,
so a sweep over dtypes does not fail because one backend lacks one of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asr_tui.core import backends
from asr_tui.core.config import BY_NAME, RunConfig, summary
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import INVALID, invalid


@dataclass(frozen=True)
class Skipped:
    """Something asked for and not measured: a sweep's combination, a file, or a
    configuration's run on a file that failed."""

    label: str
    reason: str
    kind: str = "config"  # or "file" or "run": the key the JSON document gives the label under

    @classmethod
    def failed_run(cls, config_name: str, audio: Path | None, reason: str) -> Skipped:
        """A configuration's run on a file that failed, or its whole run where it
        failed before any file (its model did not load)."""
        return cls(config_name if audio is None else f"{config_name} · {audio}", reason, "run")

    def __str__(self) -> str:
        return f"skipped {self.label}: {self.reason}"


def backend_check(config: RunConfig) -> None:
    """What a backend refuses, known without importing its framework."""
    backends.create(config.backend).check(config)


def split(raw: dict) -> tuple[dict, dict[str, list]]:
    """A preset table's single values and its swept ones, both typed by their knobs
    (a wrong-typed value names its knob)."""
    fixed, swept = {}, {}
    for key, value in raw.items():
        if key not in BY_NAME:
            raise AsrTuiError(f"unknown key '{key}'")
        knob = BY_NAME[key]
        is_sweep = isinstance(value, list) and (not knob.is_list or all(isinstance(v, list) for v in value))
        if is_sweep and knob.is_list and not value:
            is_sweep = False  # `temperatures = []`: one (empty, refused) schedule
        if is_sweep:
            if not value:
                raise invalid(f"'{key}' sweeps over no values")
            swept[key] = _each_allowed(knob, [knob.from_value(v) for v in value])
        else:
            fixed[key] = knob.from_value(value)
    return fixed, swept


def _each_allowed(knob, values: list) -> list:
    """A swept value no configuration could take (a typo: dtype 'int4', backend
    'nosuch') is an error; only combinations a backend refuses are skipped."""
    for value in values:
        knob.check(value)
    return values


def parse_flag(text: str) -> tuple[str, list]:
    """`KNOB=V1,V2`; for a list-valued knob the alternatives are split by ';'
    (`temperatures=0;0,0.2,0.4`)."""
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not values.strip():
        raise invalid(f"--sweep {text}: expected KNOB=V1,V2")
    if name not in BY_NAME:
        raise invalid(f"--sweep {text}: unknown knob '{name}' (knobs: {', '.join(BY_NAME)})")
    knob = BY_NAME[name]
    parsed = [knob.from_text(v) for v in values.split(";" if knob.is_list else ",")]
    try:
        _each_allowed(knob, parsed)
    except AsrTuiError as exc:  # which flag, then what is wrong with it
        raise invalid(f"--sweep {text}: {str(exc).removeprefix(INVALID)}") from None
    # a value given twice would run twice under one name: each once, in the order given
    return name, list(dict.fromkeys(parsed))


def expand(
    base: dict, swept: dict[str, list], check: Callable[[RunConfig], None] = backend_check
) -> tuple[list[RunConfig], list[Skipped]]:
    """Every combination of the swept values over the base values (typed knob values)."""
    configs, skipped = [], []
    names = list(swept)
    for combination in itertools.product(*(swept[n] for n in names)):
        values = base | dict(zip(names, combination))
        varied = dict(zip(names, combination))
        # a swept label is the name itself, not one more setting after it
        label = _label(values, {n: v for n, v in varied.items() if n != "label"}, varied.get("label") or base.get("label", ""))
        try:
            config = RunConfig(**values | {"label": label})
            check(config)
        except AsrTuiError as exc:
            skipped.append(Skipped(label or settings_summary(values), str(exc).removeprefix(INVALID)))
            continue
        configs.append(config)
    return configs, skipped


def expand_all(
    bases: list[dict], swept: dict[str, list], check: Callable[[RunConfig], None] = backend_check
) -> tuple[list[RunConfig], list[Skipped]]:
    """A sweep applied to each of several configurations (a preset's, under `--sweep`)."""
    if not swept:
        return [RunConfig(**base) for base in bases], []
    expanded, skipped = [], []
    for base in bases:
        found, refused = expand(base, swept, check)
        expanded += found
        skipped += refused
    return expanded, skipped


def settings_summary(values: dict) -> str:
    """The generated name of typed values that may not make a configuration: a refused
    combination is listed by it when the summary alone names the combinations."""
    return summary({n: BY_NAME[n].to_text(values.get(n, BY_NAME[n].default)) for n in RunConfig.NAMED_BY_SUMMARY})


def _label(values: dict, varied: dict, base_label: str) -> str:
    """The base label (or the settings' summary) plus `knob=value` for each varied
    knob the summary does not already show."""
    shown = set() if base_label else RunConfig.NAMED_BY_SUMMARY
    parts = [f"{name}={BY_NAME[name].to_text(value)}" for name, value in varied.items() if name not in shown]
    if base_label:
        return " ".join([base_label, *parts])
    try:
        summary = RunConfig(**values).display_name
    except AsrTuiError:  # a refused combination still needs a name to be listed by
        summary = " ".join(BY_NAME[n].to_text(values.get(n, BY_NAME[n].default)) for n in ("backend", "model"))
        return " ".join([summary, *(f"{n}={BY_NAME[n].to_text(v)}" for n, v in varied.items())])
    # no label when the summary tells the combinations apart: it then follows later edits
    return " ".join([summary, *parts]) if parts else ""
