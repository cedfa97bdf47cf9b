"""The PyTorch backend: progress inside a 30 s window, bfloat16 by autocast, torch.compile, batched beam search."""

from __future__ import annotations

import threading

import pytest

from asr_tui.core import audio, backends, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.bounds import LONG_FORM_WER_BOUND, SAMPLE_WER_BOUND
from tests.runner_helpers import progress_reports_before_cancel, run_once


def test_progress_moves_inside_a_window_and_segments_come_per_window():
    config = RunConfig(warmup=0)
    backend = backends.create("pytorch")
    backend.load(config, weights.resolve(config.model))
    reports: list[tuple[float, int]] = []
    with audio.decoded(SAMPLE) as clip:  # under 30 s: one window
        transcript = backend.transcribe(clip, config, lambda done, new: reports.append((done, len(new))), threading.Event())
    inside = [done for done, new in reports if new == 0 and 0 < done < clip.seconds]
    assert len(inside) >= 3, reports  # timestamps decoded before the window is done
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert sum(new for _, new in reports) == len(transcript.segments)


def test_cancel_stops_inside_the_first_window():
    seen = progress_reports_before_cancel(RunConfig(warmup=0), SAMPLE)
    # the first segment's end, long before the window's
    assert len(seen) == 1 and 0 < seen[0] < audio.load(SAMPLE).seconds / 2, seen


def test_float16_keeps_openai_whisper_s_float32_weights():
    """openai-whisper runs float16 by casting float32 weights per layer and keeping layer
    norms in float32; halving the module instead fed float32 activations to float16
    layer norms. The load is the same at every dtype (the CPU refuses float16 only in
    `check`, so the load itself is exercised here)."""
    import torch

    backend = backends.create("pytorch")
    backend.load(RunConfig(dtype="float16"), weights.resolve("tiny.en"))
    assert {p.dtype for p in backend.model.parameters()} == {torch.float32}


@pytest.mark.parametrize("strategy", ["sequential", "batched"])
def test_bfloat16_multiplies_in_bfloat16_and_transcribes_the_sample(strategy):
    """bfloat16 is autocast over openai-whisper's float32 model: every linear layer's
    product comes out bfloat16 during the pass, the weights stay float32, and the
    transcript stays within the sample's bound."""
    import torch

    config = RunConfig(dtype="bfloat16", strategy=strategy, batch_size=2 if strategy == "batched" else 1, warmup=0)
    backend = backends.create("pytorch")
    backend.check(config)
    backend.load(config, weights.resolve("tiny.en"))
    seen: set[torch.dtype] = set()
    hooks = [m.register_forward_hook(lambda _m, _i, out: seen.add(out.dtype))
             for m in backend.model.modules() if isinstance(m, torch.nn.Linear)]
    try:
        with audio.decoded(SAMPLE) as clip:
            transcript = backend.transcribe(clip, config, lambda *_: None, threading.Event())
    finally:
        for hook in hooks:
            hook.remove()
    assert seen == {torch.bfloat16}
    assert {p.dtype for p in backend.model.parameters()} == {torch.float32}
    assert wer(SAMPLE.with_suffix(".txt").read_text(), transcript.text) <= SAMPLE_WER_BOUND


def test_torch_compile_compiles_the_encoder_once_and_transcribes_alike():
    """The compiled encoder gives the eager transcript; its first pass reports the
    compilation apart, a warm pass of the same shape compiles nothing; a configuration
    without it on the same resident model runs the eager encoder again."""
    config = RunConfig(torch_compile=True, warmup=0)
    backend = backends.create("pytorch")
    backend.load(config, weights.resolve("tiny.en"))
    with audio.decoded(SAMPLE) as clip:
        first, warm = (backend.transcribe(clip, config, lambda *_: None, threading.Event()) for _ in range(2))
        eager = backend.transcribe(clip, config.with_(torch_compile=False), lambda *_: None, threading.Event())
    assert first.text == warm.text == eager.text
    assert first.stats["compile_s"] > 0 and warm.stats["compile_s"] == 0
    assert "compile_s" not in eager.stats and backend.model.encoder is backend.encoders[False]
    assert backend.decoding_settings(config)["torch_compile"] is True


def test_batched_beam_search_decodes_windows_that_share_a_batch(long_clip):
    """openai-whisper's `decode` repeats each window's tokens per beam but not its audio
    features, so a batch of several windows with beams cannot share one call; batched
    beam search (and best-of sampling) then decodes window by window, on the same
    windows as JAX's batched beam search, which it must agree with."""
    path, text = long_clip
    beam = RunConfig(strategy="batched", batch_size=2, beam_size=3, temperatures=(0.0,), warmup=0, repeat=1)
    torch_beam = run_once(beam, [path])[0]
    jax_beam = run_once(beam.with_(backend="jax"), [path])[0]
    assert abs(wer(text, torch_beam.text) - wer(text, jax_beam.text)) <= 0.01, (torch_beam.text, jax_beam.text)
    assert wer(text, torch_beam.text) <= LONG_FORM_WER_BOUND
    assert torch_beam.decoding["beam_size"] == 3
