"""Real speech for tests: espeak-ng speaks known text; PyAV encodes it in other formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.clips import speak

# Public-domain texts, spoken by espeak-ng, so every clip has an exact reference.
TEXTS = [
    "The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins with a single step.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.",
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, "
    "and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.",
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
    "Happy families are all alike; every unhappy family is unhappy in its own way.",
]


def espeak(text: str, path: Path, speed: int = 150) -> Path:
    return speak(text, path, wpm=speed)


def encode(samples: np.ndarray, rate: int, path: Path, codec: str) -> Path:
    """Write mono float samples with PyAV in the codec the file name's format needs."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame_size = 1024
        pcm = (samples * 32767).astype(np.int16) if fmt.startswith("s16") else samples.astype(np.float32)
        resampler = av.AudioResampler(format=fmt, layout="mono", rate=rate)
        for start in range(0, len(pcm), frame_size):
            chunk = pcm[start : start + frame_size].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16" if pcm.dtype == np.int16 else "flt", layout="mono")
            frame.sample_rate = rate
            for out in resampler.resample(frame):
                container.mux(stream.encode(out))
        for packet in stream.encode(None):
            container.mux(packet)
    return path
