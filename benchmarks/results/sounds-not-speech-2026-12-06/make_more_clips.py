"""More held-out-style clips: alternating voices, 5 s pauses, 280 wpm, telephone band."""
import os, wave
import numpy as np
from pathlib import Path
from benchmarks.clips import prose, speak
from asr_tui.core import audio

out = Path(os.environ["OUT"]) / "more-clips"
out.mkdir(parents=True, exist_ok=True)
SR = 16000

def spoken(text, voice, wpm, name, **kw):
    p = speak(text, out / f"part-{name}.wav", voice, wpm, **kw)
    return audio.load(p).samples.astype(np.float32)

def save(name, x, text):
    with wave.open(str(out / f"{name}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(SR)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    (out / f"{name}.txt").write_text(text)
    print(name, f"{len(x)/SR/60:.1f} min", len(text.split()))

paras = prose("library", 1100, 201)
voices = ["en-us", "en-gb-scotland", "en-us+f2", "en-gb-x-rp"]
parts = [spoken(p, voices[i % 4], 170, f"v{i}") for i, p in enumerate(paras)]
save("voices-alternating", np.concatenate(parts), " ".join(paras))

paras = prose("workshop", 700, 202)
sentences = [s.strip() + "." for p in paras for s in p.split(".") if s.strip()]
pause = np.zeros(5 * SR, np.float32)
parts = []
for i, s in enumerate(sentences):
    parts += [spoken(s, "en-us+m3", 160, f"s{i}"), pause]
save("pauses-5s", np.concatenate(parts), " ".join(sentences))

paras = prose("harbour", 1500, 203)
save("fast-280", spoken(paras, "en-us", 280, "fast"), " ".join(paras))

paras = prose("city", 1000, 204)
x = spoken(paras, "en-gb", 175, "phone")
# telephone band: 300-3400 Hz via FFT mask, then 8 kHz and back
X = np.fft.rfft(x); f = np.fft.rfftfreq(len(x), 1 / SR); X[(f < 300) | (f > 3400)] = 0
save("telephone-band", np.fft.irfft(X, len(x)).astype(np.float32), " ".join(paras))
