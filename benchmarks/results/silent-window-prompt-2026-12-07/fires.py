"""JAX batched b16 rows, each clip's transcript saved as OUT/CLIP+0.jax-batched-DTYPE-b16.txt;
with experiment.patch applied, also the windows the first pass judged silent that were
decoded again after the window before (the rule tried), before and after.

    PYTHONPATH=. .venv/bin/python fires.py OUT float32|bfloat16 (corpus | WAV...)
"""
import sys
import threading
from pathlib import Path

from asr_tui.core import audio, backends, weights
from asr_tui.core.backends.longform import loops
from asr_tui.core.backends.longform.window import is_silence
from asr_tui.core.config import RunConfig

out, dtype, rest = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
if rest == ["corpus"]:
    from benchmarks.clips import CLIPS, make
    from benchmarks.long_clip import long_clip
    inputs = [(c.name, make(c)[0]) for c in CLIPS] + [("long", long_clip(2)[0])]
else:
    inputs = [(Path(p).stem, Path(p)) for p in rest]
short = {"float32": "fp32", "bfloat16": "bf16"}[dtype]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create("jax")
backend.load(config, weights.resolve("tiny.en"))
unpatched = loops.batched
fired: list[str] = []


def batched(decode, cuts, *rest):
    alone = {}  # each window's first decoding without a prompt, by start

    def traced(windows, previous, rows, reach=None):
        found = decode(windows, previous, rows, reach)
        for w, d in zip(windows, found):
            if previous and w.start in alone and is_silence(alone[w.start], config):
                was = alone[w.start]
                fired.append(f"[{w.start / 100:.1f},{w.end:.1f}] was ns={was.no_speech_prob:.2f} lp={was.avg_logprob:.2f}"
                             f" -> T={d.temperature} lp={d.avg_logprob:.2f} ns={d.no_speech_prob:.2f} '{d.text[:80]}'")
            if not previous:
                alone.setdefault(w.start, d)
        return found
    return unpatched(traced, cuts, *rest)


loops.batched = batched
out.mkdir(parents=True, exist_ok=True)
for name, path in inputs:
    fired.clear()
    with audio.decoded(path) as decoded:
        transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
    (out / f"{name}+0.jax-batched-{short}-b16.txt").write_text(transcript.text)
    print(name, len(fired), flush=True)
    for line in fired:
        print("  " + line, flush=True)
