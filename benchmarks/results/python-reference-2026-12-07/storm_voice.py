"""The voice and pause pattern that lost words on Python's reference (en-us-nyc+Storm,
210 wpm, 2 s between paragraphs) on the GPL, the GFDL and a corpus topic: JAX
sequential, and batched with the pace rule and without it. None lost words there.

    PYTHONPATH=. .venv/bin/python .../storm_voice.py float32
"""
import sys, threading
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
from asr_tui.core.backends.longform import word_sound
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from benchmarks.clips import Clip, make
clips = [Clip("gpl3-nyc-storm-210-pauses", "GPL-3", 1400, "en-us-nyc+Storm", 210, paragraph_pause_ms=2000),
         Clip("gfdl-nyc-storm-210-pauses", "GFDL-1.3", 1400, "en-us-nyc+Storm", 210, paragraph_pause_ms=2000),
         Clip("harbour-nyc-storm-210-pauses", "harbour", 1400, "en-us-nyc+Storm", 210, paragraph_pause_ms=2000, seed=77)]
made = [(c.name, *make(c)) for c in clips]
backend = backends.create("jax"); slack = word_sound.PACE_SLACK
seq = {}
for label, strategy, s in [("seq", "sequential", slack), ("pace", "batched", slack), ("no-pace", "batched", 1e9)]:
    word_sound.PACE_SLACK = s
    config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy=strategy, batch_size=16 if strategy == "batched" else 1, dtype=sys.argv[1])
    backend.load(config, weights.resolve("tiny.en"))
    for name, path, ref in made:
        with audio.decoded(path) as d:
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        a = align(ref, t.text)
        if label == "seq": seq[name] = a
        print(f"{name:30s} {label:8s} WER {word_errors(ref, t.text).wer:.3f} lost {len(a.longest_lost()):3d} where-seq-kept {len(a.longest_lost(seq[name])) if label != 'seq' else 0:3d}", flush=True)
