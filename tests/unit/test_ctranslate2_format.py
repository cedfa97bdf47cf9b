"""CTranslate2's model.bin and the openai-whisper layout, on a Whisper of tiny made-up
dimensions filled with random numbers: every array must come back bit for bit, the
fused projections in the order CTranslate2 fuses them, and a damaged file must be
refused in one line that names the directory."""

from __future__ import annotations

import io
import json
import re
import struct

import numpy as np
import pytest

from asr_tui.core.errors import AsrTuiError
from asr_tui.core.weights.ctranslate2_format import (
    PROJECTION_ALIAS, CT2Model, alignment_heads, from_openai_state_dict, load_ct2_directory, read_model_bin,
    to_openai_state_dict, whisper_dims, write_model_bin,
)

# Whisper's cross attention needs the audio and text widths equal; the rest differ so
# a dimension read from the wrong array shows.
DIMS = {
    "n_mels": 4, "n_audio_ctx": 6, "n_audio_state": 8, "n_audio_head": 2, "n_audio_layer": 2,
    "n_vocab": 11, "n_text_ctx": 5, "n_text_state": 8, "n_text_head": 4, "n_text_layer": 3,
}


def openai_state_dict(seed: int = 0) -> dict[str, np.ndarray]:
    """openai-whisper's `Whisper.state_dict()` names and shapes for DIMS (its key
    projections have no bias), random float32 values."""
    rng = np.random.default_rng(seed)
    width = DIMS["n_audio_state"]
    shapes: dict[str, tuple] = {
        "encoder.conv1.weight": (width, DIMS["n_mels"], 3), "encoder.conv1.bias": (width,),
        "encoder.conv2.weight": (width, width, 3), "encoder.conv2.bias": (width,),
        "encoder.positional_embedding": (DIMS["n_audio_ctx"], width),
        "decoder.token_embedding.weight": (DIMS["n_vocab"], width),
        "decoder.positional_embedding": (DIMS["n_text_ctx"], width),
    }

    def norm(name):
        shapes.update({f"{name}.weight": (width,), f"{name}.bias": (width,)})

    def attention(name):
        for part in ("query", "key", "value", "out"):
            shapes[f"{name}.{part}.weight"] = (width, width)
            if part != "key":
                shapes[f"{name}.{part}.bias"] = (width,)

    def block(name, cross: bool):
        attention(f"{name}.attn")
        norm(f"{name}.attn_ln")
        if cross:
            attention(f"{name}.cross_attn")
            norm(f"{name}.cross_attn_ln")
        shapes.update({
            f"{name}.mlp.0.weight": (4 * width, width), f"{name}.mlp.0.bias": (4 * width,),
            f"{name}.mlp.2.weight": (width, 4 * width), f"{name}.mlp.2.bias": (width,),
        })
        norm(f"{name}.mlp_ln")

    for i in range(DIMS["n_audio_layer"]):
        block(f"encoder.blocks.{i}", cross=False)
    for i in range(DIMS["n_text_layer"]):
        block(f"decoder.blocks.{i}", cross=True)
    norm("encoder.ln_post")
    norm("decoder.ln")
    return {name: rng.standard_normal(shape).astype(np.float32) for name, shape in shapes.items()}


def assert_same_arrays(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for name, array in expected.items():
        assert got[name].dtype == array.dtype and got[name].shape == array.shape, name
        assert np.array_equal(got[name], array), name


def test_openai_state_dict_round_trips_through_ctranslate2_variables():
    state = openai_state_dict()
    model = CT2Model("WhisperSpec", from_openai_state_dict(state, DIMS), {})
    assert whisper_dims(model) == DIMS
    assert_same_arrays(to_openai_state_dict(model), state)


def test_projections_are_fused_in_ctranslate2_order_with_a_zero_key_bias():
    state = openai_state_dict()
    variables = from_openai_state_dict(state, DIMS)
    own = "decoder/layer_1/self_attention/linear_0"
    src = "decoder.blocks.1.attn"
    assert np.array_equal(variables[f"{own}/weight"], np.concatenate([state[f"{src}.{p}.weight"] for p in ("query", "key", "value")]))
    q_bias, k_bias, v_bias = np.split(variables[f"{own}/bias"], 3)
    assert np.array_equal(q_bias, state[f"{src}.query.bias"]) and np.array_equal(v_bias, state[f"{src}.value.bias"])
    assert not k_bias.any()
    cross = "decoder/layer_1/attention"
    assert np.array_equal(variables[f"{cross}/linear_0/weight"], state["decoder.blocks.1.cross_attn.query.weight"])
    k_weight, v_weight = np.split(variables[f"{cross}/linear_1/weight"], 2)
    assert np.array_equal(k_weight, state["decoder.blocks.1.cross_attn.key.weight"])
    assert np.array_equal(v_weight, state["decoder.blocks.1.cross_attn.value.weight"])
    assert int(variables["decoder/num_heads"]) == 4 and variables["decoder/num_heads"].dtype == np.int16


def test_model_bin_round_trip_keeps_dtypes_shapes_scalars_and_aliases():
    rng = np.random.default_rng(1)
    variables = {
        "encoder/weight": rng.standard_normal((3, 2)).astype(np.float32),
        "encoder/half": rng.standard_normal((2, 2, 2)).astype(np.float16),
        "decoder/embeddings/weight": rng.standard_normal((5, 3)).astype(np.float32),
        "decoder/quantized": rng.integers(-128, 127, (4,), dtype=np.int8),
        "decoder/num_heads": np.array(6, np.int16),  # a scalar stays 0-d
        "decoder/alignment_layer": np.array(-1, np.int32),
    }
    out = io.BytesIO()
    write_model_bin(out, variables, PROJECTION_ALIAS)
    spec, read = read_model_bin(io.BytesIO(out.getvalue()))
    assert spec == "WhisperSpec"
    projection = read.pop("decoder/projection/weight")
    assert projection is read["decoder/embeddings/weight"]  # an alias shares its target's array
    assert_same_arrays(read, variables)


def write_variables(directory, variables, config=None) -> None:
    directory.mkdir(exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config or {}))
    with open(directory / "model.bin", "wb") as fp:
        write_model_bin(fp, variables, PROJECTION_ALIAS)


def test_a_written_directory_loads_as_the_same_whisper(tmp_path):
    state = openai_state_dict(seed=2)
    write_variables(tmp_path / "tiny", from_openai_state_dict(state, DIMS), {"alignment_heads": [[1, 0], [2, 3]]})
    model = load_ct2_directory(tmp_path / "tiny")
    assert whisper_dims(model) == DIMS and alignment_heads(model) == [[1, 0], [2, 3]]
    assert_same_arrays(to_openai_state_dict(model), state)


def header(version: int = 6, spec: str = "WhisperSpec") -> bytes:
    name = spec.encode() + b"\0"
    return struct.pack("<I", version) + struct.pack("<H", len(name)) + name + struct.pack("<I", 3)


def one_variable(dtype_id: int) -> bytes:
    name = b"x\0"
    return struct.pack("<I", 1) + struct.pack("<H", len(name)) + name + struct.pack("<BIBI", 1, 2, dtype_id, 8) + bytes(8)


@pytest.mark.parametrize(
    ("model_bin", "reason"),
    [
        (header(version=7) + one_variable(0), "unsupported CTranslate2 binary version 7"),
        (header() + one_variable(9), "variable x has unsupported dtype id 9"),
        ((header() + one_variable(0))[:-3], "truncated file"),
        (header()[:3], "truncated file"),
    ],
    ids=["version", "dtype", "cut array", "cut header"],
)
def test_a_damaged_model_bin_is_one_line_naming_the_directory(tmp_path, model_bin, reason):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.bin").write_bytes(model_bin)
    with pytest.raises(AsrTuiError) as info:
        load_ct2_directory(tmp_path)
    assert str(info.value) == f"cannot read CTranslate2 model in {tmp_path}: {reason}"


def test_another_ctranslate2_model_is_not_taken_for_whisper(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.bin").write_bytes(header(spec="TransformerSpec") + struct.pack("<I", 0) + struct.pack("<I", 0))
    with pytest.raises(AsrTuiError, match=f"^{re.escape(str(tmp_path))} holds a CTranslate2 TransformerSpec, not a Whisper model$"):
        load_ct2_directory(tmp_path)


def test_a_directory_without_its_config_is_one_line(tmp_path):
    write_variables(tmp_path / "tiny", from_openai_state_dict(openai_state_dict(), DIMS))
    (tmp_path / "tiny" / "config.json").unlink()
    with pytest.raises(AsrTuiError, match=f"^cannot read CTranslate2 model in {re.escape(str(tmp_path / 'tiny'))}: ") as info:
        load_ct2_directory(tmp_path / "tiny")
    assert "\n" not in str(info.value)
