"""Batched with the pace rule and without (PACE_SLACK huge), on WAVs with a .txt reference beside them.

    PYTHONPATH=. .venv/bin/python ab.py jax|pytorch float32|bfloat16 CLIP.wav ...
"""
import sys, threading
from pathlib import Path
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
from asr_tui.core.backends.longform import word_sound
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
backend_name, dtype = sys.argv[1], sys.argv[2]
backend = backends.create(backend_name)
config = RunConfig(backend=backend_name, model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend.load(config, weights.resolve("tiny.en"))
slack = word_sound.PACE_SLACK
for wav in sys.argv[3:]:
    ref = Path(wav).with_suffix(".txt").read_text()
    row = []
    for label, s in (("pace", slack), ("no-pace", 1e9)):
        word_sound.PACE_SLACK = s
        with audio.decoded(wav) as d:
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        a = align(ref, t.text)
        row.append(f"{label} {word_errors(ref, t.text).wer:.3f} lost {len(a.longest_lost()):2d} added {len(a.longest_added()):2d}")
    print(f"{Path(wav).stem:28s} {backend_name} {dtype}  " + "  |  ".join(row), flush=True)
