"""Four more noisy clips, none seen while the continuous-speech fix was made: other
voices, texts and rates, white, pink and babble noise at 5-15 dB SNR. Each WAV is
written to $OUT/noisy with its reference beside it as .txt.

    OUT=/tmp/x PYTHONPATH=. .venv/bin/python benchmarks/results/continuous-speech-2026-12-06/make_noisy_clips.py
"""
import os
from pathlib import Path

import numpy as np

from asr_tui.core import audio, microphone
from asr_tui.core.transcript import SAMPLE_RATE
from benchmarks.clips import Clip, make

out = Path(os.environ["OUT"]) / "noisy"
rng = np.random.default_rng(11)


def speech(name, topic, words, voice, wpm, seed):
    path, text = make(Clip(name, topic, words, voice, wpm, seed=seed), out / "raw")
    return audio.load(path).samples.astype(np.float32), text


def at_snr(clean, noise, snr_db):
    noise = noise[: len(clean)]
    return clean + noise * np.sqrt(np.mean(clean**2) / np.mean(noise**2) / 10 ** (snr_db / 10))


def pink(n):
    """1/f noise: white noise shaped in the frequency domain."""
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    return np.fft.irfft(spectrum, n).astype(np.float32)


def save(name, x, text):
    microphone.write_wav(out / f"{name}.wav", x)  # 16-bit, 16 kHz mono, as a recording is written
    (out / f"{name}.txt").write_text(text)
    print(name, f"{len(x) / SAMPLE_RATE / 60:.1f} min", len(text.split()), "words")


a, ta = speech("a", "workshop", 700, "en-us+m3", 170, 201)
save("white-5db-m3", at_snr(a, rng.normal(0, 1, len(a)).astype(np.float32), 5), ta)
b, tb = speech("b", "harbour", 700, "en-gb-x-rp", 160, 202)
save("pink-10db-rp", at_snr(b, pink(len(b)), 10), tb)
c, tc = speech("c", "city", 750, "en-us+f2", 180, 203)
# babble: three other voices on other texts, summed
babble = sum(speech(f"bab{i}", topic, 900, voice, 175, 210 + i)[0][: len(c)]
             for i, (topic, voice) in enumerate((("orchard", "en-us+m1"), ("library", "en-gb-scotland"), ("harbour", "en+f3"))))
babble = np.pad(babble, (0, max(0, len(c) - len(babble))))
save("babble-8db-f2", at_snr(c, babble, 8), tc)
d, td = speech("d", "library", 800, "en-029", 190, 204)
save("white-15db-029", at_snr(d, rng.normal(0, 1, len(d)).astype(np.float32), 15), td)
