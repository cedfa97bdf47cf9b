"""Whisper weights: where they come from, and every form they are converted to.

Every backend runs the same weights, so everything about them lives here side by
side: resolving a model spec (`resolution`, `bundled`), the one checkpoint reader
(`checkpoint`), hashing (`digest`), the cache every conversion is written to and
checked in (`cache`), and the conversions themselves: CTranslate2 (`ctranslate2`,
`ctranslate2_format`), Hugging Face Flax for whisper-jax (`huggingface`) and JAX
arrays for the JAX backend (`jax_arrays`). Torch, transformers and JAX are imported
only inside the functions that need them.
"""

from asr_tui.core.weights.resolution import bundled_names
from asr_tui.core.weights.checkpoint import load_checkpoint
from asr_tui.core.weights.ctranslate2 import ct2_directory
from asr_tui.core.weights.digest import file_sha256
from asr_tui.core.weights.resolution import Weights, resolve

__all__ = ["Weights", "bundled_names", "ct2_directory", "file_sha256", "load_checkpoint", "resolve"]
