"""Long words said alone, slowly: each long word of the licences (11+ letters) as its own line
at 100 wpm, a sentence of the GPL after every third, pauses of 0.4-2 s between lines."""
import random, re, subprocess, wave
from pathlib import Path
import numpy as np
rng = random.Random(11)
words = sorted({w for f in ("GPL-3", "Apache-2.0", "MPL-2.0") for w in re.findall(r"\b[a-z]{11,}\b", Path("/usr/share/common-licenses", f).read_text())})
rng.shuffle(words)
text = re.sub(r"\s+", " ", Path("/usr/share/common-licenses/GPL-3").read_text().split("TERMS AND CONDITIONS")[1])
sentences = [s.strip() for s in re.findall(r"[^.?!;:]+[.?!]", re.sub(r"[()\"]", "", text)) if 6 <= len(s.split()) <= 25]
lines = []
for i, w in enumerate(words[:90]):
    lines.append(w.capitalize() + ".")
    if i % 3 == 2:
        lines.append(sentences[i % len(sentences)])
parts, rate = [], 22050
for line in lines:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "100", "-w", "line.wav", line], check=True)
    with wave.open("line.wav") as w:
        rate = w.getframerate(); parts.append(np.frombuffer(w.readframes(w.getnframes()), "<i2"))
    parts.append(np.zeros(int(rng.uniform(0.4, 2.0) * rate), "<i2"))
with wave.open("slow-words.wav", "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate); out.writeframes(np.concatenate(parts).tobytes())
Path("slow-words.txt").write_text(" ".join(lines) + "\n")
Path("line.wav").unlink()
print(len(lines), "lines", sum(len(l.split()) for l in lines), "words", sum(len(p) for p in parts) / rate / 60, "min")
