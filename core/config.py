"""One benchmark configuration: everything that decides what work a run does.

Every decoding knob is explicit and recorded, because backends disagree on defaults
(openai-whisper: greedy with temperature fallback; faster-whisper: beam 5) and a
comparison with different knobs compares different work.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace

from asr_tui.core.errors import AsrTuiError

DEVICES = ("cpu", "cuda")
# int8 is CTranslate2's (weights quantised, compute in int8 where the device can)
DTYPES = ("float32", "float16", "bfloat16", "int8")
TASKS = ("transcribe", "translate")
# sequential: one 30 s window after another, previous text as prompt (openai-whisper);
# batched: overlapping windows decoded batch_size at a time (whisper-jax).
STRATEGIES = ("sequential", "batched")
# openai-whisper's own fallback schedule: without it tiny.en loops forever on long clips.
DEFAULT_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def default_threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class RunConfig:
    backend: str = "pytorch"
    model: str = "tiny.en"
    device: str = "cpu"
    dtype: str = "float32"
    batch_size: int = 1
    strategy: str = "sequential"
    beam_size: int = 1  # 1 is greedy; openai-whisper's default
    best_of: int = 1  # samples per temperature > 0 (openai-whisper's API default)
    language: str | None = None  # None: English for .en models, detected otherwise
    task: str = "transcribe"
    threads: int = 0  # 0: every core this process may use, resolved before the run
    warmup: int = 1  # runs before the measured ones; the first of them is "first run"
    repeat: int = 3  # measured (warm) runs
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
    condition_on_previous_text: bool = True
    compression_ratio_threshold: float = 2.4
    logprob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    seed: int = 0  # seeds the fallback's sampling so reruns do the same work
    max_new_tokens: int = 224  # per window; openai-whisper's n_text_ctx // 2
    compilation_cache: bool = False  # JAX: reuse compiled code across processes
    vad_filter: bool = False  # CTranslate2: off, so every backend hears the same audio
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "temperatures", tuple(float(t) for t in self.temperatures))
        self.validate()

    def validate(self) -> None:
        def bad(what: str) -> AsrTuiError:
            return AsrTuiError(f"invalid configuration: {what}")

        if self.device not in DEVICES:
            raise bad(f"device '{self.device}' (choose {', '.join(DEVICES)})")
        if self.dtype not in DTYPES:
            raise bad(f"dtype '{self.dtype}' (choose {', '.join(DTYPES)})")
        if self.strategy not in STRATEGIES:
            raise bad(f"strategy '{self.strategy}' (choose {', '.join(STRATEGIES)})")
        if self.task not in TASKS:
            raise bad(f"task '{self.task}' (choose {', '.join(TASKS)})")
        for name in ("batch_size", "beam_size", "best_of", "repeat", "max_new_tokens"):
            if getattr(self, name) < 1:
                raise bad(f"{name.replace('_', ' ')} must be at least 1")
        if self.strategy == "sequential" and self.batch_size != 1:
            raise bad("sequential decoding runs one window at a time: use strategy batched for batch size > 1")
        if self.warmup < 0 or self.threads < 0:
            raise bad("warm-up and threads cannot be negative")
        if not self.temperatures:
            raise bad("at least one temperature is needed")

    @property
    def resolved_threads(self) -> int:
        return self.threads or default_threads()

    @property
    def model_key(self) -> tuple:
        """What a resident model depends on: a change here means a reload."""
        return (self.backend, self.model, self.device, self.dtype)

    @property
    def display_name(self) -> str:
        if self.label:
            return self.label
        extra = f" {self.strategy} b{self.batch_size}" if self.strategy == "batched" else ""
        return f"{self.backend} {self.model} {self.device} {self.dtype}{extra}"

    def decoding_settings(self) -> dict:
        """The knobs recorded with every result."""
        return {
            "temperatures": list(self.temperatures),
            "beam_size": self.beam_size,
            "best_of": self.best_of,
            "condition_on_previous_text": self.condition_on_previous_text,
            "compression_ratio_threshold": self.compression_ratio_threshold,
            "logprob_threshold": self.logprob_threshold,
            "no_speech_threshold": self.no_speech_threshold,
            "seed": self.seed,
            "strategy": self.strategy,
            "vad_filter": self.vad_filter,
            "max_new_tokens": self.max_new_tokens,
            "language": self.language,
            "task": self.task,
        }

    def to_dict(self) -> dict:
        data = asdict(self)
        data["temperatures"] = list(self.temperatures)
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> "RunConfig":
        """Build from preset or CLI values; unknown keys and wrong types are errors."""
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key not in known:
                raise AsrTuiError(f"unknown key '{key}'")
            kwargs[key] = _coerce(key, value, cls.__dataclass_fields__[key].default)
        return cls(**kwargs)

    def with_(self, **changes) -> "RunConfig":
        return replace(self, **changes)


def _coerce(key: str, value, default):
    """Check a value against the field's default's type (bool is not an int here)."""
    if key == "language":
        if value is None or isinstance(value, str):
            return value or None
        raise AsrTuiError(f"'{key}' must be a string")
    if key == "temperatures":
        if isinstance(value, (list, tuple)) and all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in value
        ):
            return tuple(value)
        raise AsrTuiError(f"'{key}' must be a list of numbers")
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not expected:
        raise AsrTuiError(f"'{key}' must be {expected.__name__}, not {type(value).__name__}")
    return value
