"""An openai-whisper checkpoint as a CTranslate2 directory, for faster-whisper.

Every backend starts from an openai-whisper checkpoint, so the CTranslate2 backend,
given one (or a model split across packages), needs it written back in CTranslate2's
format, once per checkpoint hash. The layout itself is in `ctranslate2_format`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from asr_tui.core.tokens import vocabulary_kind
from asr_tui.core.weights import cache
from asr_tui.core.weights.checkpoint import load_checkpoint
from asr_tui.core.weights.ctranslate2_format import PROJECTION_ALIAS, from_openai_state_dict, write_model_bin
from asr_tui.core.weights.resolution import tokenizer_template

if TYPE_CHECKING:
    from asr_tui.core.weights.resolution import Weights


def ct2_directory(weights: Weights) -> Path:
    """A CTranslate2 directory holding exactly these weights: the source directory
    itself, or (for openai-whisper checkpoints and split packages) a conversion
    written once to the cache. Tokenizer and config come from the bundled model of
    the same vocabulary, since openai-whisper checkpoints carry neither."""
    if weights.ct2_dir is not None:
        return weights.ct2_dir
    return cache.cached(cache.entry("ctranslate2", weights.name, weights.sha256), lambda staging: _export(weights, staging))


def _export(weights: Weights, staging: Path) -> None:
    import torch

    checkpoint = load_checkpoint(weights.checkpoint)
    state = {k: t.numpy() if t.dtype != torch.bfloat16 else t.float().numpy() for k, t in checkpoint["model_state_dict"].items()}
    write_directory(staging, state, checkpoint["dims"], checkpoint.get("alignment_heads"),
                    f"converting {weights.name} for CTranslate2")


def write_directory(target: Path, state: dict, dims: dict, alignment_heads: list | None, purpose: str) -> None:
    """An openai-whisper state dict (NumPy arrays) as a CTranslate2 Whisper directory
    in `target`: also the kernel bench's random weights, timed by CTranslate2 itself."""
    import numpy as np

    template_dir = tokenizer_template(vocabulary_kind(dims["n_vocab"])[0], purpose)
    config = json.loads((template_dir / "config.json").read_text())
    if alignment_heads:
        config["alignment_heads"] = alignment_heads
    variables = {k: np.asarray(v) for k, v in from_openai_state_dict(state, dims).items()}
    with open(target / "model.bin", "wb") as fp:
        write_model_bin(fp, variables, PROJECTION_ALIAS)
    (target / "config.json").write_text(json.dumps(config, indent=2))
    for name in ("tokenizer.json", "vocabulary.txt"):
        shutil.copy(template_dir / name, target / name)
