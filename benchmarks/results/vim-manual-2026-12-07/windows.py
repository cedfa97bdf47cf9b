"""Every window one JAX run decodes: start and length (s), how many previous tokens it
was decoded after, temperature, average log probability, compression ratio,
no-speech probability and text. How the shouting windows were found.

    PYTHONPATH=. .venv/bin/python benchmarks/results/vim-manual-2026-12-07/windows.py WAV batched|sequential [float32|bfloat16]
"""
import sys
import threading

from asr_tui.core import audio, backends, weights
from asr_tui.core.backends.longform import loops
from asr_tui.core.config import RunConfig


def traced(loop):
    def run(decode, *args, **kwargs):
        def logged(windows, previous, rows, reach=None):
            found = decode(windows, previous, rows, reach)
            for w, d in zip(windows, found):
                print(f"{w.offset:7.2f} {w.seconds:5.2f} after={len(previous):3d} T={d.temperature:.1f} "
                      f"lp={d.avg_logprob:6.3f} cr={d.compression_ratio:4.2f} ns={d.no_speech_prob:.2f} | {d.text}", flush=True)
            return found
        return loop(logged, *args, **kwargs)
    return run


loops.batched, loops.sequential = traced(loops.batched), traced(loops.sequential)
wav, strategy = sys.argv[1], sys.argv[2]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy=strategy,
                   batch_size=16 if strategy == "batched" else 1, dtype=sys.argv[3] if len(sys.argv) > 3 else "float32")
backend = backends.create("jax")
backend.load(config, weights.resolve("tiny.en"))
with audio.decoded(wav) as decoded:
    backend.transcribe(decoded, config, lambda *_: None, threading.Event())
