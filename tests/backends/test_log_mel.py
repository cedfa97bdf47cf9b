"""Block-by-block log-mel features are the whole-file features openai-whisper computes."""

from __future__ import annotations

import numpy as np
import pytest

from asr_tui.core import audio, log_mel
from asr_tui.core.samples import SAMPLE


def openai_whisper_log_mel(samples: np.ndarray, padding: int) -> np.ndarray:
    import torch
    import whisper

    return whisper.log_mel_spectrogram(torch.from_numpy(samples), 80, padding=padding).numpy()


@pytest.mark.parametrize("length", [0, 150, 201, 401, 16_000, 480_000, 480_001, 1_000_177])
@pytest.mark.parametrize("padding", [0, 480_000])
def test_blocks_of_any_size_give_openai_whispers_features(length, padding):
    if length + padding <= log_mel.HALF:
        pytest.skip("shorter than the STFT's reflection: torch refuses it too")
    samples = (np.random.default_rng(length).standard_normal(length) * 0.1).astype(np.float32)
    expected = openai_whisper_log_mel(samples, padding)
    whole = log_mel.log_mel_spectrogram(samples, 80, padding=padding)
    blocks = log_mel.log_mel_spectrogram(iter(np.array_split(samples, 7)), 80, padding=padding)
    assert blocks.shape == whole.shape == expected.shape
    assert np.array_equal(blocks, whole)  # every frame sees exactly the samples it would whole
    assert np.abs(blocks - expected).max() < 1e-4  # SciPy's FFT against torch's


def test_a_decoded_file_gives_the_features_of_its_whole_array():
    samples = audio.load(SAMPLE).samples
    with audio.decoded(SAMPLE) as clip:
        blocks = log_mel.log_mel_spectrogram(clip.blocks(), 80, padding=480_000)
    assert np.abs(blocks - openai_whisper_log_mel(samples, 480_000)).max() < 1e-4
