"""Mixed-rate clips (Python's reference prose, pydoc_data.topics): paragraphs read by a
fast and a slow voice, the slow one every second, sixth, fourth or third paragraph;
JAX sequential, and batched fp32 with the pace rule and without it (PACE_SLACK huge).
WER, longest run lost, lost where sequential kept it, added. Clips go to /tmp/s24/probe.

    PYTHONPATH=. .venv/bin/python mixed_rates.py mild|harsh
"""
import re, sys, threading, wave
from pathlib import Path
import numpy as np
from prose import paragraphs
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
from asr_tui.core.backends.longform import word_sound
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from benchmarks.clips import speak
paras = paragraphs()
rng = np.random.default_rng(5)
out = Path("/tmp/s24/probe")
def make(name, first, slow_every, fast, slow):
    wav = out / f"{name}.wav"
    chosen = paras[first:first + 40]
    words, used, parts = 0, [], []
    for i, p in enumerate(chosen):
        voice, wpm = slow if i % slow_every == slow_every - 1 else fast
        speak(p, out / "part.wav", voice, wpm)
        with wave.open(str(out / "part.wav")) as w:
            rate = w.getframerate(); parts.append(np.frombuffer(w.readframes(w.getnframes()), "<i2"))
        parts.append(np.zeros(int(rng.uniform(0.3, 1.2) * rate), "<i2"))
        used.append(p); words += len(p.split())
        if words > 1100: break
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(np.concatenate(parts).tobytes())
    return wav, " ".join(used)
clips = {
    "mixed-halves-235-115": make("mixed-halves-235-115", 10, 2, ("en-us", 235), ("en-gb-x-rp", 115)),
    "mixed-one-in-six-230-110": make("mixed-one-in-six-230-110", 60, 6, ("en-us+m3", 230), ("en-gb+f2", 110)),
} if sys.argv[1] == "mild" else {
    "mixed-one-in-four-240-100": make("mixed-one-in-four-240-100", 110, 4, ("en-us-nyc", 240), ("en-gb-scotland+f3", 100)),
    "mixed-one-in-three-250-120": make("mixed-one-in-three-250-120", 150, 3, ("en+m7", 250), ("en-us+f2", 120)),
}
backend = backends.create("jax")
seq_texts = {}
for label, strategy, slack in [("seq", "sequential", None), ("bat pace", "batched", word_sound.PACE_SLACK), ("bat no-pace", "batched", 1e9)]:
    if slack is not None:
        word_sound.PACE_SLACK = slack
    config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy=strategy, batch_size=16 if strategy == "batched" else 1)
    backend.load(config, weights.resolve("tiny.en"))
    for name, (wav, ref) in clips.items():
        with audio.decoded(wav) as d:
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        a = align(ref, t.text)
        if label == "seq": seq_texts[name] = align(ref, t.text)
        kept = len(a.longest_lost(seq_texts[name])) if label != "seq" else 0
        print(f"{name:26s} {label:12s} WER {word_errors(ref, t.text).wer:.3f} lost {len(a.longest_lost()):3d} where-seq-kept {kept:3d} added {len(a.longest_added()):3d}", flush=True)
