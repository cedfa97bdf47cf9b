"""Adversarial clips: conditions the corpus lacks (silence windows, noise, quiet, tones, 12 min)."""
import os
import wave

import numpy as np
from pathlib import Path
from benchmarks.clips import Clip, make
from asr_tui.core import audio

out = Path(os.environ["OUT"]) / "clips"
SR = 16000
rng = np.random.default_rng(7)

def speech(name, topic, words, voice, wpm, seed, **kw):
    p, text = make(Clip(name, topic, words, voice, wpm, seed=seed, **kw), out / "raw")
    return audio.load(p).samples.astype(np.float32), text

def save(name, x, text):
    x = np.clip(x, -1, 1)
    with wave.open(str(out / f"{name}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(SR); w.writeframes((x * 32767).astype("<i2").tobytes())
    (out / f"{name}.txt").write_text(text)
    print(name, f"{len(x)/SR/60:.1f} min", len(text.split()), "words")

a, ta = speech("a", "harbour", 500, "en-029", 175, 101)
b, tb = speech("b", "city", 500, "en-029", 175, 102)
save("silence-mid-45", np.concatenate([a, np.zeros(45 * SR, np.float32), b]), ta + " " + tb)
c, tc = speech("c", "library", 700, "en-gb-x-rp", 160, 103)
save("lead-silence-25", np.concatenate([np.zeros(25 * SR, np.float32), c, np.zeros(20 * SR, np.float32)]), tc)
d, td = speech("d", "orchard", 900, "en-gb-x-gbclan", 185, 104)
noise = rng.normal(0, 1, len(d)).astype(np.float32)
snr_db = 10
noise *= np.sqrt(np.mean(d**2) / np.mean(noise**2) / 10 ** (snr_db / 10))
save("noisy-snr10", d + noise, td)
e, te = speech("e", "workshop", 800, "en-us+f2", 165, 105)
save("quiet-40db", e * 0.01, te)
f, tf = speech("f", "city", 900, "en-us-nyc", 190, 106)
t = np.arange(8 * SR) / SR
tone = (0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32)
parts, step = [], 60 * SR
for i in range(0, len(f), step):
    parts += [f[i:i + step], tone]
save("tones-every-min", np.concatenate(parts), tf)
g, tg = speech("g", "library", 2300, "en-us+m1", 190, 107)
save("long-12min-m1", g, tg)
