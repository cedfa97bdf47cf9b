import sys, threading
from benchmarks import long_form
from benchmarks.clips import CLIPS, make
from asr_tui.core import backends, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors
from asr_tui.core.alignment import align
names = sys.argv[1].split(",")
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16)
b = backends.create("jax"); b.load(config, weights.resolve("tiny.en"))
for c in CLIPS:
    if c.name not in names: continue
    path, ref = make(c)
    with long_form.shifted(path, 0) as d:
        t = b.transcribe(d, config, lambda *_: None, threading.Event())
    e = word_errors(ref, t.text); a = align(ref, t.text)
    print(f"{c.name:28s} WER {e.wer:.3f} lost {len(a.longest_lost())}", flush=True)
