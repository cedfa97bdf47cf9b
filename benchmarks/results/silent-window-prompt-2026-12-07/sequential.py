"""JAX sequential fp32 transcripts, as OUT/CLIP+0.jax-sequential-fp32.txt. usage: PYTHONPATH=. .venv/bin/python sequential.py OUT WAV..."""
import sys, threading
from pathlib import Path
from asr_tui.core import audio, backends, weights
from asr_tui.core.config import RunConfig
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1)
backend = backends.create("jax"); backend.load(config, weights.resolve("tiny.en"))
for p in map(Path, sys.argv[2:]):
    with audio.decoded(p) as d:
        t = backend.transcribe(d, config, lambda *_: None, threading.Event())
    (out / f"{p.stem}+0.jax-sequential-fp32.txt").write_text(t.text); print(p.stem, flush=True)
