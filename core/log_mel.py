"""Whisper's log-mel spectrogram in NumPy, computed block by block.

Equal to openai-whisper's torch version (periodic Hann window, centred reflect-padded
STFT, last frame dropped, dynamic range clipped 8 below the loudest bin of the whole
file), but its memory is the spectrogram's, not the STFT's: openai-whisper transforms
the whole file at once, whose complex STFT alone is 1.2 GB for two hours of audio.
Each block of frames is transformed from the samples it covers plus the STFT's half
window either side, so a block's frames are the frames a whole-file transform gives.
Framework-free, so the PyTorch and the JAX backend read the same features.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.fft

from asr_tui.core.transcript import SAMPLES_PER_FRAME, WINDOW_FRAMES

N_FFT = 400
HALF = N_FFT // 2
BLOCK_FRAMES = WINDOW_FRAMES  # frames transformed at a time


@lru_cache(maxsize=2)
def mel_filters(n_mels: int) -> np.ndarray:
    """openai-whisper's own filter bank, read from its package without importing it."""
    spec = importlib.util.find_spec("whisper")
    path = Path(spec.submodule_search_locations[0]) / "assets" / "mel_filters.npz"
    with np.load(path, allow_pickle=False) as data:
        return data[f"mel_{n_mels}"].astype(np.float32)


def _log10_mel(signal: np.ndarray, n_mels: int) -> np.ndarray:
    """log10 mel power of every hop of `signal` that a full FFT window fits in
    (an uncentred STFT): the spectrogram before its range is clipped."""
    n_frames = 1 + (len(signal) - N_FFT) // SAMPLES_PER_FRAME
    frames = np.lib.stride_tricks.as_strided(
        signal, shape=(n_frames, N_FFT), strides=(signal.strides[0] * SAMPLES_PER_FRAME, signal.strides[0])
    )
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    # SciPy's FFT (a JAX dependency) keeps float32 and uses every core: NumPy's took
    # 0.5 s of an 8-minute clip's 0.06 s on this project's 2-core machines.
    spectrum = scipy.fft.rfft(frames * window, axis=-1, workers=-1)
    magnitudes = (np.abs(spectrum) ** 2).T.astype(np.float32)
    return np.log10(np.maximum(mel_filters(n_mels) @ magnitudes, 1e-10))


def _with_padding(blocks: Iterable[np.ndarray], padding: int) -> Iterator[np.ndarray]:
    yield from (b.astype(np.float32, copy=False) for b in blocks)
    if padding:
        yield np.zeros(padding, np.float32)


def log_mel_spectrogram(blocks: Iterable[np.ndarray] | np.ndarray, n_mels: int, padding: int = 0) -> np.ndarray:
    """(n_mels, frames) for 16 kHz mono audio, given as one array or as consecutive
    blocks of it, followed by `padding` zero samples."""
    if isinstance(blocks, np.ndarray):
        blocks = [blocks]
    step = BLOCK_FRAMES * SAMPLES_PER_FRAME
    pieces: list[np.ndarray] = []
    pending = np.zeros(0, np.float32)  # samples from the next frame's first, in the centred signal
    started = False
    total = 0
    for block in _with_padding(blocks, padding):
        total += block.size
        pending = np.concatenate([pending, block])
        if not started:
            if pending.size <= HALF:
                continue  # the left reflection needs HALF + 1 samples
            pending = np.concatenate([pending[HALF:0:-1], pending])
            started = True
        while pending.size >= step + N_FFT:
            pieces.append(_log10_mel(pending[: step - SAMPLES_PER_FRAME + N_FFT], n_mels))
            pending = pending[step:]
    # the right reflection (both, for audio shorter than one: numpy's pad handles it)
    tail = np.pad(pending, (0 if started else HALF, HALF), mode="reflect")
    # The centred transform has total // hop + 1 frames, the last of which Whisper drops.
    frames_left = total // SAMPLES_PER_FRAME - sum(p.shape[1] for p in pieces)
    if frames_left > 0:
        pieces.append(_log10_mel(tail, n_mels)[:, :frames_left])
    ceiling = max(float(p.max()) for p in pieces) if pieces else 0.0
    out = np.empty((n_mels, sum(p.shape[1] for p in pieces)), np.float32)
    at = 0
    while pieces:  # hand each block's memory back as it is copied
        piece = pieces.pop(0)
        out[:, at : at + piece.shape[1]] = piece
        at += piece.shape[1]
    np.maximum(out, ceiling - 8.0, out=out)
    out += 4.0
    out /= 4.0
    return out


def window(mel: np.ndarray, start_frame: int, size: int = WINDOW_FRAMES) -> np.ndarray:
    """`size` frames from `start_frame`, zero-padded to a full window as openai-whisper does."""
    segment = mel[:, start_frame : start_frame + size]
    if segment.shape[1] < WINDOW_FRAMES:
        segment = np.pad(segment, ((0, 0), (0, WINDOW_FRAMES - segment.shape[1])))
    return segment
