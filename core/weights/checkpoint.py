"""openai-whisper checkpoints: the one way this project reads and writes them.

Every backend starts from such a `.pt` (a dict of `dims`, `model_state_dict` and,
when converted here, `alignment_heads`). Reading goes through `weights_only=True`,
so a checkpoint cannot run code, and is checked against openai-whisper's own module
for its dims: a file that is not a Whisper checkpoint, or whose tensors disagree
with its dims, is one clear line naming it, whichever backend reads it first.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np

from asr_tui.core.errors import AsrTuiError


def load_checkpoint(path: Path, map_location: str = "cpu", mmap: bool = False) -> dict:
    """The checkpoint at `path`, checked; `mmap` reads tensors only when touched (for
    checking a file without reading gigabytes)."""
    import torch

    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True, mmap=mmap)
    except Exception as exc:  # noqa: BLE001 - a corrupt or foreign file fails in many ways
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AsrTuiError(f"cannot load checkpoint {path}: {reason}") from None
    _check(path, checkpoint)
    return checkpoint


def save_checkpoint(path: Path, dims: dict, state: dict[str, np.ndarray], alignment_heads: list) -> None:
    """Write a checkpoint openai-whisper loads as its own."""
    import torch

    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.array(v)) for k, v in state.items()},
        "alignment_heads": alignment_heads,
    }
    # Through a Python file, so that a full disk surfaces as an OSError (the context of
    # torch's own RuntimeError), which the cache can name; a path would hide it in C++.
    with open(path, "wb") as fp:
        torch.save(checkpoint, fp)


def _check(path: Path, checkpoint) -> None:
    from whisper.model import ModelDimensions

    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("dims"), dict):
        raise AsrTuiError(f"{path} is not an openai-whisper checkpoint: it has no 'dims'")
    if not isinstance(checkpoint.get("model_state_dict"), dict):
        raise AsrTuiError(f"{path} is not an openai-whisper checkpoint: it has no 'model_state_dict'")
    dims = checkpoint["dims"]
    names = {f.name for f in fields(ModelDimensions)}
    missing, unknown = sorted(names - set(dims)), sorted(set(dims) - names)
    not_sizes = sorted(k for k, v in dims.items() if not (isinstance(v, int) and v > 0))
    for problem, keys in (("lack", missing), ("have unknown", unknown), ("need positive integers for", not_sizes)):
        if keys:
            raise AsrTuiError(f"checkpoint {path} is malformed: its 'dims' {problem} {', '.join(keys)}")
    expected = expected_shapes(dims)
    state = checkpoint["model_state_dict"]
    for name in sorted(set(expected) | set(state)):
        if name not in state:
            raise AsrTuiError(f"checkpoint {path} lacks {name}, which its dims call for")
        if name not in expected:
            raise AsrTuiError(f"checkpoint {path} holds {name}, which its dims do not call for")
        shape = tuple(getattr(state[name], "shape", ()))
        if shape != expected[name]:
            raise AsrTuiError(f"checkpoint {path}: {name} is {shape} but its dims call for {expected[name]}")


def expected_shapes(dims: dict) -> dict[str, tuple[int, ...]]:
    """The state-dict shapes of openai-whisper's module for these dims, built on the
    meta device (no memory). Encoder and decoder are built apart because the whole
    model's sparse alignment-head buffer has no meta implementation."""
    import torch
    from whisper.model import AudioEncoder, TextDecoder

    d = dims
    with torch.device("meta"):
        parts = {
            "encoder": AudioEncoder(d["n_mels"], d["n_audio_ctx"], d["n_audio_state"], d["n_audio_head"], d["n_audio_layer"]),
            "decoder": TextDecoder(d["n_vocab"], d["n_text_ctx"], d["n_text_state"], d["n_text_head"], d["n_text_layer"]),
        }
    return {f"{part}.{k}": tuple(v.shape) for part, module in parts.items() for k, v in module.state_dict().items()}
