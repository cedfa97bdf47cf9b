"""The bundled tiny.en, converted from CTranslate2, must really recognise speech:
a broken conversion produces garbage (WER near 1), which these bounds reject."""

from __future__ import annotations

from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.bounds import CLIP_WER_BOUND, SAMPLE_WER_BOUND
from tests.runner_helpers import run_once


def test_bundled_sample_meets_wer_bound():
    result = run_once(RunConfig(warmup=0, repeat=1), [SAMPLE])[0]
    assert result.wer is not None and result.wer <= SAMPLE_WER_BOUND, result.text
    assert result.segments and result.segments[-1].end <= result.audio_seconds + 0.5


def test_generated_clip_meets_wer_bound(speech_clip):
    path, text = speech_clip
    result = run_once(RunConfig(warmup=0, repeat=1), [path])[0]
    assert wer(text, result.text) <= CLIP_WER_BOUND, result.text
