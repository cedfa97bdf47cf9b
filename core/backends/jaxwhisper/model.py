"""Whisper's encoder and decoder as pure functions of a parameter tree.

Layer norms, softmax and the output logits run in float32 whatever the compute
dtype, as openai-whisper does; everything else runs in the dtype the weights were
cast to, so bfloat16 and float16 change the matmuls, not the numerics that decide
the argmax.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax


def layer_norm(x, g, b, eps: float = 1e-5):
    x32 = x.astype(jnp.float32)
    mean = x32.mean(-1, keepdims=True)
    var = ((x32 - mean) ** 2).mean(-1, keepdims=True)
    y = (x32 - mean) * lax.rsqrt(var + eps) * g.astype(jnp.float32) + b.astype(jnp.float32)
    return y.astype(x.dtype)


def _heads(x, n_head: int):
    b, t, d = x.shape
    return x.reshape(b, t, n_head, d // n_head).transpose(0, 2, 1, 3)


def _merge(x):
    b, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * dh)


def attention(q, k, v, n_head: int, mask=None):
    """Scaled dot-product attention; scores and softmax in float32."""
    q, k, v = _heads(q, n_head), _heads(k, n_head), _heads(v, n_head)
    scale = q.shape[-1] ** -0.5
    scores = jnp.einsum("bhqd,bhkd->bhqk", q, k, preferred_element_type=jnp.float32) * scale
    if mask is not None:
        scores = jnp.where(mask, scores, -jnp.inf)
    weights = jax.nn.softmax(scores, axis=-1).astype(v.dtype)
    return _merge(jnp.einsum("bhqk,bhkd->bhqd", weights, v))


def _conv1d(x, w, b, stride: int):
    y = lax.conv_general_dilated(x, w, (stride,), [(1, 1)], dimension_numbers=("NCH", "OIH", "NCH"))
    return y + b[None, :, None]


def _mlp(x, p):
    h = jax.nn.gelu(x @ p["fc1_w"] + p["fc1_b"], approximate=False)
    return h @ p["fc2_w"] + p["fc2_b"]


def encode(params, mel, n_head: int):
    """(batch, n_mels, 3000) log-mel -> (batch, 1500, d) audio features."""
    p = params["encoder"]
    dtype = p["conv1_w"].dtype
    x = jax.nn.gelu(_conv1d(mel.astype(dtype), p["conv1_w"], p["conv1_b"], 1), approximate=False)
    x = jax.nn.gelu(_conv1d(x, p["conv2_w"], p["conv2_b"], 2), approximate=False)
    x = x.transpose(0, 2, 1) + p["pos"][None]

    def block(x, b):
        h = layer_norm(x, b["ln1_g"], b["ln1_b"])
        x = x + attention(h @ b["q_w"] + b["q_b"], h @ b["k_w"], h @ b["v_w"] + b["v_b"], n_head) @ b["o_w"] + b["o_b"]
        x = x + _mlp(layer_norm(x, b["ln2_g"], b["ln2_b"]), b)
        return x, None

    x, _ = lax.scan(block, x, p["blocks"])
    return layer_norm(x, p["ln_g"], p["ln_b"])


def cross_kv(params, audio_features):
    """Each decoder layer's cross-attention keys and values: computed once per window."""
    b = params["decoder"]["blocks"]
    k = jnp.einsum("btd,lde->lbte", audio_features, b["xk_w"])
    v = jnp.einsum("btd,lde->lbte", audio_features, b["xv_w"]) + b["xv_b"][:, None, None, :]
    return k, v


def empty_cache(params, batch: int, n_ctx: int):
    b = params["decoder"]["blocks"]
    layers, d = b["k_w"].shape[0], b["k_w"].shape[2]
    shape = (layers, batch, n_ctx, d)
    return jnp.zeros(shape, b["k_w"].dtype), jnp.zeros(shape, b["k_w"].dtype)


def decode(params, tokens, offset, cache, xkv, n_head: int):
    """Run `tokens` (batch, L) at positions offset..offset+L-1 against the self-attention
    cache (written in place at those positions) and the cross-attention K/V.
    Returns float32 logits (batch, L, vocab) and the updated cache."""
    p = params["decoder"]
    n_ctx = cache[0].shape[2]
    length = tokens.shape[1]
    x = p["tok"][tokens] + lax.dynamic_slice_in_dim(p["pos"], offset, length)[None]
    query_pos = offset + jnp.arange(length)
    mask = (jnp.arange(n_ctx)[None, :] <= query_pos[:, None])[None, None]

    def block(x, layer):
        b, k_cache, v_cache, xk, xv = layer
        h = layer_norm(x, b["ln1_g"], b["ln1_b"])
        k_cache = lax.dynamic_update_slice_in_dim(k_cache, h @ b["k_w"], offset, axis=1)
        v_cache = lax.dynamic_update_slice_in_dim(v_cache, h @ b["v_w"] + b["v_b"], offset, axis=1)
        x = x + attention(h @ b["q_w"] + b["q_b"], k_cache, v_cache, n_head, mask) @ b["o_w"] + b["o_b"]
        h = layer_norm(x, b["xln_g"], b["xln_b"])
        x = x + attention(h @ b["xq_w"] + b["xq_b"], xk, xv, n_head) @ b["xo_w"] + b["xo_b"]
        x = x + _mlp(layer_norm(x, b["ln2_g"], b["ln2_b"]), b)
        return x, (k_cache, v_cache)

    x, cache = lax.scan(block, x, (p["blocks"], cache[0], cache[1], xkv[0], xkv[1]))
    x = layer_norm(x, p["ln_g"], p["ln_b"])
    logits = jnp.einsum("btd,vd->btv", x, p["tok"], preferred_element_type=jnp.float32)
    return logits, cache
