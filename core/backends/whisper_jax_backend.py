"""The upstream whisper-jax (`FlaxWhisperPipline`), for users who installed it, on the
same local weights as every other backend.

whisper-jax is not on PyPI and is installed from its repository. On current JAX it
imports only once `jax.core.NamedShape` (removed from JAX, only named by whisper-jax)
is defined, and it needs transformers < 5. Its pipeline loads a Hugging Face
directory with Flax weights, exported once from the checkpoint (`core.hf_format`).
It decodes the whisper-jax way only: greedy, without temperature fallback, 30 s
windows with 5 s strides, `batch_size` windows per call. The whole file is one
pipeline call, so progress arrives at the end and a cancel waits for it.
"""

from __future__ import annotations

import importlib.util
import threading

import numpy as np

from asr_tui.core.backends.base import Backend
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE, WINDOW_SECONDS, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights

NOT_INSTALLED = (
    "whisper-jax is not installed (it is not on PyPI): "
    "pip install git+https://github.com/sanchit-gandhi/whisper-jax.git 'transformers<5' flax"
)


def import_whisper_jax():
    """The `whisper_jax` module, or a one-line error saying how to install it."""
    try:
        import jax
    except ImportError:
        raise AsrTuiError("the whisper-jax backend needs jax: pip install jax jaxlib") from None
    if not hasattr(jax.core, "NamedShape"):
        jax.core.NamedShape = tuple
    try:
        import whisper_jax
    except ImportError:
        raise AsrTuiError(NOT_INSTALLED) from None
    return whisper_jax


class WhisperJaxBackend(Backend):
    name = "whisper-jax"
    description = "the upstream whisper-jax FlaxWhisperPipline (install it yourself)"
    dtypes = ("float32", "bfloat16", "float16")
    options = ("batch_size", "temperatures")

    def __init__(self) -> None:
        self.pipeline = None

    def check(self, config: RunConfig) -> None:
        super().check(config)
        if importlib.util.find_spec("whisper_jax") is None:  # looked up, not imported
            raise AsrTuiError(NOT_INSTALLED)
        if config.beam_size != 1 or tuple(config.temperatures) != (0.0,):
            raise AsrTuiError("whisper-jax decodes greedily without temperature fallback: set beam size 1 and temperatures 0")

    def check_available(self, config: RunConfig) -> None:
        import_whisper_jax()
        from asr_tui.core.backends.jax_backend import jax_device

        jax_device(config.device)

    def load(self, config: RunConfig, weights: Weights) -> None:
        import jax.numpy as jnp

        from asr_tui.core.hf_format import flax_directory

        whisper_jax = import_whisper_jax()
        self.pipeline = whisper_jax.FlaxWhisperPipline(str(flax_directory(weights)), dtype=jnp.dtype(config.dtype))

    def release(self) -> None:
        self.pipeline = None

    def transcribe(self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        total = len(samples) / SAMPLE_RATE
        output = self.pipeline(
            {"array": samples.astype(np.float32), "sampling_rate": SAMPLE_RATE},
            chunk_length_s=WINDOW_SECONDS,
            batch_size=config.batch_size,
            language=config.language,
            task=config.task,
            return_timestamps=True,
        )
        segments = []
        for chunk in output.get("chunks", []):
            start, end = chunk["timestamp"]
            segments.append(Segment(start or 0.0, total if end is None else end, chunk["text"]))
        progress(total, segments)
        return Transcript(text=output["text"].strip(), segments=segments, language=config.language)

    def packages(self) -> tuple[str, ...]:
        return ("whisper-jax", "jax", "jaxlib", "transformers", "flax")
