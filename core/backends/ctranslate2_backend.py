"""faster-whisper on CTranslate2: `WhisperModel` for sequential long-form and
`BatchedInferencePipeline` for batched, on the same weights as the other backends.

faster-whisper's own defaults differ from openai-whisper's (beam 5, VAD in the
batched pipeline); every knob is passed explicitly from the configuration so the
comparison is of engines, not of settings. Everything else is left at the library's
defaults, so that each strategy is faster-whisper's own call with those knobs (the
reference calls in `core.reference_calls` check it). One deviation: the batched
pipeline filters silence with VAD by default, which would let it skip audio the
other backends hear; with `vad_filter` off (this project's default) it is given
their clips instead (at most 30 s, cut in pauses, those without sound left out),
which it needs for audio longer than one window. The settings recorded with a
result are the ones faster-whisper reports it applied (`TranscriptionInfo`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import tempfile
import threading
import time
import types
from pathlib import Path

import numpy as np

from asr_tui.core import threads as thread_counts
from asr_tui.core import weights as weights_store
from asr_tui.core.audio import Decoded
from asr_tui.core.backends.base import Backend, check_cancel
from asr_tui.core.backends.longform import pauses
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE, SAMPLES_PER_FRAME, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights

def quiet_cuts(samples: np.ndarray) -> tuple[list[dict], bool]:
    """The batched pipeline's clips without VAD: the windows the other backends'
    batched strategy decodes (`pauses.cuts_of`), in seconds, those of silence left
    out (the last frame zero-padded to whole, so no clip is longer than 30 s); and
    whether any window has sound. A recording silent throughout keeps every window,
    since the pipeline refuses to be given no clip."""
    whole = np.pad(samples, (0, -len(samples) % SAMPLES_PER_FRAME))
    cuts = pauses.cuts_of([whole], len(whole) // SAMPLES_PER_FRAME)
    clips = [{"start": w.offset, "end": w.end} for w in cuts.windows]
    clips[-1]["end"] = len(samples) / SAMPLE_RATE
    sounding = [c for c, w in zip(clips, cuts.windows) if cuts.sounds(w)]
    return sounding or clips, bool(sounding)


# our dtype name -> CTranslate2 compute type
COMPUTE_TYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16", "int8": "int8"}


class CTranslate2Backend(Backend):
    name = "ctranslate2"
    description = "faster-whisper on CTranslate2 (sequential or batched)"
    # what each device can run at all; check_available asks CTranslate2 about this machine
    dtypes = {"cpu": ("float32", "float16", "bfloat16", "int8"), "cuda": ("float32", "float16", "bfloat16", "int8")}
    strategies = ("sequential", "batched")
    options = frozenset({
        "batch_size", "strategy", "beam_size", "best_of", "patience", "threads", "temperatures", "condition_on_previous_text",
        "vad_filter", "seed", "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold",
    })

    def __init__(self) -> None:
        self.model = None
        self.pipeline = None
        self.model_dir = None
        self.device = "cpu"
        self.cpu_threads: int | None = None  # fixed when the model is loaded
        self.applied: dict | None = None  # what faster-whisper applied on the last pass

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
        self.cpu_threads = thread_counts.resolve(config.threads)
        self.model = WhisperModel(
            str(self.model_dir), device=config.device, compute_type=COMPUTE_TYPES[config.dtype],
            cpu_threads=self.cpu_threads, local_files_only=True,
        )
        self.pipeline = BatchedInferencePipeline(self.model)
        self.device = config.device

    def set_threads(self, threads: int) -> int:
        """CTranslate2 fixes its threads when a model is built: before that, what the
        next one (a kernel timer's) will be given."""
        if self.model is None:
            self.cpu_threads = threads
        return self.cpu_threads

    def kernel_timer(self, dims: dict, state: dict[str, np.ndarray], config: RunConfig):
        """CTranslate2's own calls, as faster-whisper makes them: `encode` on a batch of
        log-mels, then greedy `generate` from a 3-token prompt with the end token
        suppressed, so that every call decodes exactly `steps` tokens, as the other
        backends' timers do. `generate` runs the prompt and the steps in one call: the
        prefill is timed as a call of one token, the steps as the rest of a full call.
        The prompt ends in <|notimestamps|>: CTranslate2 applies Whisper's timestamp
        rules otherwise, which the other timers do not. The random weights are written
        as a CTranslate2 directory (`core.weights.ctranslate2.write_directory`) to a
        scratch folder, removed once the model has read it (3 GB for large-v2)."""
        import ctranslate2

        from asr_tui.core.kernel_bench import KernelTimes
        from asr_tui.core.weights.ctranslate2 import write_directory

        with tempfile.TemporaryDirectory(prefix="asr-tui-kernel-ct2-") as scratch:
            write_directory(Path(scratch), state, dims, None, "the kernel bench's CTranslate2 model")
            model = ctranslate2.models.Whisper(scratch, device=config.device, compute_type=COMPUTE_TYPES[config.dtype],
                                               intra_threads=self.cpu_threads or 0)
            vocabulary = (Path(scratch) / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
        self.device = config.device
        end_token = vocabulary.index("<|endoftext|>")
        prompt = ["<|startoftranscript|>", "<|en|>", "<|notimestamps|>"]
        rng = np.random.default_rng(0)

        def generate(features, batch: int, tokens: int) -> None:
            # Whisper's `generate` here decodes at most half of `max_length` new tokens
            # (measured on CTranslate2 4.8: 3 -> 1, 8 -> 4, 20 -> 10); the count is
            # checked on every call below, so another version cannot time other work.
            results = model.generate(features, [prompt] * batch, beam_size=1, max_length=2 * tokens + 1,
                                     suppress_tokens=[end_token], suppress_blank=False)
            made = {len(r.sequences_ids[0]) for r in results}
            if made != {tokens}:  # the other backends' rows did `tokens` steps: this one must too
                raise AsrTuiError(f"CTranslate2 decoded {sorted(made)} tokens where {tokens} were asked for")

        def timer(batch: int, steps: int) -> KernelTimes:
            mel = rng.standard_normal((batch, dims["n_mels"], 3000), dtype=np.float32)
            start = time.perf_counter()
            features = model.encode(ctranslate2.StorageView.from_array(mel), to_cpu=False)
            encoded = time.perf_counter()
            generate(features, batch, 1)
            prefilled = time.perf_counter()
            generate(features, batch, steps + 1)
            done = time.perf_counter()
            return KernelTimes(encoded - start, prefilled - encoded, (done - prefilled) - (prefilled - encoded))

        return timer

    def weights_sha256(self, weights: Weights) -> str:
        if weights.ct2_dir is not None:
            return weights.sha256
        return weights_store.file_sha256(self.model_dir / "model.bin")

    def transcribe(self, audio: Decoded, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        import ctranslate2

        samples = audio.samples()  # faster-whisper's feature extractor takes the whole array

        ctranslate2.set_random_seed(config.seed)
        multilingual = self.model.model.is_multilingual
        options = dict(
            language=config.language or (None if multilingual else "en"),
            task=config.task,
            beam_size=config.beam_size,
            patience=config.patience,
            best_of=config.best_of,
            temperature=list(config.temperatures),
            compression_ratio_threshold=config.compression_ratio_threshold,
            log_prob_threshold=config.logprob_threshold,
            no_speech_threshold=config.no_speech_threshold,
            condition_on_previous_text=config.condition_on_previous_text,
            # max_new_tokens is not passed: faster-whisper counts it on top of the
            # prompt and refuses any sum over 448, so its own limit (448 tokens in
            # all) is kept, and the result records none
            vad_filter=config.vad_filter,
        )
        sounding = True
        if config.strategy == "batched":
            # The pipeline decodes each clip on its own, without timestamps (its
            # default): asked for timestamps, it would drop the text after a clip's
            # last complete segment, having no next window to decode it in.
            if not config.vad_filter:
                options["clip_timestamps"], sounding = quiet_cuts(samples)
            segments_iter, info = self.pipeline.transcribe(samples, batch_size=config.batch_size, **options)
        else:
            segments_iter, info = self.model.transcribe(samples, **options)
        self.applied = self._applied(info, config)
        if not sounding:
            self.applied["soundless_windows"] = "decoded: no window has sound"
        segments: list[Segment] = []
        seconds = len(samples) / SAMPLE_RATE
        # faster-whisper decodes lazily: each segment pulled is decoded now, so
        # progress and cancel come between segments. Its timestamps can run past
        # the audio in the zero-padded last window: clip them.
        with self._sampling_counted() as sampled:
            for item in segments_iter:
                segment = Segment(min(item.start, seconds), min(item.end, seconds), item.text)
                segments.append(segment)
                progress(segment.end, [segment])
                check_cancel(cancel)
        return Transcript("".join(s.text for s in segments).strip(), segments, info.language,
                          stats={"sampled_windows": sampled.windows})

    @contextlib.contextmanager
    def _sampling_counted(self):
        """The windows faster-whisper's sequential loop decodes by sampling, counted as
        it decodes each window (`generate_with_fallback`, once a window, reporting the
        temperature it ended at). Its segments carry that temperature too, but a window
        skipped as silence, or one whose text is empty, yields none. The batched
        pipeline decodes otherwise, from the top token only (`_applied`): none."""
        count = types.SimpleNamespace(windows=0)
        original = self.model.generate_with_fallback

        def decode(*args, **kwargs):
            found = original(*args, **kwargs)
            count.windows += found[2] > 0  # (result, avg_logprob, temperature, compression_ratio)
            return found

        self.model.generate_with_fallback = decode
        try:
            yield count
        finally:
            del self.model.generate_with_fallback  # the class's own again

    def _applied(self, info, config: RunConfig) -> dict:
        """What faster-whisper reports in `info.transcription_options`, named as the knobs
        are. The batched pipeline decodes each clip once, at the first temperature and
        without previous text (as it reports), and never samples (CTranslate2 draws from
        the top token only there), so the fallback thresholds, `best_of` and the seed
        did not act."""
        applied = info.transcription_options
        batched = config.strategy == "batched"
        sampled = not batched and any(t > 0 for t in applied.temperatures)
        settings = super().decoding_settings(config) | {
            "beam_size": applied.beam_size,
            "patience": applied.patience if applied.beam_size > 1 and 0.0 in applied.temperatures else None,
            "best_of": applied.best_of if sampled else None,
            "temperatures": list(applied.temperatures),
            "condition_on_previous_text": applied.condition_on_previous_text,
            "compression_ratio_threshold": None if batched else applied.compression_ratio_threshold,
            "logprob_threshold": None if batched else applied.log_prob_threshold,
            "no_speech_threshold": None if batched else applied.no_speech_threshold,
            "seed": config.seed if sampled else None,
            "max_new_tokens": applied.max_new_tokens,
            "vad_filter": info.vad_options is not None,
            "without_timestamps": applied.without_timestamps,
        }
        if info.vad_options is not None:
            # JSON has no infinity: an unbounded speech length is recorded as None,
            # which leaves faster-whisper's default (unbounded) to a reference call
            settings["vad_parameters"] = {
                name: None if value == math.inf else value for name, value in dataclasses.asdict(info.vad_options).items()
            }
        if batched:
            settings["chunk_length_s"] = self.model.feature_extractor.chunk_length
            settings |= {"clips": "vad"} if info.vad_options is not None else pauses.SETTINGS
        return settings

    def decoding_settings(self, config: RunConfig) -> dict:
        if self.applied is None:
            raise RuntimeError("faster-whisper reports the settings it applied only after a pass")
        return self.applied

    def release(self) -> None:
        self.model = self.pipeline = None

    def gpu_name(self) -> str | None:
        return "CUDA device 0 (CTranslate2)" if self.device == "cuda" else None

    def packages(self) -> tuple[str, ...]:
        return ("faster-whisper", "ctranslate2")
