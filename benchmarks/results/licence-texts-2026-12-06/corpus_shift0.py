"""JAX batched b16 at shift 0 on every clip of benchmarks.clips (the licence and long-words clips too) and the 8.3-minute clip: WER, longest run lost and added, rows decoded (padding included).

    PYTHONPATH=. .venv/bin/python benchmarks/results/licence-texts-2026-12-06/corpus_shift0.py float32|bfloat16
"""
import sys, threading
from asr_tui.core.backends.longform import loops
from asr_tui.core import backends, weights, audio
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.config import RunConfig
from benchmarks.clips import CLIPS, make
from benchmarks.long_clip import long_clip
dtype = sys.argv[1]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create("jax"); backend.load(config, weights.resolve("tiny.en"))
calls = [0]
orig = loops.batched
def counted(decode, *a):
    def d(w, p, r, *reach):
        calls[0] += r; return decode(w, p, r, *reach)
    return orig(d, *a)
loops.batched = counted
errs = refs = 0
for name, path, ref in [(c.name, *make(c)) for c in CLIPS] + [("long", *long_clip(2))]:
    calls[0] = 0
    with audio.decoded(path) as d:
        t = backend.transcribe(d, config, lambda *_: None, threading.Event())
    a = align(ref, t.text); e = word_errors(ref, t.text)
    errs += e.wer * len(a.reference); refs += len(a.reference)
    print(f"{name:34s} {e.wer:.3f} lost {len(a.longest_lost()):3d} added {len(a.longest_added()):3d} rows {calls[0]}", flush=True)
print(f"corpus WER {errs / refs:.4f}")
