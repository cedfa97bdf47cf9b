"""The interface between the runner and an inference framework.

A backend owns one resident model. The runner calls `load` when the configuration
needs another model, `transcribe` for each timed pass, and `release` before loading
something else. A pass gets the audio already decoded (`core.audio.Decoded`), to read
window by window, or whole where its library takes nothing else. Backends report progress through a callback and check a cancel flag
between chunks, so cancelling never waits for a whole file.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from asr_tui.core.audio import Decoded
from asr_tui.core.config import BY_NAME, RunConfig
from asr_tui.core.errors import AsrTuiError, Cancelled
from asr_tui.core.knobs import Knob
from asr_tui.core.transcript import ProgressFn, Transcript
from asr_tui.core.weights import Weights

# Knobs that act only when a temperature above 0 samples.
SAMPLING_ONLY = frozenset({"best_of", "seed"})
# Knobs that act only in a beam search, which openai-whisper and faster-whisper run
# at temperature 0 with a beam size above 1.
BEAM_ONLY = frozenset({"patience"})


class Backend(ABC):
    """One inference framework. Subclasses import their framework inside methods only.

    The class attributes describe what the backend can do, so the CLI, the form and
    the run view ask the class rather than test its name."""

    name: ClassVar[str]
    description: ClassVar[str]
    # device -> the dtypes it runs there (a device missing here is not supported)
    dtypes: ClassVar[Mapping[str, tuple[str, ...]]] = {"cpu": ("float32",), "cuda": ("float32",)}
    strategies: ClassVar[tuple[str, ...]] = ("sequential",)
    # The first pass includes just-in-time compilation (the run view says "compiling").
    compiles: ClassVar[bool] = False
    # The knobs this backend reads beyond the common ones (`Knob.common`); the form
    # shows only these, and a result records only what its backend read.
    options: ClassVar[frozenset[str]] = frozenset()
    # Settings it decodes with only, as the form writes them: the form puts them in
    # when this backend is chosen (whisper-jax has no temperature fallback).
    needs: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def reads(cls, knob: Knob) -> bool:
        return knob.common or knob.name in cls.options

    def check(self, config: RunConfig) -> None:
        """Reject what this backend cannot do, without importing its framework (the
        TUI calls this on every edit)."""
        if config.device not in self.dtypes:
            raise AsrTuiError(f"{self.name} backend does not run on {config.device} (runs on {', '.join(self.dtypes)})")
        here = self.dtypes[config.device]
        if config.dtype not in here:
            elsewhere = [device for device, dtypes in self.dtypes.items() if config.dtype in dtypes]
            if elsewhere:
                raise AsrTuiError(
                    f"{self.name} runs {config.dtype} only on {', '.join(elsewhere)}; "
                    f"use {' or '.join(here)} on {config.device}"
                )
            raise AsrTuiError(f"{self.name} backend does not support {config.dtype} (supported: {', '.join(here)})")
        if config.strategy not in self.strategies:
            raise AsrTuiError(
                f"{self.name} backend decodes {' or '.join(self.strategies)} only: use strategy {self.strategies[0]}"
            )

    def check_available(self, config: RunConfig) -> None:
        """Raise AsrTuiError if the framework or the device is missing (imports it)."""

    @abstractmethod
    def load(self, config: RunConfig, weights: Weights) -> None: ...

    @abstractmethod
    def transcribe(
        self, audio: Decoded, config: RunConfig, progress: ProgressFn, cancel: threading.Event
    ) -> Transcript: ...

    @abstractmethod
    def release(self) -> None: ...

    def decoding_settings(self, config: RunConfig) -> dict:
        """The decoding settings a result records: those this backend applied, so that a
        result never claims a setting that did not act. Every decoding knob
        is listed, None where the backend did not apply it; a backend may add how its
        library cut the audio (chunk length, clips, VAD). `core.reference_calls`
        rebuilds each library's own call from this record alone.

        This default suits a backend that passes every knob it `reads` to its decoder:
        those knobs as configured, except the ones only sampling uses when every
        temperature is 0, the ones only beam search uses when no beam search runs, and English for an English-only model. A backend whose
        library reports what it applied, or that decodes some way fixed, overrides it."""
        settings = config.decoding_settings()
        sampled = any(t > 0 for t in config.temperatures)
        for name in settings:
            if (not self.reads(BY_NAME[name]) or (name in SAMPLING_ONLY and not sampled)
                    or (name in BEAM_ONLY and not beam_searched(config))):
                settings[name] = None
        if config.english_only:
            settings["language"] = "en"
        return settings

    def weights_sha256(self, weights: Weights) -> str:
        """sha256 of the weights this backend actually runs (a conversion has its own)."""
        return weights.sha256

    def set_threads(self, threads: int) -> int:
        """Apply the run's thread count (before a load and before each pass) and return
        the count in force, which a framework that fixed its count earlier may not
        change (see `core.threads`)."""
        return threads

    def kernel_timer(self, dims: dict, state: dict[str, np.ndarray], config: RunConfig):
        """A `core.kernel_bench.KernelTimer` for a model of these dims and weights at the
        configuration's device and dtype, or None where this backend has none."""
        return None

    def reset_peak_gpu_memory(self) -> None: ...

    def peak_gpu_memory_mb(self) -> float | None:
        return None

    def gpu_name(self) -> str | None:
        return None

    def packages(self) -> tuple[str, ...]:
        """Distributions whose versions go into every result's environment."""
        return ()


def beam_searched(config: RunConfig) -> bool:
    """Whether a pass runs a beam search: at temperature 0, with more than one beam."""
    return config.beam_size > 1 and 0.0 in config.temperatures


def check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled()
