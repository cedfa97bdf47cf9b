"""Each first-pass window of JAX fp32 tiny.en batched b16, shift 0: its length, the sound
after its last word (`tail`; `tail+pad` with the zero padding to 30 s), the speech its
transcript left unheard (EARLY where more than 1 s), and with TOKENS=1 its last eight
tokens (timestamps in seconds). Run at a20608b, whose `DecodeFn` takes no `reach`:

    [TOKENS=1] PYTHONPATH=. .venv/bin/python benchmarks/results/must-reach-2026-12-06/first_pass.py CLIP ...
"""
import sys, threading, os
import numpy as np
from asr_tui.core.backends.longform import loops, pauses
from asr_tui.core import backends, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.transcript import FRAMES_PER_SECOND
from benchmarks.clips import CLIPS, make
from benchmarks.long_form import shifted
names = sys.argv[1:]
cfg = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, dtype="float32", strategy="batched", batch_size=16)
be = backends.create("jax"); be.load(cfg, weights.resolve("tiny.en"))
orig = loops.batched
state = {}
def patched(decode, cuts, tok, config, progress, cancel):
    first_calls = []
    def d(windows, prompt, rows):
        out = decode(windows, prompt, rows)
        if not state.get("redo"):
            first_calls.extend(zip(windows, out))
        return out
    state["cuts"] = cuts; state["first"] = first_calls; state["tok"] = tok
    n = len([w for w in cuts.windows if cuts.sounds(w)])
    # the first pass ends once every window with sound is decoded
    def d2(windows, prompt, rows):
        out = d(windows, prompt, rows)
        if len(first_calls) >= n: state["redo"] = True
        return out
    return orig(d2, cuts, tok, config, progress, cancel)
loops.batched = patched
from asr_tui.core.backends.longform.window import split_segments
for name in names:
    path, ref = make(next(c for c in CLIPS if c.name == name))
    state.clear()
    with shifted(path, 0) as dd:
        t = be.transcribe(dd, cfg, lambda *_: None, threading.Event())
    cuts = state["cuts"]; tok = state["tok"]
    early = 0
    for w, o in state["first"]:
        segs = split_segments(o.tokens, w, tok.timestamp_begin, tok.decode, keep_tail=True)[0]
        segs = [cuts.trimmed(s) for s in segs if s.start < w.end]
        snd = np.flatnonzero(~cuts.gaps[w.start:w.start + w.frames])
        last_sound = (w.start + snd[-1] + 1) / FRAMES_PER_SECOND if snd.size else w.offset
        heard = segs[-1].end if segs else w.offset
        stop = last_sound - heard > 1.0
        early += stop
        print(f"{name[:20]:20s} {w.offset:7.2f} len {w.seconds:5.2f} tail {w.end-last_sound:4.2f} tail+pad {30-(last_sound-w.offset):5.2f} unheard {last_sound-heard:5.2f} {'EARLY' if stop else ''} T={o.temperature}")
    print(name, "early", early, "of", len(state["first"]), flush=True)
    if os.environ.get("TOKENS"):
        for w, o in state["first"]:
            ts = [(t - tok.timestamp_begin) * 0.02 if t >= tok.timestamp_begin else tok.decode([t]) for t in o.tokens[-8:]]
            print(f"  {w.offset:7.2f} len {w.seconds:5.2f} last tokens {ts}")
