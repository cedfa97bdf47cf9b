"""Each backend's reference: its library's own public call, rebuilt from the decoding
settings a result records as applied (`Backend.decoding_settings`).

A backend is a faithful peer when its transcript equals what its library gives when
called directly with those settings: openai-whisper's `transcribe`, faster-whisper's
`WhisperModel.transcribe` or `BatchedInferencePipeline.transcribe`, whisper-jax's
`FlaxWhisperPipline`. Our own JAX code has no library of its own; its reference is
openai-whisper's `transcribe`, the algorithm it reimplements.

The call is built from the record alone (the configuration gives only what is not a
decoding setting: weights, device, dtype, threads, batch size), so a setting the
backend applied but did not record, or recorded but did not apply, shows up as a
different transcript. A setting recorded as None was not applied: the library's own
default stands. This lives in core beside the backends because it reads their record:
a change to what a backend records is a change here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from asr_tui.core import weights as weights_store
from asr_tui.core.audio import SAMPLE_RATE
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError

# (samples, applied settings) -> the library's transcript text
ReferenceCall = Callable[[np.ndarray, dict], str]


def load(config: RunConfig) -> ReferenceCall:
    """Load the reference library's model for `config` (outside any timing) and return
    its call."""
    if config.backend not in _LOADERS:
        raise AsrTuiError(f"no reference call is known for backend '{config.backend}'")
    return _LOADERS[config.backend](config)


def describe(config: RunConfig) -> str:
    """The library call that is `config`'s reference, for tables."""
    if config.backend == "ctranslate2" and config.strategy == "batched":
        return "faster-whisper BatchedInferencePipeline"
    return {"ctranslate2": "faster-whisper WhisperModel", "whisper-jax": "whisper-jax FlaxWhisperPipline"}.get(
        config.backend, "openai-whisper transcribe"
    )


def _given(**settings) -> dict:
    """The settings that were applied; the others are left to the library's default."""
    return {name: value for name, value in settings.items() if value is not None}


def _openai_whisper(config: RunConfig) -> ReferenceCall:
    import torch
    import whisper

    model = whisper.load_model(str(weights_store.resolve(config.model).checkpoint), device=config.device)
    torch.set_num_threads(config.resolved_threads)
    # our JAX code is compared with openai-whisper at openai-whisper's own precision
    fp16 = config.backend == "pytorch" and config.dtype == "float16"

    def call(samples: np.ndarray, applied: dict) -> str:
        if applied["seed"] is not None:
            torch.manual_seed(applied["seed"])
        beam_size = applied["beam_size"]
        result = whisper.transcribe(
            model, samples, verbose=None, fp16=fp16,
            **_given(
                temperature=tuple(applied["temperatures"]),
                compression_ratio_threshold=applied["compression_ratio_threshold"],
                logprob_threshold=applied["logprob_threshold"],
                no_speech_threshold=applied["no_speech_threshold"],
                condition_on_previous_text=applied["condition_on_previous_text"],
                beam_size=beam_size if beam_size and beam_size > 1 else None,
                patience=applied["patience"],
                best_of=applied["best_of"],
                language=applied["language"],
                task=applied["task"],
                sample_len=applied["max_new_tokens"],
            ),
        )
        return result["text"].strip()

    return call


def _faster_whisper(config: RunConfig) -> ReferenceCall:
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    from asr_tui.core.backends.ctranslate2_backend import COMPUTE_TYPES, quiet_cuts
    from asr_tui.core.backends.longform import pauses

    model = WhisperModel(
        str(weights_store.ct2_directory(weights_store.resolve(config.model))), device=config.device,
        compute_type=COMPUTE_TYPES[config.dtype], cpu_threads=config.resolved_threads, local_files_only=True,
    )

    def call(samples: np.ndarray, applied: dict) -> str:
        import ctranslate2

        if applied["seed"] is not None:
            ctranslate2.set_random_seed(applied["seed"])
        vad = applied.get("vad_parameters")
        options = _given(
            language=applied["language"],
            task=applied["task"],
            beam_size=applied["beam_size"],
            patience=applied["patience"],
            best_of=applied["best_of"],
            temperature=list(applied["temperatures"]),
            compression_ratio_threshold=applied["compression_ratio_threshold"],
            log_prob_threshold=applied["logprob_threshold"],
            no_speech_threshold=applied["no_speech_threshold"],
            condition_on_previous_text=applied["condition_on_previous_text"],
            max_new_tokens=applied["max_new_tokens"],
            without_timestamps=applied.get("without_timestamps"),
            vad_filter=applied["vad_filter"],
            vad_parameters=None if vad is None else _given(**vad),
        )
        if applied["strategy"] == "batched":
            if applied.get("clips") == pauses.CLIPS:
                options["clip_timestamps"] = quiet_cuts(samples)[0]
            segments, _ = BatchedInferencePipeline(model).transcribe(
                samples, batch_size=config.batch_size, chunk_length=applied.get("chunk_length_s"), **options
            )
        else:
            segments, _ = model.transcribe(samples, **options)
        return "".join(segment.text for segment in segments).strip()

    return call


def _whisper_jax(config: RunConfig) -> ReferenceCall:
    import jax.numpy as jnp

    from asr_tui.core.backends.whisper_jax_backend import import_whisper_jax
    from asr_tui.core.weights.huggingface import flax_directory

    whisper_jax = import_whisper_jax()
    pipeline = whisper_jax.FlaxWhisperPipline(
        str(flax_directory(weights_store.resolve(config.model))), dtype=jnp.dtype(config.dtype)
    )

    def call(samples: np.ndarray, applied: dict) -> str:
        output = pipeline(
            {"array": samples.astype(np.float32), "sampling_rate": SAMPLE_RATE},
            batch_size=config.batch_size, return_timestamps=True,
            **_given(
                chunk_length_s=applied.get("chunk_length_s"),
                stride_length_s=applied.get("stride_length_s"),
                language=applied["language"],
                task=applied["task"],
            ),
        )
        return output["text"].strip()

    return call


_LOADERS = {"pytorch": _openai_whisper, "jax": _openai_whisper, "ctranslate2": _faster_whisper, "whisper-jax": _whisper_jax}
