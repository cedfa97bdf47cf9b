"""A two-voice dialogue: GPL-2's sentences read in turns by two voices, with short replies said alone
("Absolutely.", "Unfortunately not.") between some of them, and pauses of 0.3-1.5 s between turns."""
import random, re, subprocess, wave
from pathlib import Path
import numpy as np

rng = random.Random(7)
text = Path("/usr/share/common-licenses/GPL-2").read_text()
text = text[text.index("The licenses for most software"):]
text = re.sub(r"[()\"]", "", re.sub(r"\s+", " ", text))
sentences = [s.strip() for s in re.findall(r"[^.?!]+[.?!]", text) if re.search("[a-z]", s) and len(s.split()) > 3]
replies = ["Absolutely.", "Unfortunately not.", "Congratulations.", "I see.", "Really?", "Go on.", "Exactly.",
           "Interesting.", "Naturally.", "Certainly.", "Right.", "Understood.", "Of course.", "Nevertheless."]
voices = [("en-us", 165), ("en-gb+f3", 150)]
turns, words, speaker = [], 0, 0
for s in sentences:
    turns.append((speaker, s)); words += len(s.split())
    if rng.random() < 0.45:
        r = rng.choice(replies); turns.append((1 - speaker, r)); words += len(r.split())
    if rng.random() < 0.6:
        speaker = 1 - speaker
    if words > 1000:
        break
parts, rate = [], 22050
for i, (who, line) in enumerate(turns):
    voice, wpm = voices[who]
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", "turn.wav", line], check=True)
    with wave.open("turn.wav") as w:
        rate = w.getframerate(); parts.append(np.frombuffer(w.readframes(w.getnframes()), "<i2"))
    parts.append(np.zeros(int(rng.uniform(0.3, 1.5) * rate), "<i2"))
with wave.open("dialogue-gpl2.wav", "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate); out.writeframes(np.concatenate(parts).tobytes())
Path("dialogue-gpl2.txt").write_text(" ".join(line for _, line in turns) + "\n")
Path("turn.wav").unlink()
print(len(turns), "turns", words, "words", sum(len(p) for p in parts) / rate / 60, "min")
