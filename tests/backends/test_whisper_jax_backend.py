"""The upstream whisper-jax adapter: its export of the weights, its windows, its errors,
and (where whisper-jax is installed: CI installs it from ../shared/third_party) real
runs held against our own JAX batched greedy decoding at the same batch size and dtype."""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import shlex
import threading
from pathlib import Path

import numpy as np
import pytest

from asr_tui.core import audio, weights
from asr_tui.core.backends import create
from asr_tui.core.backends.whisper_jax_backend import windows
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import normalizer, wer
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import run_once
from tests.cli_helpers import asr_tui, one_line_error
from tests.bounds import SAMPLE_WER_BOUND

HAS_WHISPER_JAX = importlib.util.find_spec("whisper_jax") is not None
needs_whisper_jax = pytest.mark.skipif(not HAS_WHISPER_JAX, reason="whisper-jax is absent (bash scripts/install.sh --test installs it from ../shared/third_party)")
WHISPER_JAX = RunConfig(backend="whisper-jax", strategy="batched", batch_size=4, temperatures=(0.0,), warmup=0, repeat=1)
JAX_BATCHED_GREEDY = WHISPER_JAX.with_(backend="jax")
PEER_WER_MARGIN = 0.02  # whisper-jax against our JAX batched greedy, same batch size and dtype
README = Path(__file__).resolve().parents[2] / "README.md"


def over_repeated(reference: str, hypothesis: str, n: int = 6) -> list[str]:
    """Runs of n words the hypothesis says more often than the reference does: text
    repeated where two windows overlap."""
    normalize = normalizer("en")

    def counts(text: str) -> collections.Counter:
        words = normalize(text).split()
        return collections.Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))

    expected, said = counts(reference), counts(hypothesis)
    return [gram for gram, count in said.items() if gram in expected and count > expected[gram]]


@pytest.mark.skipif(HAS_WHISPER_JAX, reason="whisper-jax is installed here")
def test_choosing_it_without_whisper_jax_is_a_one_line_error():
    with pytest.raises(AsrTuiError, match="not on PyPI"):
        create("whisper-jax").check(WHISPER_JAX)
    line = one_line_error(asr_tui("run", "--backend", "whisper-jax", "--temperatures", "0"))
    assert "whisper-jax is not installed" in line and "pip install" in line


def test_exported_directory_transcribes_the_sample():
    """The directory whisper-jax loads, run by transformers' own Flax Whisper (the model
    whisper-jax forked): the same weights must give the same quality as elsewhere, and
    every control token must be listed special, since transformers' long-form decoding
    (whisper-jax's post-processing) keeps any token that is not in the text."""
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
    tokenizer = processor.tokenizer
    assert model.generation_config.no_timestamps_token_id == tokenizer.convert_tokens_to_ids("<|notimestamps|>")
    controls = {token for token in tokenizer.get_added_vocab() if token.startswith("<|")}
    assert {"<|startoftranscript|>", "<|notimestamps|>", "<|en|>", "<|transcribe|>"} <= controls
    assert controls <= set(tokenizer.all_special_tokens)


@pytest.mark.parametrize("seconds", [5.0, 24.0, 30.0, 40.0, 50.0, 61.5, 152.9])
def test_windows_are_transformers_own(seconds):
    """The windows whisper-jax decodes are the ones transformers' chunking makes: none
    after the first that reaches the end."""
    pytest.importorskip("transformers")
    from transformers import WhisperFeatureExtractor
    from transformers.pipelines.automatic_speech_recognition import chunk_iter

    n_samples, chunk, stride = round(seconds * 16_000), 480_000, 80_000
    expected = [item["stride"] for item in chunk_iter(np.zeros(n_samples, np.float32), WhisperFeatureExtractor(), chunk, stride, stride)]
    plan = windows(n_samples, chunk, stride, stride)
    assert [window_stride for _, window_stride in plan] == expected
    assert plan[-1][0] + plan[-1][1][0] == n_samples


@needs_whisper_jax
def test_the_readme_example_runs_clean_and_as_accurately_as_jax_batched(tmp_path):
    """The README's command (on the CPU, one pass): no --strategy needed, no control
    token in the text, the WER of our JAX batched greedy at the same batch size and
    dtype, compilation reported apart and the settings it really applied."""
    line = next(line for line in README.read_text().splitlines() if "asr-tui run --backend whisper-jax" in line)
    args = shlex.split(line.replace("--device cuda", ""))[2:]  # drop ".venv/bin/asr-tui run"
    out = tmp_path / "result.json"
    proc = asr_tui("run", *args, "--warmup", "0", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())["runs"][0]
    theirs = result["text"] + "".join(segment["text"] for segment in result["segments"])
    assert "<|" not in theirs and result["wer"] <= SAMPLE_WER_BOUND, result["text"]
    assert not over_repeated(SAMPLE.with_suffix(".txt").read_text(), result["text"]), result["text"]
    ours = run_once(JAX_BATCHED_GREEDY.with_(dtype=result["dtype"], batch_size=result["batch_size"]), [SAMPLE])[0]
    assert abs(result["wer"] - ours.wer) <= PEER_WER_MARGIN, (result["text"], ours.text)
    assert 0 < result["compile_s"] < result["first_run_s"]
    decoding = result["decoding"]
    assert decoding["strategy"] == "batched" and decoding["temperatures"] == [0.0]
    assert decoding["compression_ratio_threshold"] is None and decoding["logprob_threshold"] is None
    assert (decoding["chunk_length_s"], decoding["stride_length_s"]) == (30.0, 5.0)


@needs_whisper_jax
def test_a_warm_pass_compiles_nothing():
    """Compilation is timed from JAX's own events: the first pass compiles, a second
    one on the same shapes runs the compiled program (the pipeline's pmap is built once
    and its parameters replicated once, at load)."""
    backend = create("whisper-jax")
    config = WHISPER_JAX.with_(batch_size=1)
    backend.check(config)
    backend.check_available(config)
    backend.load(config, weights.resolve("tiny.en"))
    try:
        with audio.decoded(SAMPLE) as clip:
            first, warm = [backend.transcribe(clip, config, lambda *_: None, threading.Event()) for _ in range(2)]
    finally:
        backend.release()
    assert first.stats["compile_s"] > 0 and first.stats["compiled"]
    assert warm.stats["compile_s"] == 0 and warm.stats["compiled"] == [] and warm.text == first.text
    assert first.stats.get("stages") is None  # the library's stages are not visible


@pytest.fixture(scope="module")
def minutes_clip(tmp_path_factory):
    """About three minutes of prose that never repeats, with its reference beside it.
    It ends a few seconds into a 20 s step, where whisper-jax's own chunking would add
    a window inside the last one (as on the bundled sample)."""
    from benchmarks.long_clip import PASSAGES
    from tests.speech import espeak

    text = " ".join(PASSAGES[:3])
    path = espeak(text, tmp_path_factory.mktemp("whisper-jax") / "minutes.wav", speed=165)
    path.with_suffix(".txt").write_text(text)
    assert 0 < audio.load(path).seconds % 20 < 10, "the clip no longer ends inside a window's overlap: change its speed"
    return path, text


@needs_whisper_jax
def test_long_form_repeats_nothing_at_the_seams(minutes_clip):
    path, text = minutes_clip
    theirs, ours = (run_once(config, [path])[0] for config in (WHISPER_JAX, JAX_BATCHED_GREEDY))
    assert not over_repeated(text, theirs.text), over_repeated(text, theirs.text)
    assert abs(theirs.wer - ours.wer) <= PEER_WER_MARGIN, (theirs.wer, ours.wer)


# Two consecutive windows of whisper-jax tiny.en bfloat16 on the Moby-Dick passage
# (the 8.3-minute clip, on an Intel Xeon), 20 s apart, as generated. The second one's
# first segment begins at "the circulation", before the first window's unfinished last
# segment ("throwing grim..."): transformers' merge aligned "whenever I find" at the
# wrong place and kept "throwing ... whenever I find" twice (19 words).
SEAM_LEFT = [
    50257, 50363, 1774, 3675, 2130, 393, 2138, 555, 39123, 16339, 364, 13, 4889, 502, 257, 427, 76, 1000, 13, 2773,
    812, 2084, 11, 50631, 50631, 1239, 2000, 703, 890, 10582, 11, 1719, 1310, 393, 645, 1637, 287, 616, 27517, 11,
    290, 2147, 1948, 50915, 50915, 284, 1393, 502, 319, 15191, 11, 314, 1807, 314, 561, 14936, 546, 257, 1310, 290,
    766, 262, 266, 3536, 88, 636, 286, 262, 995, 13, 51207, 51207, 632, 318, 257, 835, 314, 423, 257, 5059, 572, 262,
    3133, 268, 290, 26379, 262, 19133, 11, 8797, 314, 1064, 3589, 51507, 51507, 9644, 18288, 2033, 286, 5422, 11,
    8797, 340, 318, 257, 299, 321, 11, 1036, 271, 306, 3389, 287, 616, 5848, 11, 8797, 314, 1064, 51795, 51795,
    50256, 50256,
]
SEAM_RIGHT = [
    50257, 50363, 262, 19133, 13, 21326, 314, 1064, 3589, 9644, 50527, 50527, 12183, 546, 262, 5422, 11, 8797, 340,
    318, 257, 299, 321, 11, 50657, 50657, 612, 318, 645, 4088, 287, 616, 5848, 13, 21326, 314, 1064, 3589, 50821,
    50821, 287, 16171, 14187, 3500, 878, 30834, 43675, 290, 50984, 50984, 6079, 510, 262, 8286, 286, 790, 14825, 314,
    1826, 11, 290, 314, 51151, 51151, 1848, 340, 1029, 640, 284, 651, 284, 766, 355, 2582, 355, 314, 460, 13, 51299,
    50256, 50256,
]


@needs_whisper_jax
def test_two_windows_that_began_segments_at_different_words_keep_each_word_once():
    """The seam above, through the adapter's own path (each window's tokens to timed
    segments, then our merge): nothing said twice, and nothing of the overlap lost."""
    from transformers import WhisperTokenizer

    from asr_tui.core.backends.longform.seams import merge_windows
    from asr_tui.core.backends.longform.window import Window
    from asr_tui.core.backends.whisper_jax_backend import window_segments
    from asr_tui.core.weights.huggingface import flax_directory
    from benchmarks.long_clip import PASSAGES

    tokenizer = WhisperTokenizer.from_pretrained(flax_directory(weights.resolve("tiny.en")))
    left, right = Window(0, 3000), Window(2000, 1911)  # 30 s, then 19.1 s from 20 s on
    merged = merge_windows([(left, window_segments(SEAM_LEFT, left, tokenizer)),
                            (right, window_segments(SEAM_RIGHT, right, tokenizer))], fixed_stride=True)
    assert (merged[0].start, merged[0].end) == (0.0, 5.36)  # <|0.00|> ... <|5.36|>, as generated
    text = "".join(segment.text for segment in merged)
    passage = next(p for p in PASSAGES if p.startswith("Call me Ishmael"))
    assert not over_repeated(passage, text), text
    words = normalizer("en")(text).split()
    assert words.count("whenever") == 3 and words.count("soul") == 1 and words[-3:] == ["as", "i", "can"], text


@needs_whisper_jax
def test_a_broken_dependency_is_named(tmp_path, monkeypatch):
    """A dependency that fails to import is named, not reported as whisper-jax missing:
    a `cached_property` ahead on the path raises what Python raises for an absent one."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "cached_property.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'cached_property'\", name='cached_property')\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (str(shadow), os.environ.get("PYTHONPATH")))))
    line = one_line_error(asr_tui("run", "--backend", "whisper-jax", "--temperatures", "0"))
    assert "'cached_property'" in line and "not installed" in line and "whisper-jax is not installed" not in line


@needs_whisper_jax
def test_it_runs_batched_only():
    with pytest.raises(AsrTuiError, match="temperatures 0"):
        create("whisper-jax").check(WHISPER_JAX.with_(temperatures=(0.0, 0.2)))
    with pytest.raises(AsrTuiError, match="use strategy batched"):
        create("whisper-jax").check(WHISPER_JAX.with_(strategy="sequential", batch_size=1))
