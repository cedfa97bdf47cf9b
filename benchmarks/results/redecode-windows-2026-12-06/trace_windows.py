"""One clip decoded by JAX fp32 tiny.en (batched b16, or sequential without its prompt),
every decoded window printed: its span, temperature, average log probability,
no-speech probability and text.

    PYTHONPATH=. .venv/bin/python benchmarks/results/redecode-windows-2026-12-06/trace_windows.py CLIP SHIFT batched|sequential
"""
import sys, threading, dataclasses
from asr_tui.core import backends, weights
from asr_tui.core.backends.longform import loops
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors
from benchmarks.clips import CLIPS, make
from benchmarks.long_form import shifted
name = sys.argv[1]; shift = float(sys.argv[2]); strategy = sys.argv[3]
path, ref = make(next(c for c in CLIPS if c.name == name))
cfg = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, dtype="float32", strategy=strategy,
                batch_size=16 if strategy == "batched" else 1, condition_on_previous_text=False)
be = backends.create("jax"); be.load(cfg, weights.resolve("tiny.en"))
orig_b, orig_s = loops.batched, loops.sequential
def wrap(decode):
    def d(windows, prompt, rows, *reach):
        out = decode(windows, prompt, rows, *reach)
        for w, o in zip(windows, out):
            print(f"W {w.offset:7.2f}-{w.end:7.2f} T={o.temperature:.1f} lp={o.avg_logprob:6.3f} ns={o.no_speech_prob:.2f} | {o.text}")
        return out
    return d
loops.batched = lambda decode, *a: orig_b(wrap(decode), *a)
loops.sequential = lambda decode, *a: orig_s(wrap(decode), *a)
with shifted(path, shift) as d:
    t = be.transcribe(d, cfg, lambda *_: None, threading.Event())
print("WER", word_errors(ref, t.text).wer)
