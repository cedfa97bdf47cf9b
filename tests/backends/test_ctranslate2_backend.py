"""faster-whisper (CTranslate2) on the same weights: the bundled directory as it is,
and an openai-whisper checkpoint converted back to CTranslate2's format."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

from asr_tui.core import audio, weights
from asr_tui.core.backends import create
from asr_tui.core.config import RunConfig
from asr_tui.core.weights.ctranslate2_format import PROJECTION_ALIAS, from_openai_state_dict, load_ct2_directory, to_openai_state_dict, whisper_dims, write_model_bin
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import progress_reports_before_cancel, run_once
from tests.bounds import SAMPLE_WER_BOUND

CT2 = RunConfig(backend="ctranslate2", warmup=0, repeat=1)


def test_reverse_conversion_reproduces_the_original_file_byte_for_byte():
    directory = weights.resolve("tiny.en").ct2_dir
    model = load_ct2_directory(directory)
    variables = from_openai_state_dict(to_openai_state_dict(model), whisper_dims(model))
    out = io.BytesIO()
    write_model_bin(out, variables, PROJECTION_ALIAS)
    assert out.getvalue() == (directory / "model.bin").read_bytes()


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_bundled_tiny_en_meets_the_bound(dtype):
    result = run_once(CT2.with_(dtype=dtype), [SAMPLE])[0]
    assert result.wer <= SAMPLE_WER_BOUND, result.text
    assert result.weights_sha256 == weights.resolve("tiny.en").sha256  # the directory as it is


def test_greedy_float32_agrees_with_pytorch():
    ct2 = run_once(CT2, [SAMPLE])[0]
    torch_result = run_once(RunConfig(warmup=0, repeat=1), [SAMPLE])[0]
    assert wer(torch_result.text, ct2.text) <= 0.02, (torch_result.text, ct2.text)


def test_converted_checkpoint_runs_and_records_its_own_hash():
    original = weights.resolve("tiny.en")
    checkpoint_only = dataclasses.replace(original, ct2_dir=None, name="tiny.en-from-pt")
    converted = weights.ct2_directory(checkpoint_only)
    assert converted != original.ct2_dir and (converted / "tokenizer.json").is_file()
    assert (converted / "model.bin").read_bytes() == (original.ct2_dir / "model.bin").read_bytes()
    # Given the .pt path, the backend converts it itself and hashes what it runs: the
    # bytes equal the bundled model.bin, so the hash does too.
    result = run_once(CT2.with_(model=str(original.checkpoint)), [SAMPLE])[0]
    assert result.wer <= SAMPLE_WER_BOUND
    assert result.weights_sha256 == original.sha256


@pytest.mark.parametrize("strategy,batch", [("sequential", 1), ("batched", 4)])
def test_segments_ordered_inside_the_audio(long_clip, strategy, batch):
    result = run_once(CT2.with_(strategy=strategy, batch_size=batch), [long_clip[0]])[0]
    starts = [s.start for s in result.segments]
    # at least one segment per 30 s window (the batched pipeline makes exactly one per clip)
    assert len(starts) >= result.audio_seconds // 30 + 1 and starts == sorted(starts)
    assert all(0 <= s.start <= s.end <= result.audio_seconds for s in result.segments)


def test_unsupported_compute_type_is_a_clear_error():
    import ctranslate2

    unsupported = [d for d in ("float16", "bfloat16") if d not in ctranslate2.get_supported_compute_types("cpu")]
    if not unsupported:
        pytest.skip("this CPU supports every compute type")
    with pytest.raises(AsrTuiError, match=f"does not support {unsupported[0]}"):
        create("ctranslate2").check_available(CT2.with_(dtype=unsupported[0]))


def test_int8_is_refused_by_the_other_backends():
    for backend in ("pytorch", "jax"):
        with pytest.raises(AsrTuiError, match="does not support int8"):
            create(backend).check(RunConfig(backend=backend, dtype="int8"))


def test_cancel_between_segments(long_clip):
    seen = progress_reports_before_cancel(CT2, long_clip[0])
    assert len(seen) == 1 and seen[0] < 30


def test_batched_clips_cover_the_audio_and_cut_in_pauses(long_clip):
    from asr_tui.core.backends.ctranslate2_backend import quiet_cuts

    samples = audio.load(long_clip[0]).samples
    clips, _ = quiet_cuts(samples)
    assert clips[0]["start"] == 0 and clips[-1]["end"] == len(samples) / 16_000
    assert all(a["end"] == b["start"] for a, b in zip(clips, clips[1:]))
    assert all(0 < c["end"] - c["start"] <= 30 for c in clips)
    for clip in clips[:-1]:  # each cut lies in a pause, not in a stop consonant: quiet 50 ms either side
        at = int(clip["end"] * 16_000)
        cut_energy = float(np.mean(samples[at - 800 : at + 800] ** 2))
        assert cut_energy < 0.001 * float(np.mean(samples[at - 32_000 : at + 32_000] ** 2))


def test_batched_with_vad_is_faster_whispers_own_default_call(long_clip):
    """With VAD on, the batched strategy is `BatchedInferencePipeline.transcribe` with its
    own defaults but for the knobs asr-tui sets: nothing else may differ."""
    from faster_whisper import BatchedInferencePipeline

    config = CT2.with_(dtype="int8", strategy="batched", batch_size=4, temperatures=(0.0,), vad_filter=True)
    ours = run_once(config, [long_clip[0]])[0]
    backend = create("ctranslate2")
    backend.load(config, weights.resolve("tiny.en"))
    segments, _ = BatchedInferencePipeline(backend.model).transcribe(
        audio.load(long_clip[0]).samples, language="en", beam_size=1, best_of=1, temperature=0.0, batch_size=4
    )
    assert ours.text == "".join(s.text for s in segments).strip()
