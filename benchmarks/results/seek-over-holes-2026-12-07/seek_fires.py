"""Batched b16 rows of a backend, each clip's transcript saved as
OUT/CLIP+0.BACKEND-batched-DTYPE-b16.txt, and per clip the windows decoded after text
that start at no first-pass cut: the seek loop over a hole no try heard.

    PYTHONPATH=. .venv/bin/python seek_fires.py OUT jax|pytorch float32|bfloat16 WAV...
"""
import sys
import threading
from pathlib import Path

from asr_tui.core import audio, backends, weights
from asr_tui.core.backends.longform import loops
from asr_tui.core.config import RunConfig

out, name, dtype, wavs = Path(sys.argv[1]), sys.argv[2], sys.argv[3], [Path(p) for p in sys.argv[4:]]
short = {"float32": "fp32", "bfloat16": "bf16"}[dtype]
config = RunConfig(backend=name, model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create(name)
backend.load(config, weights.resolve("tiny.en"))
unpatched = loops.batched
seen: list[str] = []


def batched(decode, cuts, *rest):
    cut_starts = {w.start for w in cuts.windows}

    def traced(windows, previous, rows, reach=None):
        found = decode(windows, previous, rows, reach)
        for w, d in zip(windows, found):
            if previous and w.start not in cut_starts:
                seen.append(f"[{w.start / 100:.1f},{w.end:.1f}] T={d.temperature} lp={d.avg_logprob:.2f} "
                            f"ns={d.no_speech_prob:.2f} '{d.text[:90]}'")
        return found
    return unpatched(traced, cuts, *rest)


loops.batched = batched
out.mkdir(parents=True, exist_ok=True)
for wav in wavs:
    seen.clear()
    with audio.decoded(wav) as decoded:
        transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
    (out / f"{wav.stem}+0.{name}-batched-{short}-b16.txt").write_text(transcript.text)
    print(wav.stem, len(seen), flush=True)
    for line in seen:
        print("  " + line, flush=True)
