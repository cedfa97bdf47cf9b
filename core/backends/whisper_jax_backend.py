"""The upstream whisper-jax (`FlaxWhisperPipline`), for users who installed it, on the
same local weights as every other backend.

whisper-jax is not on PyPI and is installed from its repository. On current JAX it
imports only once `jax.core.NamedShape` (removed from JAX, only named by whisper-jax)
is defined, and it needs transformers < 5. Its pipeline loads a Hugging Face
directory with Flax weights, exported once from the checkpoint (`core.weights.huggingface`).

It decodes the whisper-jax way only: greedy, without temperature fallback, with
timestamps, `batch_size` windows per compiled call, in its default windows (30 s,
overlapping by 5 s on each side; our batched strategy cuts its windows in pauses
instead, so this row decodes about 40 % more windows than ours for the same clip).
Two deviations, recorded with every result (`chunking`):

- The windows stop at the first that reaches the end of the audio, as transformers'
  own chunking does. whisper-jax's chunking goes on to windows lying wholly inside
  that last one, which only repeat its text.
- The windows' transcripts are joined by our seam merge for windows at a fixed
  stride (`seams.merge_windows`): each seam is cut in the middle of the longest run
  of words both windows said in their overlap, and where they share no two words in
  a row both keep theirs. Transformers' `_decode_asr` slides the right window's first
  segment along the left window's unfinished last one and scores an alignment by
  matches per token compared; where the right window's segment began earlier than
  the left's (it heard words the left had already closed a segment on), a short
  match at the wrong place outscores the long true one and both copies stay: in
  bfloat16, 19 words of the 8.3-minute clip twice. Either merge costs no decoding
  time.

The whole file is one pipeline call, so progress arrives at the end and a cancel
waits for it. Compilation happens inside the call; JAX's monitoring events time it,
so the first pass reports its compile seconds apart and a warm pass shows none.
Its stages are the library's own and not timed ("not available").
"""

from __future__ import annotations

import importlib.util
import math
import threading

import numpy as np

from asr_tui.core import threads as thread_counts
from asr_tui.core.audio import Decoded
from asr_tui.core.backends.base import Backend
from asr_tui.core.backends import jax_compiles
from asr_tui.core.backends.longform.seams import merge_windows
from asr_tui.core.backends.longform.window import Window, split_segments
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE, SAMPLES_PER_FRAME, WINDOW_SECONDS, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights

STRIDE_SECONDS = WINDOW_SECONDS / 6  # its pipeline's windows overlap by this much on each side (its default)

# --no-deps: its metadata pins transformers < 4.35, which current JAX cannot run
NOT_INSTALLED = (
    "whisper-jax is not installed (it is not on PyPI): pip install 'transformers<5' flax, "
    "then pip install --no-deps git+https://github.com/sanchit-gandhi/whisper-jax.git cached-property"
)


def import_whisper_jax():
    """The `whisper_jax` module, or a one-line error saying what is missing."""
    try:
        import jax
    except ImportError:
        raise AsrTuiError("the whisper-jax backend needs jax: pip install jax jaxlib") from None
    if not hasattr(jax.core, "NamedShape"):
        jax.core.NamedShape = tuple
    try:
        import whisper_jax
    except ModuleNotFoundError as exc:
        if exc.name == "whisper_jax":
            raise AsrTuiError(NOT_INSTALLED) from None
        raise AsrTuiError(f"whisper-jax cannot be imported: it needs the module '{exc.name}', which is not installed") from None
    except ImportError as exc:
        raise AsrTuiError(f"whisper-jax cannot be imported: {exc}") from None
    return whisper_jax


def windows(n_samples: int, chunk: int, stride_left: int, stride_right: int) -> list[tuple[int, tuple[int, int, int]]]:
    """(start, stride) of each window in samples, the stride as transformers' chunking
    gives it: (length, left, right). One window every `chunk - strides`, up to the
    first that reaches the end, as transformers' own chunking goes."""
    step = chunk - stride_left - stride_right
    starts = [0]
    while starts[-1] + chunk < n_samples:
        starts.append(starts[-1] + step)
    return [
        (start, (min(chunk, n_samples - start), stride_left if start else 0, stride_right if start != starts[-1] else 0))
        for start in starts
    ]


def _pipeline_class(whisper_jax):
    class Pipeline(whisper_jax.FlaxWhisperPipline):
        """whisper-jax's pipeline on the windows of `windows`, spread evenly over
        batches as whisper-jax spreads its own, handing back each window's tokens
        for our merge (`plan` holds the windows of the latest call)."""

        plan: list[tuple[int, tuple[int, int, int]]]

        def chunk_iter_with_batch(self, inputs, chunk_len, stride_left, stride_right, batch_size):
            self.plan = windows(len(inputs), chunk_len, stride_left, stride_right)
            for batch in np.array_split(np.arange(len(self.plan)), math.ceil(len(self.plan) / batch_size)):
                audio = [inputs[self.plan[i][0] : self.plan[i][0] + chunk_len] for i in batch]
                features = self.feature_extractor(audio, sampling_rate=self.feature_extractor.sampling_rate, return_tensors="np")
                yield {"stride": [self.plan[i][1] for i in batch], **features}

        def postprocess(self, model_outputs, return_timestamps=None, return_language=None):
            return [row.reshape(-1).tolist() for output in model_outputs for row in np.asarray(output["tokens"])]

    return Pipeline


def window_segments(tokens: list[int], window: Window, tokenizer) -> list[Segment]:
    """One window's timed segments (in absolute time) from the tokens whisper-jax
    generated: its prompt and the end-of-text padding dropped, an unfinished last
    segment kept to the window's end for the merge to align. The exported tokenizer
    lists no timestamp tokens (an unknown one reads as end-of-text): they begin right
    after `<|notimestamps|>`, as transformers' own long-form decoding reckons them."""
    timestamp_begin = tokenizer.convert_tokens_to_ids("<|notimestamps|>") + 1
    eot = tokenizer.eos_token_id
    if eot in tokens:
        tokens = tokens[: tokens.index(eot)]
    text_and_times = [t for t in tokens if t < eot or t >= timestamp_begin]
    if not text_and_times:
        return []
    return split_segments(text_and_times, window, timestamp_begin, tokenizer.decode, keep_tail=True)[0]


class WhisperJaxBackend(Backend):
    name = "whisper-jax"
    description = "the upstream whisper-jax FlaxWhisperPipline (install it yourself)"
    dtypes = {"cpu": ("float32", "bfloat16", "float16"), "cuda": ("float32", "bfloat16", "float16")}
    strategies = ("batched",)
    compiles = True
    options = frozenset({"batch_size", "strategy", "threads", "temperatures"})
    needs = {"temperatures": "0"}

    def __init__(self) -> None:
        self.pipeline = None
        self.device = None

    def check(self, config: RunConfig) -> None:
        super().check(config)
        if importlib.util.find_spec("whisper_jax") is None:  # looked up, not imported
            raise AsrTuiError(NOT_INSTALLED)
        if config.strategy not in self.strategies:
            raise AsrTuiError("whisper-jax decodes overlapping windows in batches only: use strategy batched")
        if config.beam_size != 1 or tuple(config.temperatures) != (0.0,):
            raise AsrTuiError("whisper-jax decodes greedily without temperature fallback: set beam size 1 and temperatures 0")

    def check_available(self, config: RunConfig) -> None:
        from asr_tui.core.backends.jax_backend import jax_device, start_xla

        start_xla(thread_counts.resolve(config.threads))
        import_whisper_jax()
        jax_device(config.device)

    def load(self, config: RunConfig, weights: Weights) -> None:
        import jax
        import jax.numpy as jnp

        from asr_tui.core.backends.jax_backend import jax_device
        from asr_tui.core.weights.huggingface import flax_directory

        whisper_jax = import_whisper_jax()
        jax_compiles.listen()
        # The pipeline puts its parameters and inputs on JAX's default device, which is
        # a GPU wherever one is visible: `--device cpu` must hold there too.
        self.device = jax_device(config.device)
        with jax.default_device(self.device):
            self.pipeline = _pipeline_class(whisper_jax)(str(flax_directory(weights)), dtype=jnp.dtype(config.dtype))

    def release(self) -> None:
        self.pipeline = None

    def set_threads(self, threads: int) -> int:
        from asr_tui.core.backends.jax_backend import start_xla

        return start_xla(threads)

    def peak_gpu_memory_mb(self) -> float | None:
        from asr_tui.core.backends.jax_backend import peak_gpu_memory_mb

        return peak_gpu_memory_mb(self.device)

    def gpu_name(self) -> str | None:
        from asr_tui.core.backends.jax_backend import gpu_kind

        return gpu_kind(self.device)

    def decoding_settings(self, config: RunConfig) -> dict:
        """What the loaded pipeline applies, whatever else the configuration holds: greedy
        decoding without fallback, each window on its own, every token up to the
        model's context (the pipeline's `max_length` counts the start token)."""
        return {
            "temperatures": [0.0],
            "beam_size": 1,
            "patience": None,
            "best_of": None,
            "condition_on_previous_text": False,
            "compression_ratio_threshold": None,
            "logprob_threshold": None,
            "no_speech_threshold": None,
            "seed": None,
            "strategy": "batched",
            "chunk_length_s": WINDOW_SECONDS,
            "stride_length_s": STRIDE_SECONDS,
            "chunking": "transformers windows, asr-tui seam merge",
            "return_timestamps": True,
            "vad_filter": False,
            "max_new_tokens": self.pipeline.max_length - 1,
            "language": "en" if config.english_only else config.language,
            "task": config.task,
        }

    def transcribe(self, audio: Decoded, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        compiled_before = jax_compiles.mark()
        total = audio.seconds
        samples = audio.samples()  # the pipeline cuts its chunks from the whole array
        import jax

        with jax.default_device(self.device):
            rows = self.pipeline(
                {"array": samples.astype(np.float32), "sampling_rate": SAMPLE_RATE},
                chunk_length_s=WINDOW_SECONDS,
                stride_length_s=STRIDE_SECONDS,
                batch_size=config.batch_size,
                language=config.language,
                task=config.task,
                return_timestamps=True,
            )
        plan = [Window(start // SAMPLES_PER_FRAME, length // SAMPLES_PER_FRAME) for start, (length, _, _) in self.pipeline.plan]
        segments = merge_windows([(window, window_segments(tokens, window, self.pipeline.tokenizer))
                                  for window, tokens in zip(plan, rows, strict=True)], fixed_stride=True)
        progress(total, segments)
        # the library compiles inside its call: which programs is known, their shapes are not;
        # it decodes greedily, without a fallback (`check`), so it samples no window
        stats = {"compile_s": jax_compiles.seconds_since(compiled_before),
                 "compiled": [{"program": name} for name in jax_compiles.programs_since(compiled_before)],
                 "sampled_windows": 0}
        text = "".join(segment.text for segment in segments).strip()
        return Transcript(text=text, segments=segments, language=config.language, stats=stats)

    def packages(self) -> tuple[str, ...]:
        return ("whisper-jax", "jax", "jaxlib", "transformers", "flax")
