"""faster-whisper on CTranslate2: `WhisperModel` for sequential long-form and
`BatchedInferencePipeline` for batched, on the same weights as the other backends.

faster-whisper's own defaults differ from openai-whisper's (beam 5, VAD in the
batched pipeline); every knob is passed explicitly from the configuration so the
comparison is of engines, not of settings. Without VAD the batched pipeline is
given clips of at most 30 s cut at quiet moments.
"""

from __future__ import annotations

import threading

import numpy as np

from asr_tui.core import weights as weights_store
from asr_tui.core.backends.base import Backend, check_cancel
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE, WINDOW_SECONDS, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights

CUT_SEARCH_SECONDS = 5.0  # a clip ends at the quietest 10 ms of its last 5 s


def quiet_cuts(samples: np.ndarray, rate: int = SAMPLE_RATE) -> list[dict]:
    """Clips of at most 30 s covering all the audio, each ending at the quietest moment
    near its end: the batched pipeline without VAD needs clips, and a cut through a
    word loses it. Every sample stays in exactly one clip, so the audio is the same
    the other backends hear."""
    frame = rate // 100
    total = len(samples) / rate
    clips, start = [], 0.0
    while total - start > WINDOW_SECONDS:
        first = int((start + WINDOW_SECONDS - CUT_SEARCH_SECONDS) * rate)
        region = samples[first : int((start + WINDOW_SECONDS) * rate)]
        energy = np.square(region[: len(region) // frame * frame]).reshape(-1, frame).mean(axis=1)
        cut = (first + (int(np.argmin(energy)) + 0.5) * frame) / rate
        clips.append({"start": start, "end": cut})
        start = cut
    clips.append({"start": start, "end": total})
    return clips
# our dtype name -> CTranslate2 compute type
COMPUTE_TYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16", "int8": "int8"}


class CTranslate2Backend(Backend):
    name = "ctranslate2"
    description = "faster-whisper on CTranslate2 (sequential or batched)"
    dtypes = ("float32", "float16", "bfloat16", "int8")
    options = ("batch_size", "strategy", "beam_size", "best_of", "threads", "temperatures", "condition_on_previous_text", "vad_filter")

    def __init__(self) -> None:
        self.model = None
        self.pipeline = None
        self.model_dir = None
        self.device = "cpu"

    def check_available(self, config: RunConfig) -> None:
        try:
            import ctranslate2
        except ImportError:
            raise AsrTuiError("the ctranslate2 backend needs faster-whisper: pip install faster-whisper") from None
        if config.device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise AsrTuiError("cuda asked for but CTranslate2 sees no GPU; use --device cpu")
        supported = ctranslate2.get_supported_compute_types(config.device)
        if COMPUTE_TYPES[config.dtype] not in supported:
            raise AsrTuiError(
                f"CTranslate2 on {config.device} does not support {config.dtype} "
                f"(supported here: {', '.join(sorted(supported))})"
            )

    def load(self, config: RunConfig, weights: Weights) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.model_dir = weights_store.ct2_directory(weights)
        self.model = WhisperModel(
            str(self.model_dir), device=config.device, compute_type=COMPUTE_TYPES[config.dtype],
            cpu_threads=config.resolved_threads, local_files_only=True,
        )
        self.pipeline = BatchedInferencePipeline(self.model)
        self.device = config.device

    def weights_sha256(self, weights: Weights) -> str:
        if weights.ct2_dir is not None:
            return weights.sha256
        return weights_store.file_sha256(self.model_dir / "model.bin")

    def transcribe(self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        import ctranslate2

        ctranslate2.set_random_seed(config.seed)
        multilingual = self.model.model.is_multilingual
        options = dict(
            language=config.language or (None if multilingual else "en"),
            task=config.task,
            beam_size=config.beam_size,
            best_of=config.best_of,
            temperature=list(config.temperatures),
            compression_ratio_threshold=config.compression_ratio_threshold,
            log_prob_threshold=config.logprob_threshold,
            no_speech_threshold=config.no_speech_threshold,
            condition_on_previous_text=config.condition_on_previous_text,
            # faster-whisper counts max_new_tokens on top of the prompt and refuses
            # any sum over 448, so its own limit (448 tokens in all) is kept instead
            vad_filter=config.vad_filter,
            word_timestamps=False,
        )
        if config.strategy == "batched":
            options.pop("condition_on_previous_text")  # batched windows are independent
            options["without_timestamps"] = False  # the pipeline's default drops most segments
            if not config.vad_filter:
                options["clip_timestamps"] = quiet_cuts(samples)
            segments_iter, info = self.pipeline.transcribe(samples, batch_size=config.batch_size, **options)
        else:
            segments_iter, info = self.model.transcribe(samples, **options)
        segments: list[Segment] = []
        seconds = len(samples) / SAMPLE_RATE
        # faster-whisper decodes lazily: each segment pulled is decoded now, so
        # progress and cancel come between segments. Its timestamps can run past
        # the audio in the zero-padded last window: clip them.
        for item in segments_iter:
            segment = Segment(min(item.start, seconds), min(item.end, seconds), item.text)
            segments.append(segment)
            progress(segment.end, [segment])
            check_cancel(cancel)
        return Transcript("".join(s.text for s in segments).strip(), segments, info.language)

    def release(self) -> None:
        self.model = self.pipeline = None

    def gpu_name(self) -> str | None:
        return "CUDA device 0 (CTranslate2)" if self.device == "cuda" else None

    def packages(self) -> tuple[str, ...]:
        return ("faster-whisper", "ctranslate2")
