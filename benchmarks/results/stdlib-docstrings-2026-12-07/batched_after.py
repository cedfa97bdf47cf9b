"""The batched rows of a probe again (JAX fp32 and bf16, PyTorch fp32, b16), held to the
sequential transcripts of its earlier run (texts_before.json, else texts.json, in the
probe's folder of clips): whether a change of the code changed them (same-as-before).

    PYTHONPATH=. .venv/bin/python benchmarks/results/stdlib-docstrings-2026-12-07/batched_after.py /tmp/s25/lib NAME,NAME,...
"""
import json, sys, threading
from pathlib import Path
from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors
folder, names = Path(sys.argv[1]), sys.argv[2].split(",")
before = json.load(open(folder / "texts_before.json" if (folder / "texts_before.json").exists() else folder / "texts.json"))
out = {}
for label, b, dtype, held in [("jax bat fp32", "jax", "float32", "jax seq fp32"), ("jax bat bf16", "jax", "bfloat16", "jax seq fp32"), ("pt bat fp32", "pytorch", "float32", "pt seq fp32")]:
    backend = backends.create(b)
    config = RunConfig(backend=b, model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
    backend.load(config, weights.resolve("tiny.en"))
    for name in names:
        ref = (folder / f"{name}.txt").read_text()
        with audio.decoded(folder / f"{name}.wav") as d:
            text = backend.transcribe(d, config, lambda *_: None, threading.Event()).text
        out[f"{name}|{label}"] = text
        a = align(ref, text)
        print(f"{name:36s} {label} WER {word_errors(ref, text).wer:.3f} lost {len(a.longest_lost()):3d} lost-where-seq-kept {len(a.longest_lost(align(ref, before[f'{name}|{held}']))):3d} same-as-before {text == before.get(f'{name}|{label}')}", flush=True)
    backend.release()
json.dump(out, open(folder / "texts_batched_after.json", "w"), indent=1)
