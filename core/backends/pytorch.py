"""openai-whisper's own `transcribe` on PyTorch: the reference the study measures.

The backend calls the library's long-form loop unchanged so that its timings are the
library's; progress and cancel come from standing in for the tqdm bar that loop
updates once per 30 s window.
"""

from __future__ import annotations

import sys
import threading
import types
from contextlib import contextmanager

import numpy as np

from asr_tui.core.backends.base import Backend, check_cancel
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import FRAMES_PER_SECOND, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights


def load_whisper_model(weights: Weights, device: str):
    """Build openai-whisper's module from a checkpoint on disk, never from the network."""
    import torch
    import whisper

    try:
        checkpoint = torch.load(weights.checkpoint, map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a corrupt file can fail in many ways
        raise AsrTuiError(f"cannot load checkpoint {weights.checkpoint}: {exc}") from None
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads")
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    elif weights.name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[weights.name])
    return model.to(device)


def _progress_bar_class(progress: ProgressFn, cancel: threading.Event):
    """A tqdm stand-in: reports each window's new segments and stops on cancel.

    openai-whisper updates its bar right after appending a window's segments to the
    local `all_segments`, so the caller's frame holds exactly what was just decoded.
    """

    class ProgressBar:
        def __init__(self, total: int, **_ignored) -> None:
            self.total = total
            self.done = 0
            self.reported = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def update(self, n: int) -> None:
            self.done += n
            segments = sys._getframe(1).f_locals.get("all_segments", [])
            new = [Segment(s["start"], s["end"], s["text"]) for s in segments[self.reported :]]
            self.reported = len(segments)
            progress(self.done / FRAMES_PER_SECOND, new)
            check_cancel(cancel)

    return ProgressBar


@contextmanager
def _hooked_progress(progress: ProgressFn, cancel: threading.Event):
    import whisper  # noqa: F401 - loads the submodule the package's function shadows

    module = sys.modules["whisper.transcribe"]
    original = module.tqdm
    module.tqdm = types.SimpleNamespace(tqdm=_progress_bar_class(progress, cancel))
    try:
        yield
    finally:
        module.tqdm = original


class PyTorchBackend(Backend):
    name = "pytorch"
    description = "openai-whisper on PyTorch (the reference)"
    dtypes = ("float32", "float16")
    options = ("beam_size", "best_of", "threads", "temperatures", "condition_on_previous_text", "max_new_tokens")

    def __init__(self) -> None:
        self.model = None
        self.device = "cpu"

    def check(self, config: RunConfig) -> None:
        super().check(config)
        if config.dtype == "float16" and config.device == "cpu":
            raise AsrTuiError("openai-whisper runs float16 only on cuda; use float32 on cpu")
        if config.strategy != "sequential":
            raise AsrTuiError("openai-whisper decodes one window at a time: use strategy sequential")

    def check_available(self, config: RunConfig) -> None:
        if config.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise AsrTuiError(
                    "cuda asked for but PyTorch sees no GPU (CPU build of torch, or no driver); "
                    "use --device cpu or install a CUDA build of torch"
                )

    def load(self, config: RunConfig, weights: Weights) -> None:
        model = load_whisper_model(weights, config.device)
        if config.dtype == "float16":
            model = model.half()
        self.model = model
        self.device = config.device

    def set_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)

    def transcribe(
        self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event
    ) -> Transcript:
        import torch
        import whisper

        torch.manual_seed(config.seed)
        language = config.language
        if language is None and not self.model.is_multilingual:
            language = "en"
        with _hooked_progress(progress, cancel), torch.inference_mode():
            result = whisper.transcribe(
                self.model,
                samples,
                verbose=False,
                temperature=config.temperatures,
                compression_ratio_threshold=config.compression_ratio_threshold,
                logprob_threshold=config.logprob_threshold,
                no_speech_threshold=config.no_speech_threshold,
                condition_on_previous_text=config.condition_on_previous_text,
                beam_size=config.beam_size if config.beam_size > 1 else None,
                best_of=config.best_of,
                language=language,
                task=config.task,
                fp16=config.dtype == "float16",
                sample_len=config.max_new_tokens,
            )
        if self.device == "cuda":
            torch.cuda.synchronize()
        segments = [Segment(s["start"], s["end"], s["text"]) for s in result["segments"]]
        return Transcript(text=result["text"].strip(), segments=segments, language=result["language"])

    def release(self) -> None:
        self.model = None
        if self.device == "cuda":
            import torch

            torch.cuda.empty_cache()

    def reset_peak_gpu_memory(self) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()

    def peak_gpu_memory_mb(self) -> float | None:
        if self.device != "cuda":
            return None
        import torch

        return torch.cuda.max_memory_allocated() / 2**20

    def gpu_name(self) -> str | None:
        if self.device != "cuda":
            return None
        import torch

        return torch.cuda.get_device_name()

    def packages(self) -> tuple[str, ...]:
        return ("openai-whisper", "torch")
