"""Batched rows only, on WAVs with saved sequential transcripts: saves CLIP+0.LABEL.txt.
usage: only_batched.py OUT BACKEND DTYPE WAV..."""
import sys, threading
from pathlib import Path
from asr_tui.core.backends.longform import loops
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
out, name, dtype, wavs = Path(sys.argv[1]), sys.argv[2], sys.argv[3], [Path(p) for p in sys.argv[4:]]
short = {"float32": "fp32", "bfloat16": "bf16"}[dtype]
config = RunConfig(backend=name, model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create(name); backend.load(config, weights.resolve("tiny.en"))
calls = [0]
orig = loops.batched
def counted(decode, *a):
    def d(w, p, r, *reach):
        calls[0] += r; return decode(w, p, r, *reach)
    return orig(d, *a)
loops.batched = counted
out.mkdir(parents=True, exist_ok=True)
for wav in wavs:
    calls[0] = 0
    with audio.decoded(wav) as d:
        t = backend.transcribe(d, config, lambda *_: None, threading.Event())
    (out / f"{wav.stem}+0.{name}-batched-{short}-b16.txt").write_text(t.text)
    print(f"{wav.stem} {name} {short} rows {calls[0]}", flush=True)
