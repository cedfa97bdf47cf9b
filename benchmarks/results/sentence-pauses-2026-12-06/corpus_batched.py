"""Batched JAX b16 (dtype: first argument) on every long-form corpus clip, or those named, and the 8.3-minute one, each at
shifts 0, 0.5 and 1 s: WER, longest run of reference words lost, longest run added, words repeated.

    PYTHONPATH=. .venv/bin/python benchmarks/results/sentence-pauses-2026-12-06/corpus_batched.py float32 [CLIP ...]
"""
import sys, threading
from asr_tui.core import backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.config import RunConfig
from asr_tui.core.wholeness import longest_repetition
from benchmarks.clips import CLIPS, make
from benchmarks.long_clip import long_clip
from benchmarks.long_form import shifted
dtype = sys.argv[1] if len(sys.argv) > 1 else "float32"
only = sys.argv[2:]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create("jax"); backend.load(config, weights.resolve("tiny.en"))
clips = [(c.name, *make(c)) for c in CLIPS if not only or c.name in only]
if not only or "long" in only:
    clips.append(("long", *long_clip(2)))
total = []
for name, path, ref in clips:
    for shift in (0, 0.5, 1):
        with shifted(path, shift) as d:
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        a = align(ref, t.text); e = word_errors(ref, t.text)
        print(f"{name:34s} {shift:4g} {e.wer:.3f} lost {len(a.longest_lost()):3d} added {len(a.longest_added()):3d} rep {longest_repetition(t.text).words}", flush=True)
