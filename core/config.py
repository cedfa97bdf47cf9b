"""One benchmark configuration: everything that decides what work a run does.

Every decoding knob is explicit and recorded, because backends disagree on defaults
(openai-whisper: greedy with temperature fallback; faster-whisper: beam 5) and a
comparison with different knobs compares different work.

Each field is a knob, declared once here (see core/knobs.py): the CLI flags, the
Configure form, presets and the recorded decoding settings all come from `KNOBS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import ClassVar

from asr_tui.core import backends, languages
from asr_tui.core import threads as thread_counts
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import invalid, knob, table

DEVICES = ("cpu", "cuda")
# int8 is CTranslate2's (weights quantised, compute in int8 where the device can)
DTYPES = ("float32", "float16", "bfloat16", "int8")
TASKS = ("transcribe", "translate")
# sequential: one 30 s window after another, previous text as prompt (openai-whisper);
# batched: windows of at most 30 s cut in pauses, decoded batch_size at a time.
STRATEGIES = ("sequential", "batched")
# openai-whisper's own fallback schedule: without it tiny.en loops forever on long clips.
DEFAULT_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Beams and samples are decoded side by side: a typo like 1000000000 must not try to
# allocate that many before failing.
MAX_CANDIDATES = 100
# Whisper's text context is 448 tokens; the previous text's prompt may take half.
MAX_NEW_TOKENS = 224


@dataclass(frozen=True)
class RunConfig:
    label: str = knob("", "Label", "name shown in tables; empty: a summary of the settings",
                      common=True, compare=False)
    backend: str = knob("pytorch", "Backend", "inference framework", choices=backends.names, common=True)
    model: str = knob("tiny.en", "Model", "Whisper name, .pt checkpoint or CTranslate2 directory", common=True)
    device: str = knob("cpu", "Device", "where the model runs", choices=DEVICES, common=True)
    dtype: str = knob("float32", "Dtype", "weights and compute precision", choices=DTYPES, common=True)
    strategy: str = knob(
        "sequential", "Strategy", "sequential windows with previous text as prompt, or batched windows cut in pauses",
        choices=STRATEGIES, decoding=True,
    )
    batch_size: int = knob(1, "Batch size", "windows decoded at once (strategy batched)", bounds=(1, 1024))
    beam_size: int = knob(1, "Beam size", "1 decodes greedily (openai-whisper's default)",
                          bounds=(1, MAX_CANDIDATES), decoding=True)
    patience: float = knob(1.0, "Patience", "beam search ends after beam size × patience finished candidates per "
                           "window (openai-whisper's and faster-whisper's, arXiv:2204.05424); 1 is plain beam search",
                           bounds=(0.0, MAX_CANDIDATES), decoding=True)
    best_of: int = knob(1, "Best of", "samples per temperature above 0 (openai-whisper's API default 1)",
                        bounds=(1, MAX_CANDIDATES), decoding=True)
    language: str | None = knob(None, "Language", "a code or name; empty: English for .en models, detected otherwise",
                                common=True, decoding=True)
    task: str = knob("transcribe", "Task", "transcribe, or translate into English", choices=TASKS,
                     common=True, decoding=True)
    threads: int = knob(0, "Threads (0: cores)", "CPU threads; 0 is one per physical core this process may use, the same for every backend", bounds=(0, None))
    warmup: int = knob(1, "Warm-up runs", "runs before the measured ones (the first is reported as first run)",
                       bounds=(0, None), common=True)
    repeat: int = knob(3, "Measured runs", "measured warm runs (3 by default, so the spread shows)", bounds=(1, None), common=True)
    clip_seconds: float = knob(0.0, "Clip s (0: whole)", "run on the first this many seconds of each file (sweep it "
                               "for an RTFx-by-length curve); 0 runs the whole file", bounds=(0.0, None), common=True)
    temperatures: tuple[float, ...] = knob(
        DEFAULT_TEMPERATURES, "Temperatures",
        "comma-separated fallback schedule in [0, 1]; 0 alone decodes greedily without fallback",
        bounds=(0.0, 1.0), decoding=True,
    )
    condition_on_previous_text: bool = knob(True, "Previous text", "prompt each window with the text before it",
                                            decoding=True)
    compression_ratio_threshold: float = knob(2.4, "Max compression", "fall back when the text compresses more (repetition)",
                                              bounds=(0.0, None), decoding=True)
    logprob_threshold: float = knob(-1.0, "Min log prob", "fall back when the mean token log probability is lower",
                                    bounds=(None, 0.0), decoding=True)
    no_speech_threshold: float = knob(0.6, "No-speech prob", "skip a window this likely silent (with a low log prob)",
                                      bounds=(0.0, 1.0), decoding=True)
    seed: int = knob(0, "Seed", "seeds the fallback's sampling so reruns do the same work", bounds=(0, 2**32 - 1),
                     decoding=True)
    max_new_tokens: int = knob(MAX_NEW_TOKENS, "Max new tokens", f"per window, at most {MAX_NEW_TOKENS} "
                               "(openai-whisper's n_text_ctx // 2)", bounds=(1, MAX_NEW_TOKENS), decoding=True)
    compilation_cache: bool = knob(False, "Compile cache", "reuse compiled code across processes (JIT backends)")
    torch_compile: bool = knob(False, "torch.compile", "pytorch: compile the encoder (fixed shapes; each new batch size "
                               "compiles once, reported as compile seconds); the decoder, whose cache grows every "
                               "token, stays eager", decoding=True)
    vad_filter: bool = knob(False, "VAD filter", "ctranslate2: drop silence with Silero VAD before decoding. Off here so "
                            "every backend hears the same audio (the batched pipeline then gets the others' clips: at most "
                            "30 s, cut in pauses); on is faster-whisper's own batched default", decoding=True, aliases=("--vad",))

    def __post_init__(self) -> None:
        object.__setattr__(self, "temperatures", tuple(float(t) for t in self.temperatures))
        if self.language is not None:
            object.__setattr__(self, "language", languages.to_code(self.language))
        self.validate()

    def validate(self) -> None:
        """Every rule on values, the same for every backend, before any model loads;
        what a backend itself cannot do is its `check`."""
        for k in KNOBS:
            k.check(getattr(self, k.name))
        if not self.model.strip():
            raise invalid("the model is empty (a Whisper name such as tiny.en, a .pt checkpoint or a CTranslate2 directory)")
        if self.english_only and self.language not in (None, "en"):
            raise invalid(f"{self.model} is English-only: leave the language empty or set en")
        if self.english_only and self.task == "translate":  # it transcribes, recorded as a translation
            raise invalid(f"{self.model} is English-only: it transcribes; translate needs a multilingual model")
        if self.strategy == "sequential" and self.batch_size != 1:
            raise invalid("sequential decoding runs one window at a time: use strategy batched for batch size > 1")
        if self.beam_size > 1 and not 1 <= self.beam_candidates <= MAX_CANDIDATES:
            raise invalid(f"beam size × patience must round to 1..{MAX_CANDIDATES} finished candidates "
                          f"(got {self.beam_size} × {self.patience:g})")
        if not self.temperatures:
            raise invalid("at least one temperature is needed")
        if list(self.temperatures) != sorted(self.temperatures):
            raise invalid("temperatures are a fallback schedule: they must not decrease")

    @property
    def english_only(self) -> bool:
        """Whisper's English-only models end in .en (tiny.en, tiny.en.pt, faster-whisper-tiny.en)."""
        return Path(self.model.strip()).name.removesuffix(".pt").endswith(".en")

    @property
    def beam_candidates(self) -> int:
        """How many finished sequences per window end a beam search: openai-whisper's
        round(beam_size × patience) (Python's rounding, half to even, as there)."""
        return round(self.beam_size * self.patience)

    @property
    def resolved_threads(self) -> int:
        return thread_counts.resolve(self.threads)

    @property
    def model_key(self) -> tuple:
        """What a resident model depends on: a change here means a reload."""
        return (self.backend, self.model, self.device, self.dtype)

    # The knobs an unlabelled configuration's name shows; a sweep's generated label
    # adds the others it varies, and the form drops a label when one of these changes.
    NAMED_BY_SUMMARY: ClassVar[frozenset[str]] = frozenset(
        {"backend", "model", "device", "dtype", "strategy", "batch_size", "beam_size"}
    )

    @property
    def display_name(self) -> str:
        """The label, or else the summary of the settings that tell configurations
        apart, which cannot go stale."""
        return self.label or summary({name: BY_NAME[name].to_text(getattr(self, name)) for name in self.NAMED_BY_SUMMARY})

    def decoding_settings(self) -> dict:
        """The knobs recorded with every result."""
        return {k.name: _plain(getattr(self, k.name)) for k in KNOBS if k.decoding}

    def to_dict(self) -> dict:
        data = {name: _plain(value) for name, value in asdict(self).items()}
        return {k: v for k, v in data.items() if v is not None}

    def with_(self, **changes) -> "RunConfig":
        return replace(self, **changes)


def summary(texts: Mapping[str, str]) -> str:
    """A configuration's generated name from its settings as text, e.g. "jax tiny.en
    cpu bfloat16 batched b16": from text so that a form's draft that does not validate
    yet is named the same way. Beam size shows when above 1 (greedy is the default)."""
    name = " ".join(texts[k].strip() for k in ("backend", "model", "device", "dtype"))
    if texts["strategy"] == "batched":
        name += f" batched b{texts['batch_size'].strip()}"
    if texts["beam_size"].strip() not in ("", "1"):
        name += f" beam{texts['beam_size'].strip()}"
    return name


def named_apart(configs: list[RunConfig]) -> list[RunConfig]:
    """The configurations of one run, each under a name of its own. Rows, corpus
    figures and comparisons go by name, so two that share one (a label given twice,
    or settings the generated name leaves out, such as threads) are labelled with
    `knob=value` for each setting they differ in, as a sweep labels its combinations.
    Two with the same settings are refused: they would measure one thing twice under
    one name."""
    groups: dict[str, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(config.display_name, []).append(index)
    named = list(configs)
    for name, members in groups.items():
        if len(members) == 1:
            continue
        for position, index in enumerate(members):
            same = next((other for other in members[:position] if configs[other] == configs[index]), None)
            if same is not None:
                raise AsrTuiError(f"configurations {same + 1} and {index + 1} ('{name}') have the same settings: "
                                  "remove one or change one")
        differing = [k for k in KNOBS if k.name != "label" and len({k.to_text(getattr(configs[i], k.name)) for i in members}) > 1]
        for index in members:
            parts = (f"{k.name}={k.to_text(getattr(configs[index], k.name))}" for k in differing)
            named[index] = configs[index].with_(label=" ".join([name, *parts]))
    if len({c.display_name for c in named}) < len(named):
        raise AsrTuiError("two configurations have the same name: give each a label of its own")
    return named


def _plain(value):
    """TOML and JSON have lists, not tuples."""
    return list(value) if isinstance(value, tuple) else value


KNOBS = table(RunConfig)
BY_NAME = {k.name: k for k in KNOBS}


@dataclass(frozen=True)
class RunOptions:
    """How a run orders its configurations: settings of the whole run, not of one
    configuration, so a preset holds them as top-level keys and the Configure tab
    above the list. Declared as knobs, so the flag, the key and the switch come from here."""

    interleave: bool = knob(
        False, "Interleave", "alternate the configurations' measured passes on each file (A B B A ...) so drift "
        "and load spikes hit them alike; every model stays loaded where memory allows, else one configuration "
        "runs after another (and the run says so)",
    )

    def to_dict(self) -> dict:
        """The options that differ from their defaults, for a preset file."""
        return {k.name: getattr(self, k.name) for k in RUN_KNOBS if getattr(self, k.name) != k.default}


RUN_KNOBS = table(RunOptions)
