"""The upstream whisper-jax adapter: its export of the weights, its error when the
package is missing, and (only where a user installed whisper-jax) a real run."""

from __future__ import annotations

import importlib.util

import pytest

from asr_tui.core import audio, weights
from asr_tui.core.backends import create
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import run_once
from tests.test_cli import asr_tui, one_line_error
from tests.bounds import SAMPLE_WER_BOUND

HAS_WHISPER_JAX = importlib.util.find_spec("whisper_jax") is not None
WHISPER_JAX = RunConfig(backend="whisper-jax", temperatures=(0.0,), warmup=0, repeat=1)


@pytest.mark.skipif(HAS_WHISPER_JAX, reason="whisper-jax is installed here")
def test_choosing_it_without_whisper_jax_is_a_one_line_error():
    with pytest.raises(AsrTuiError, match="not on PyPI"):
        create("whisper-jax").check(WHISPER_JAX)
    line = one_line_error(asr_tui("run", "--backend", "whisper-jax", "--temperatures", "0"))
    assert "whisper-jax is not installed" in line and "pip install" in line


def test_exported_directory_transcribes_the_sample():
    """The directory whisper-jax loads, run by transformers' own Flax Whisper (the model
    whisper-jax forked): the same weights must give the same quality as elsewhere."""
    pytest.importorskip("flax")
    transformers = pytest.importorskip("transformers")
    if not hasattr(transformers, "FlaxWhisperForConditionalGeneration"):
        pytest.skip("transformers >= 5 has no Flax models")
    from asr_tui.core.weights.huggingface import flax_directory

    directory = flax_directory(weights.resolve("tiny.en"))
    processor = transformers.WhisperProcessor.from_pretrained(directory)
    model = transformers.FlaxWhisperForConditionalGeneration.from_pretrained(directory)
    samples = audio.load(SAMPLE).samples
    assert len(samples) <= 480_000  # one window
    features = processor(samples, sampling_rate=16_000, return_tensors="np").input_features
    tokens = model.generate(features, max_length=448).sequences
    text = processor.batch_decode(tokens, skip_special_tokens=True)[0]
    assert wer(SAMPLE.with_suffix(".txt").read_text(), text) <= SAMPLE_WER_BOUND, text
    assert model.generation_config.no_timestamps_token_id == processor.tokenizer.convert_tokens_to_ids("<|notimestamps|>")


@pytest.mark.skipif(not HAS_WHISPER_JAX, reason="whisper-jax is not on PyPI; install it from its repository to run this")
def test_pipeline_transcribes_the_sample_greedily():
    with pytest.raises(AsrTuiError, match="temperatures 0"):
        create("whisper-jax").check(WHISPER_JAX.with_(temperatures=(0.0, 0.2)))
    result = run_once(WHISPER_JAX, [SAMPLE])[0]
    assert result.wer is not None and result.wer <= SAMPLE_WER_BOUND, result.text
