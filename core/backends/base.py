"""The interface between the runner and an inference framework.

A backend owns one resident model. The runner calls `load` when the configuration
needs another model, `transcribe` for each timed pass, and `release` before loading
something else. Backends report progress through a callback and check a cancel flag
between chunks, so cancelling never waits for a whole file.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError, Cancelled
from asr_tui.core.transcript import ProgressFn, Transcript
from asr_tui.core.weights import Weights


class Backend(ABC):
    """One inference framework. Subclasses import their framework inside methods only."""

    name: ClassVar[str]
    description: ClassVar[str]
    dtypes: ClassVar[tuple[str, ...]] = ("float32",)
    devices: ClassVar[tuple[str, ...]] = ("cpu", "cuda")
    # Config fields this backend reads (the TUI shows only these).
    options: ClassVar[tuple[str, ...]] = ()

    def check(self, config: RunConfig) -> None:
        """Reject what this backend cannot do, without importing its framework (the
        TUI calls this on every edit)."""
        if config.dtype not in self.dtypes:
            raise AsrTuiError(
                f"{self.name} backend does not support {config.dtype} "
                f"(supported: {', '.join(self.dtypes)})"
            )
        if config.device not in self.devices:
            raise AsrTuiError(f"{self.name} backend does not run on {config.device}")

    def check_available(self, config: RunConfig) -> None:
        """Raise AsrTuiError if the framework or the device is missing (imports it)."""

    @abstractmethod
    def load(self, config: RunConfig, weights: Weights) -> None: ...

    @abstractmethod
    def transcribe(
        self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event
    ) -> Transcript: ...

    @abstractmethod
    def release(self) -> None: ...

    def weights_sha256(self, weights: Weights) -> str:
        """sha256 of the weights this backend actually runs (a conversion has its own)."""
        return weights.sha256

    def set_threads(self, threads: int) -> None:
        """Apply the configured thread count before a pass."""

    def reset_peak_gpu_memory(self) -> None: ...

    def peak_gpu_memory_mb(self) -> float | None:
        return None

    def gpu_name(self) -> str | None:
        return None

    def packages(self) -> tuple[str, ...]:
        """Distributions whose versions go into every result's environment."""
        return ()


def check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled()
