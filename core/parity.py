"""Settings parity: what compared configurations did differently besides what they
compare.

Backends disagree on defaults and on what they apply (openai-whisper falls back
through six temperatures, whisper-jax decodes greedily once; a framework may have
fixed its thread count before this run asked), so two rows that differ "only in the
backend" often differ in more. Every setting a result records as applied (its
decoding settings, dtype, batch size, device, threads in force, weights sha256) is
set side by side across the configurations, and each one that differs, other than
those compared by design, is listed as "not like for like: ...".

What is compared by design is read from the configurations themselves: the backend,
and each knob that some two of them differ in alone, what follows it aside (a single
knob varied, a sweep's grid even with a combination refused, a decomposed study's
steps), where every configuration either has such a partner or shares its value of
that knob with another. A knob that never differs alone (one configuration in int8
and batched among float32 sequential ones), or a value no step isolates (PyTorch in
float16 beside faster-whisper in float32 and int8), is not a design: it is listed.

A setting that follows another is compared only among the configurations that agree
on that one: the weights' sha256 among those of one model, patience among those of one
beam size, what only sampling reads among those of one temperature schedule, and what
a strategy sets (the batch size, the previous text as prompt, how the audio was cut)
among those of one strategy; a sequential row beside a batched one is told apart by the strategy
alone. A setting only some results record (a library's own switch, such as
faster-whisper's `without_timestamps`) is compared among those that record it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asr_tui.core import corpus
from asr_tui.core.backends.base import BEAM_ONLY, SAMPLING_ONLY
from asr_tui.core.config import BY_NAME
from asr_tui.core.knobs import as_typed

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult

NOT_RECORDED = object()  # a setting one backend records and another does not
# a setting that goes with another: compared among the configurations that agree on
# that one (batched decoding chooses a batch size and cuts the audio; sequential has
# batch size 1 and may prompt with the previous text)
FOLLOWS = {
    "weights_sha256": "model",
    **dict.fromkeys(BEAM_ONLY, "beam_size"),
    **dict.fromkeys(SAMPLING_ONLY, "temperatures"),
    **dict.fromkeys(("batch_size", "condition_on_previous_text", "chunk_length_s", "stride_length_s", "chunking",
                     "clips", "soundless_windows", "must_reach", "failed_windows", "shouted_windows",
                     "unsure_windows", "unheard_holes"), "strategy"),
}


def settings(result: "RunResult") -> dict[str, object]:
    """The settings a result ran with, as applied (a decoding knob the backend
    ignored is None)."""
    return {
        "backend": result.backend, "model": result.model, "weights_sha256": result.weights_sha256,
        "device": result.device, "dtype": result.dtype, "batch_size": result.batch_size,
        "threads": result.env.get("threads"), **result.decoding,
    }


@dataclass(frozen=True)
class Difference:
    setting: str
    values: dict[str, str]  # configuration name -> the value as text

    def text(self) -> str:
        return f"{self.setting} ({'; '.join(f'{name}: {value}' for name, value in self.values.items())})"

    def to_dict(self) -> dict:
        return {"setting": self.setting, "values": self.values}


def _key(setting: str, value) -> str:
    if value is NOT_RECORDED:
        return "\0not recorded"
    if value is None and setting in BY_NAME and BY_NAME[setting].kind == "bool":
        value = False  # a switch a backend does not have is a switch off: the same work
    return json.dumps(_whole_numbers(value), sort_keys=True)


def _whole_numbers(value):
    """30.0 as 30: one library records a float, another an int, for the same setting."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_whole_numbers(v) for v in value]
    return value


def _text(value) -> str:
    if value is NOT_RECORDED:
        return "not recorded"
    if value is None:
        return "not applied"
    if isinstance(value, (list, tuple)):
        return ",".join(as_typed(v) for v in value)
    return as_typed(value)


def compared(configurations: list[dict[str, object]]) -> set[str]:
    """The settings the configurations vary by design (see the module's docstring)."""
    knobs = sorted({n for c in configurations for n in c if n in BY_NAME})

    def value(c: dict, n: str) -> str:
        return _key(n, c.get(n, NOT_RECORDED))

    alone: dict[str, set[int]] = {}  # knob -> the configurations with a partner differing in it alone
    for (i, a), (j, b) in itertools.combinations(enumerate(configurations), 2):
        differing = {n for n in knobs if value(a, n) != value(b, n)}
        leading = {n for n in differing if FOLLOWS.get(n) not in differing}
        if len(leading) == 1:
            alone.setdefault(leading.pop(), set()).update((i, j))
    design = {"backend"}
    for knob, partnered in alone.items():
        # and every other configuration shares its value with another: one whose value
        # is its own and that no step isolates (pytorch float16 beside ctranslate2
        # float32 and int8) is not part of the design
        shared = {i for i, c in enumerate(configurations)
                  if any(value(c, knob) == value(o, knob) for j, o in enumerate(configurations) if j != i)}
        if partnered | shared == set(range(len(configurations))):
            design.add(knob)
    return design


def _differs(setting: str, configurations: list[dict[str, object]]) -> bool:
    """Whether configurations that record `setting` differ in it, among those that
    agree on what it follows (see the module's docstring)."""
    source = FOLLOWS.get(setting)
    groups: dict[str, set[str]] = {}
    for c in configurations:
        if setting in c:
            groups.setdefault(_key(source, c.get(source, NOT_RECORDED)) if source else "", set()).add(_key(setting, c[setting]))
    return any(len(values) > 1 for values in groups.values())


def differences(results: list["RunResult"]) -> list[Difference]:
    """Each setting, other than those compared, in which the results' configurations
    differ, with every configuration's value; empty for a single configuration."""
    groups = corpus.by_configuration(results)
    if len(groups) < 2:
        return []
    names = [files[0].config_name for files in groups]
    # two unlabelled configurations that differ only in, say, temperatures share a name
    names = [f"{n} (#{i})" if names.count(n) > 1 else n for i, n in enumerate(names, start=1)]
    configurations = [settings(files[0]) for files in groups]
    design = compared(configurations)
    found = []
    for setting in dict.fromkeys(n for c in configurations for n in c):
        values = [c.get(setting, NOT_RECORDED) for c in configurations]
        if setting not in design and _differs(setting, configurations):
            found.append(Difference(setting, {name: _text(v) for name, v in zip(names, values)}))
    return found


def line(results: list["RunResult"]) -> str | None:
    """'not like for like: ...', or None when the configurations differ only in what
    they compare."""
    found = differences(results)
    return "not like for like: " + ", ".join(d.text() for d in found) if found else None
