"""Held-out-style probe: Python's language reference prose (`prose.py`), read by
voices and variants the corpus lacks; JAX sequential fp32, batched fp32 and bf16 b16.
WER and the longest run lost (and lost where sequential kept it). Clips, references and
the transcripts (texts.json) go to /tmp/s24/probe.

    PYTHONPATH=. .venv/bin/python benchmarks/results/python-reference-2026-12-07/probe.py [NAME,NAME,...]
"""
import json, re, sys, threading
from pathlib import Path
from prose import paragraphs
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from benchmarks.clips import speak

paras = paragraphs()
PROBES = {  # name: (first paragraph, words, voice, wpm, paragraph pause ms)
    "py-lancs-klatt4-175": (0, 1300, "en-gb-x-gbclan+klatt4", 175, 0),
    "py-us-whisperf-160": (40, 1100, "en-us+whisperf", 160, 0),
    "py-nyc-storm-210-pauses": (80, 1400, "en-us-nyc+Storm", 210, 2000),
    "py-caribbean-f4-230": (120, 1600, "en-029+f4", 230, 0),
    "py-scot-m7-140-pauses": (160, 1000, "en-gb-scotland+m7", 140, 1200),
    "py-rp-grandma-190": (200, 1200, "en-gb-x-rp+grandma", 190, 0),
}
out_dir = Path("/tmp/s24/probe"); out_dir.mkdir(exist_ok=True)
names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(PROBES)
clips = {}
for name in names:
    first, words, voice, wpm, pause = PROBES[name]
    chosen, count = [], 0
    for p in (paras[first:] + paras[:first]):
        chosen.append(p); count += len(p.split())
        if count >= words: break
    wav = out_dir / f"{name}.wav"
    if not wav.exists():
        speak(chosen, wav, voice, wpm, paragraph_pause_ms=pause)
    (out_dir / f"{name}.txt").write_text("\n\n".join(chosen))
    clips[name] = (wav, " ".join(chosen))
backend = backends.create("jax")
texts = {}
for label, strategy, dtype in [("seq fp32", "sequential", "float32"), ("bat fp32", "batched", "float32"), ("bat bf16", "batched", "bfloat16")]:
    config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy=strategy,
                       batch_size=16 if strategy == "batched" else 1, dtype=dtype)
    backend.load(config, weights.resolve("tiny.en"))
    for name, (wav, ref) in clips.items():
        with audio.decoded(wav) as d:
            minutes = d.duration / 60 if hasattr(d, "duration") else 0
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        texts[(name, label)] = t.text
        a = align(ref, t.text)
        seq = align(ref, texts[(name, "seq fp32")]) if label != "seq fp32" else None
        kept = f" lost-where-seq-kept {len(a.longest_lost(seq)):3d}" if seq else ""
        print(f"{name:26s} {label} WER {word_errors(ref, t.text).wer:.3f} lost {len(a.longest_lost()):3d}{kept} added {len(a.longest_added()):3d}", flush=True)
json.dump({f"{n}|{l}": t for (n, l), t in texts.items()}, open(out_dir / "texts.json", "w"), indent=1)
