"""JAX sequential and batched b16 (dtype: first argument) on WAV files with their
references beside them as .txt (`make_noisy_clips.py`): WER, the longest run of
reference words lost, and, for batched, the longest lost where sequential kept them.

    PYTHONPATH=. .venv/bin/python benchmarks/results/continuous-speech-2026-12-06/noisy_held_out.py float32 $OUT/noisy/*.wav
"""
import sys
import threading
from pathlib import Path

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors

dtype = sys.argv[1]
runs = {
    "sequential": RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1),
    "batched": RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype),
}
loaded = {}
for name, config in runs.items():
    loaded[name] = backends.create("jax")
    loaded[name].load(config, weights.resolve("tiny.en"))
for path in map(Path, sys.argv[2:]):
    reference = path.with_suffix(".txt").read_text()
    found = {}
    for name, config in runs.items():
        with audio.decoded(path) as decoded:
            text = loaded[name].transcribe(decoded, config, lambda *_: None, threading.Event()).text
        found[name] = align(reference, text), word_errors(reference, text).wer
    (seq, seq_wer), (bat, bat_wer) = found["sequential"], found["batched"]
    print(f"{path.stem:16s} sequential {seq_wer:.3f} lost {len(seq.longest_lost()):3d} | batched {bat_wer:.3f} "
          f"lost {len(bat.longest_lost()):3d}, of them kept by sequential {len(bat.longest_lost(seq)):3d}", flush=True)
