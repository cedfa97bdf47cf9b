"""whisper-jax's windows decoded once per clip and dtype, then joined both ways: by
transformers' `_decode_asr` (what whisper-jax's pipeline returns) and by asr-tui's
fixed-stride seam merge (what the backend returns since b362e7d). The tokens are the
same, so every difference is the merge's. tiny.en, batch 16, 2 threads:

    PYTHONPATH=. .venv/bin/python benchmarks/results/whisper-jax-seams-2026-12-06/same_tokens.py CLIP.wav ...
"""
import sys
import threading
from pathlib import Path

import numpy as np

from asr_tui.core import backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.audio import decoded
from asr_tui.core.backends.longform.seams import merge_windows
from asr_tui.core.backends.longform.window import Window
from asr_tui.core.backends.whisper_jax_backend import window_segments
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors
from asr_tui.core.transcript import SAMPLES_PER_FRAME


def scored(reference: str, text: str) -> str:
    errors, alignment = word_errors(reference, text), align(reference, text)
    return (f"WER {errors.errors / errors.reference_words:.4f} S/D/I {errors.substitutions}/{errors.deletions}/"
            f"{errors.insertions} lost {len(alignment.longest_lost())} added {len(alignment.longest_added())}")


for dtype in ("bfloat16", "float32"):
    config = RunConfig(backend="whisper-jax", model="tiny.en", warmup=0, repeat=1, dtype=dtype, strategy="batched",
                       batch_size=16, temperatures=(0.0,), threads=2)
    backend = backends.create("whisper-jax")
    backend.check(config)
    backend.check_available(config)
    backend.load(config, weights.resolve("tiny.en"))
    pipeline = backend.pipeline
    for clip in map(Path, sys.argv[1:]):
        with decoded(clip) as audio:
            rows = pipeline({"array": audio.samples(), "sampling_rate": 16_000}, chunk_length_s=30.0, stride_length_s=5.0,
                            batch_size=16, language="en", task="transcribe", return_timestamps=True)
        strides = [stride for _, stride in pipeline.plan]
        windows = [Window(start // SAMPLES_PER_FRAME, stride[0] // SAMPLES_PER_FRAME) for start, stride in pipeline.plan]
        outputs = [{"tokens": np.asarray(tokens)[None, :], "stride": tuple(x / 16_000 for x in stride)}
                   for stride, tokens in zip(strides, rows, strict=True)]
        theirs, _ = pipeline.tokenizer._decode_asr(outputs, return_timestamps=True, return_language=None, time_precision=0.02)
        ours = "".join(s.text for s in merge_windows([(w, window_segments(t, w, pipeline.tokenizer))
                                                      for w, t in zip(windows, rows)], fixed_stride=True))
        reference = clip.with_suffix(".txt").read_text()
        print(f"{clip.stem[:32]:32s} {dtype:8s} transformers {scored(reference, theirs)}", flush=True)
        print(f"{clip.stem[:32]:32s} {dtype:8s} asr-tui      {scored(reference, ours)}", flush=True)
    backend.release()
