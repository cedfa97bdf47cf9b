"""openai-whisper state dict -> the parameter tree of the JAX backend's model
(`core.backends.jaxwhisper`): linear weights stored (in, out) so `x @ w` needs no
transpose, one dict per layer. Cached as .npz (layers stacked) so later loads need
neither torch nor the conversion."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from asr_tui.core.weights import cache
from asr_tui.core.weights.checkpoint import load_checkpoint

if TYPE_CHECKING:
    from asr_tui.core.weights.resolution import Weights

ARRAYS = "params.npz"

BLOCK_LINEARS = {
    # tree name -> (state-dict stem, has bias)
    "q": ("attn.query", True), "k": ("attn.key", False), "v": ("attn.value", True), "o": ("attn.out", True),
    "xq": ("cross_attn.query", True), "xk": ("cross_attn.key", False), "xv": ("cross_attn.value", True),
    "xo": ("cross_attn.out", True), "fc1": ("mlp.0", True), "fc2": ("mlp.2", True),
}
BLOCK_NORMS = {"ln1": "attn_ln", "xln": "cross_attn_ln", "ln2": "mlp_ln"}


def _stack_blocks(sd: dict, prefix: str, n_layers: int, cross: bool) -> dict:
    out: dict[str, np.ndarray] = {}
    for name, (stem, bias) in BLOCK_LINEARS.items():
        if name.startswith("x") and not cross:
            continue
        # stored as (in, out) so that x @ w needs no transpose at run time
        out[f"{name}_w"] = np.stack([sd[f"{prefix}.{i}.{stem}.weight"].T for i in range(n_layers)])
        if bias:
            out[f"{name}_b"] = np.stack([sd[f"{prefix}.{i}.{stem}.bias"] for i in range(n_layers)])
    for name, stem in BLOCK_NORMS.items():
        if name == "xln" and not cross:
            continue
        out[f"{name}_g"] = np.stack([sd[f"{prefix}.{i}.{stem}.weight"] for i in range(n_layers)])
        out[f"{name}_b"] = np.stack([sd[f"{prefix}.{i}.{stem}.bias"] for i in range(n_layers)])
    return out


def from_state_dict(sd: dict[str, np.ndarray], dims: dict) -> dict:
    sd = {k: np.asarray(v, dtype=np.float32) for k, v in sd.items()}
    encoder = {
        "conv1_w": sd["encoder.conv1.weight"], "conv1_b": sd["encoder.conv1.bias"],
        "conv2_w": sd["encoder.conv2.weight"], "conv2_b": sd["encoder.conv2.bias"],
        "pos": sd["encoder.positional_embedding"],
        "ln_g": sd["encoder.ln_post.weight"], "ln_b": sd["encoder.ln_post.bias"],
        "blocks": _stack_blocks(sd, "encoder.blocks", dims["n_audio_layer"], cross=False),
    }
    decoder = {
        "tok": sd["decoder.token_embedding.weight"], "pos": sd["decoder.positional_embedding"],
        "ln_g": sd["decoder.ln.weight"], "ln_b": sd["decoder.ln.bias"],
        "blocks": _stack_blocks(sd, "decoder.blocks", dims["n_text_layer"], cross=True),
    }
    return {"encoder": encoder, "decoder": decoder}


def _flatten(tree: dict, prefix: str = "") -> dict[str, np.ndarray]:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _unflatten(flat: dict[str, np.ndarray]) -> dict:
    tree: dict = {}
    for key, value in flat.items():
        node = tree
        *parents, leaf = key.split("/")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _convert(weights: Weights, staging: Path) -> None:
    checkpoint = load_checkpoint(weights.checkpoint)
    sd = {k: v.float().numpy() for k, v in checkpoint["model_state_dict"].items()}
    tree = from_state_dict(sd, checkpoint["dims"])
    flat = _flatten(tree)
    flat["dims/keys"] = np.array(list(checkpoint["dims"]))
    flat["dims/values"] = np.array(list(checkpoint["dims"].values()))
    with open(staging / ARRAYS, "wb") as fp:
        np.savez(fp, **flat)


def load(weights: Weights) -> tuple[dict, dict]:
    """(dims, float32 NumPy tree), converted from the checkpoint once and cached as .npz."""
    entry = cache.cached(cache.entry("jax", weights.name, weights.sha256), lambda staging: _convert(weights, staging))
    with np.load(entry / ARRAYS) as data:
        flat = {k: data[k] for k in data.files}
    dims = dict(zip(flat.pop("dims/keys").tolist(), map(int, flat.pop("dims/values"))))
    return dims, per_layer(_unflatten(flat))


def per_layer(tree: dict) -> dict:
    """The stacked tree (`from_state_dict`) with one dict per layer, as the model reads it."""
    for part in ("encoder", "decoder"):
        stacked = tree[part]["blocks"]
        layers = next(iter(stacked.values())).shape[0]
        tree[part]["blocks"] = [{k: v[i] for k, v in stacked.items()} for i in range(layers)]
    return tree
