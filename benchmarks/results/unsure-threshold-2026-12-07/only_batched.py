"""Batched rows only, on WAVs whose sequential transcripts were saved by a probe: saves
OUT/CLIP+0.BACKEND-batched-DTYPE-b16.txt, as `benchmarks.long_form --save` names them.

    PYTHONPATH=. .venv/bin/python only_batched.py OUT BACKEND DTYPE WAV...
"""
import sys
import threading
from pathlib import Path

from asr_tui.core import audio, backends, weights
from asr_tui.core.config import RunConfig

out, name, dtype, wavs = Path(sys.argv[1]), sys.argv[2], sys.argv[3], [Path(p) for p in sys.argv[4:]]
short = {"float32": "fp32", "bfloat16": "bf16"}[dtype]
config = RunConfig(backend=name, model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create(name)
backend.load(config, weights.resolve("tiny.en"))
out.mkdir(parents=True, exist_ok=True)
for wav in wavs:
    with audio.decoded(wav) as decoded:
        transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
    (out / f"{wav.stem}+0.{name}-batched-{short}-b16.txt").write_text(transcript.text)
    print(wav.stem, flush=True)
