"""Batched JAX b16 (dtype: first argument) on held-out-style WAV files, each with its reference beside it as .txt
(`../sounds-not-speech-2026-12-06/make_clips.py` and `make_more_clips.py` make them under $OUT):
WER, longest run of reference words lost, longest run added, words repeated.

    PYTHONPATH=. .venv/bin/python benchmarks/results/sentence-pauses-2026-12-06/held_out.py float32 \
        $OUT/clips/*.wav $OUT/more-clips/{voices-alternating,pauses-5s,fast-280,telephone-band}.wav
"""
import sys, threading
from pathlib import Path
from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.config import RunConfig
from asr_tui.core.wholeness import longest_repetition
dtype = sys.argv[1]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create("jax"); backend.load(config, weights.resolve("tiny.en"))
for p in map(Path, sys.argv[2:]):
    ref = p.with_suffix(".txt").read_text()
    with audio.decoded(p) as d:
        t = backend.transcribe(d, config, lambda *_: None, threading.Event())
    a = align(ref, t.text); e = word_errors(ref, t.text)
    print(f"{p.stem:24s} {e.wer:.3f} lost {len(a.longest_lost()):3d} added {len(a.longest_added()):3d} rep {longest_repetition(t.text).words}", flush=True)
