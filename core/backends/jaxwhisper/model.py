"""Whisper's encoder and decoder as pure functions of a parameter tree.

Precision: weights (and so the matmul inputs) are in the chosen dtype, while matmul
accumulation, the residual stream, layer norms, attention, the caches and the
logits stay in float32. On XLA's CPU backend that is also what is fast: bfloat16
dots with a float32 result take the fast path once a few rows are batched, while
bfloat16 attention einsums and bfloat16 matrix-vector products are many times slower
than float32 ones (measured on this project's machines).

Layers are unrolled in Python over per-layer parameters and caches: under
`lax.scan`, every decode step copied each layer's slice of the cross-attention K/V
and of the self-attention cache, which cost more than the arithmetic.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

F32 = jnp.float32


def dense(x, w, b=None):
    y = jnp.matmul(x.astype(w.dtype), w, preferred_element_type=F32)
    return y if b is None else y + b.astype(F32)


def layer_norm(x, g, b, eps: float = 1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + eps) * g.astype(F32) + b.astype(F32)


def _heads(x, n_head: int):
    b, t, d = x.shape
    return x.reshape(b, t, n_head, d // n_head).transpose(0, 2, 1, 3)


def _merge(x):
    b, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * dh)


def attend(q, k, v, mask=None, keys_transposed: bool = False):
    """Scaled dot-product attention on (batch, heads, len, head dim) float32 arrays.
    Keys and values arrive already split into heads so that the decode loop never
    transposes its caches; `keys_transposed` keys are (batch, heads, head dim, len).

    Keys and values may have fewer rows than the queries, each shared by the
    consecutive query rows of one window (its beams or samples): those rows become
    more queries of that window, so its cross-attention K/V is read once per step
    instead of once per beam (no mask: cross-attention only)."""
    rows, group = k.shape[0], q.shape[0] // k.shape[0]
    if group > 1:
        b, h, t, d = q.shape
        q = q.reshape(rows, group, h, t, d).transpose(0, 2, 1, 3, 4).reshape(rows, h, group * t, d)
    scores = jnp.einsum("bhqd,bhdk->bhqk" if keys_transposed else "bhqd,bhkd->bhqk", q, k) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = jnp.where(mask, scores, -jnp.inf)
    out = jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(scores, axis=-1), v)
    if group > 1:
        out = out.reshape(rows, h, group, t, d).transpose(0, 2, 1, 3, 4).reshape(b, h, t, d)
    return _merge(out)


def attend_blocked(q, k, v, compute_dtype, block: int = 300):
    """The encoder's attention (no mask, 1500 queries), one block of queries at a time.

    Whole, the (heads, 1500, 1500) float32 score matrix is 54 MB per window, and writing
    and re-reading it cost more than the arithmetic; a block's scores stay in the core's
    cache. Query/key and probability/value products take `compute_dtype` inputs (a
    bfloat16 model gains here: these are many-row matmuls, XLA's fast bf16 path) with a
    float32 softmax. Measured per layer on one window: 42 ms whole, 27 ms blocked, 18 ms
    blocked in bf16 (PyTorch's fused SDPA: 15 ms)."""
    b, h, t, d = q.shape
    if t % block:
        return attend(q, k, v)
    blocks = (q * d**-0.5).astype(compute_dtype).reshape(b, h, t // block, block, d).transpose(2, 0, 1, 3, 4)
    k, v = k.astype(compute_dtype), v.astype(compute_dtype)

    def one(qb):
        scores = jnp.einsum("bhqd,bhkd->bhqk", qb, k, preferred_element_type=F32)
        weights = jnp.exp(scores - scores.max(-1, keepdims=True))
        out = jnp.einsum("bhqk,bhkd->bhqd", weights.astype(compute_dtype), v, preferred_element_type=F32)
        return out / weights.sum(-1, keepdims=True)

    return _merge(lax.map(one, blocks).transpose(1, 2, 0, 3, 4).reshape(b, h, t, d))


def _conv1d(x, w, b, stride: int):
    y = lax.conv_general_dilated(
        x.astype(w.dtype), w, (stride,), [(1, 1)], dimension_numbers=("NCH", "OIH", "NCH"), preferred_element_type=F32
    )
    return y + b.astype(F32)[None, :, None]


def _mlp(x, p):
    return dense(jax.nn.gelu(dense(x, p["fc1_w"], p["fc1_b"]), approximate=False), p["fc2_w"], p["fc2_b"])


def encode(params, mel, n_head: int):
    """(batch, n_mels, 3000) log-mel -> (batch, 1500, d) float32 audio features."""
    p = params["encoder"]
    x = jax.nn.gelu(_conv1d(mel, p["conv1_w"], p["conv1_b"], 1), approximate=False)
    x = jax.nn.gelu(_conv1d(x, p["conv2_w"], p["conv2_b"], 2), approximate=False)
    x = x.transpose(0, 2, 1) + p["pos"].astype(F32)[None]
    for b in p["blocks"]:
        h = layer_norm(x, b["ln1_g"], b["ln1_b"])
        q, k, v = (_heads(t, n_head) for t in (dense(h, b["q_w"], b["q_b"]), dense(h, b["k_w"]), dense(h, b["v_w"], b["v_b"])))
        x = x + dense(attend_blocked(q, k, v, b["q_w"].dtype), b["o_w"], b["o_b"])
        x = x + _mlp(layer_norm(x, b["ln2_g"], b["ln2_b"]), b)
    return layer_norm(x, p["ln_g"], p["ln_b"])


def cross_kv(params, audio_features, n_head: int):
    """Each decoder layer's cross-attention (keys, values), split into heads:
    computed once per window, read at every decode step. Keys are stored transposed,
    (batch, heads, head dim, frames): reading them is most of a CPU decode step at
    batch 16, and this layout made those reads 15 % faster."""
    return tuple(
        (
            _heads(dense(audio_features, b["xk_w"]), n_head).swapaxes(2, 3),
            _heads(dense(audio_features, b["xv_w"], b["xv_b"]), n_head),
        )
        for b in params["decoder"]["blocks"]
    )


def empty_cache(params, batch: int, n_ctx: int, n_head: int):
    """Self-attention (keys, values) per layer for every position: (batch, heads, n_ctx, head dim)."""
    cache = []
    for b in params["decoder"]["blocks"]:
        shape = (batch, n_head, n_ctx, b["k_w"].shape[1] // n_head)
        cache.append((jnp.zeros(shape, F32), jnp.zeros(shape, F32)))
    return tuple(cache)


def decode(params, tokens, offset, cache, xkv, n_head: int):
    """Run `tokens` (batch, L) at positions offset..offset+L-1 against the self-attention
    cache (written at those positions) and the cross-attention K/V.
    Returns float32 logits (batch, L, vocab) and the updated cache."""
    p = params["decoder"]
    n_ctx = cache[0][0].shape[2]
    length = tokens.shape[1]
    x = p["tok"][tokens].astype(F32) + lax.dynamic_slice_in_dim(p["pos"], offset, length).astype(F32)[None]
    query_pos = offset + jnp.arange(length)
    mask = (jnp.arange(n_ctx)[None, :] <= query_pos[:, None])[None, None]
    new_cache = []
    for b, (k_cache, v_cache), (xk, xv) in zip(p["blocks"], cache, xkv):
        h = layer_norm(x, b["ln1_g"], b["ln1_b"])
        k_cache = lax.dynamic_update_slice_in_dim(k_cache, _heads(dense(h, b["k_w"]), n_head), offset, axis=2)
        v_cache = lax.dynamic_update_slice_in_dim(v_cache, _heads(dense(h, b["v_w"], b["v_b"]), n_head), offset, axis=2)
        new_cache.append((k_cache, v_cache))
        x = x + dense(attend(_heads(dense(h, b["q_w"], b["q_b"]), n_head), k_cache, v_cache, mask), b["o_w"], b["o_b"])
        h = layer_norm(x, b["xln_g"], b["xln_b"])
        x = x + dense(attend(_heads(dense(h, b["xq_w"], b["xq_b"]), n_head), xk, xv, keys_transposed=True), b["xo_w"], b["xo_b"])
        x = x + _mlp(layer_norm(x, b["ln2_g"], b["ln2_b"]), b)
    x = layer_norm(x, p["ln_g"], p["ln_b"])
    logits = jnp.einsum("btd,vd->btv", x.astype(p["tok"].dtype), p["tok"], preferred_element_type=F32)
    return logits, tuple(new_cache)
