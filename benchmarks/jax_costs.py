"""Where JAX's CPU time goes: one encoder window, and one decode step's parts at the
batch sizes the batched strategy runs.

A long recording's time is about half encoder windows, half decode steps (a run's
stage table gives the two). The encoder's rate is its floating-point operations per second
(XLA's count of the compiled program). A step of the greedy loop is split into the
parts that cost: each layer's cross-attention over the window's 1500 encoder frames,
the vocabulary projection (every row's logits over 51,864 tokens), openai-whisper's
logit rules with the pick and its log-probability, and the rest (embeddings,
self-attention over a cache as long as `generate`'s, projections, MLPs, norms).
Each part is compiled on its own and timed in a loop of steps whose inputs change
every step, so XLA cannot hoist it; the whole step is `model.decode` plus the rules
and the pick, as `generate`'s greedy branch runs it. Beside the times, the rate each part reaches:
the cross-attention K/V it reads per second (float32, read whole at every step),
and the vocabulary projection's operations per second; against them, the rate at
which one thread reads memory (NumPy summing 400 MB: a lower bound on the
machine's).

Real weights, random encoder features (a step costs the same whatever the audio).

    .venv/bin/python -m benchmarks.jax_costs [--model tiny.en] [--dtype bfloat16] [--batch 1,18,32]
        [--threads 2] [--steps 100]
"""

from __future__ import annotations

import time

import numpy as np
from rich.console import Console
from rich.table import Table

from asr_tui.core import weights
from asr_tui.core.config import RunConfig
from asr_tui.core.backends.jax_backend import DTYPES, matmul_precision, start_xla
from benchmarks import arguments

def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    parser.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPES), help="the compute dtype")
    parser.add_argument("--batch", type=arguments.positives, default="1,18,32", help="rows per step, comma-separated (18: the 8.3-minute clip's first call)")
    parser.add_argument("--threads", type=arguments.positive, default=2, help="CPU threads for XLA")
    parser.add_argument("--steps", type=arguments.positive, default=100, help="decode steps timed per measurement")
    args = parser.parse_args()
    start_xla(args.threads)
    import jax

    from asr_tui.core.weights import jax_arrays

    dims, tree = jax_arrays.load(weights.resolve(args.model))
    params = jax.tree.map(lambda a: jax.numpy.asarray(a, DTYPES[args.dtype]), tree)
    console = Console()
    console.print(f"memory read by one thread: {_memory_rate():.1f} GB/s (NumPy summing 400 MB)")
    table = Table(title=f"one decode step, JAX {args.model} {args.dtype}, {args.threads} threads (median of 3 loops of {args.steps})")
    for column in ("rows", "part", "ms/step", "share", "rate"):
        table.add_column(column, justify="left" if column == "part" else "right")
    with jax.default_matmul_precision(matmul_precision(args.dtype)):
        seconds, flops = _encoder(params, dims)
        console.print(f"encoder, one 30 s window: {1000 * seconds:.0f} ms, {flops / seconds / 1e9:.0f} GFLOP/s "
                      f"({flops / 1e9:.1f} GFLOP by XLA's count)")
        for rows in args.batch:
            parts = _parts(params, dims, rows, args.steps)
            whole = parts.pop("whole step")
            for name, (ms, rate) in parts.items():
                table.add_row(str(rows), name, f"{ms:.2f}", f"{ms / whole[0]:.0%}", rate)
            rest = whole[0] - sum(ms for ms, _ in parts.values())
            table.add_row(str(rows), "the rest", f"{rest:.2f}", f"{rest / whole[0]:.0%}", "")
            table.add_row(str(rows), "[b]whole step[/]", f"[b]{whole[0]:.2f}[/]", "100%", "", end_section=True)
    console.print(table)


def _memory_rate() -> float:
    """GB/s of the fastest of 3 sums of a float32 array too big for any cache."""
    block = np.ones(100_000_000, np.float32)
    seconds = []
    for _ in range(3):
        began = time.perf_counter()
        block.sum()
        seconds.append(time.perf_counter() - began)
    return block.nbytes / min(seconds) / 1e9


def _encoder(params, dims: dict) -> tuple[float, float]:
    """Median seconds of one window's encoder over 5 calls, and its floating-point
    operations by XLA's cost analysis."""
    import jax
    import jax.numpy as jnp

    from asr_tui.core.backends.jaxwhisper import model

    mel = jnp.asarray(np.random.default_rng(0).standard_normal((1, dims["n_mels"], 3000)), jnp.float32)
    compiled = jax.jit(model.encode, static_argnames="n_head").lower(params, mel, n_head=dims["n_audio_head"]).compile()
    cost = compiled.cost_analysis()
    flops = (cost[0] if isinstance(cost, list) else cost)["flops"]
    return _median_seconds(lambda: compiled(params, mel), 5), flops


def _parts(params, dims: dict, rows: int, steps: int) -> dict[str, tuple[float, str]]:
    """ms per step of each part at `rows` rows, with the rate it reached."""
    import jax
    import jax.numpy as jnp
    from whisper.tokenizer import get_tokenizer

    from asr_tui.core.backends.jaxwhisper import generate as gen
    from asr_tui.core.backends.jaxwhisper import model
    from asr_tui.core.tokens import vocabulary_kind

    n_head, width = dims["n_text_head"], dims["n_text_state"]
    multilingual, num_languages = vocabulary_kind(dims["n_vocab"])
    tokenizer = get_tokenizer(multilingual, num_languages=num_languages)
    vocab = gen.Vocabulary.from_tokenizer(tokenizer, dims["n_vocab"])
    prompt = len(tokenizer.sot_sequence)  # the positions before the first step
    rng = np.random.default_rng(rows)
    features = jnp.asarray(rng.standard_normal((rows, dims["n_audio_ctx"], dims["n_audio_state"])), jnp.float32)
    xkv = jax.jit(model.cross_kv, static_argnames="n_head")(params, features, n_head=n_head)
    # as long as `generate`'s cache: the SOT sequence's bucket and the token limit
    n_ctx = min(dims["n_text_ctx"], gen.prompt_bucket(prompt) + RunConfig().max_new_tokens)
    assert prompt + steps <= n_ctx, f"--steps at most {n_ctx - prompt}"
    cache = model.empty_cache(params, rows, n_ctx, n_head)
    x = jnp.asarray(rng.standard_normal((rows, 1, width)), jnp.float32)
    logits = jnp.asarray(rng.standard_normal((rows, dims["n_vocab"])), jnp.float32)
    tokens = jnp.full((rows, steps), vocab.eot, jnp.int32)
    no = jnp.zeros(rows, bool), jnp.zeros(rows, jnp.int32), jnp.zeros(rows, jnp.int32)  # no timestamps yet, no reach

    def pick(i, logits):  # the rules, the greedy pick and its log-probability, as in `generate`
        ruled = gen._apply_rules(logits, tokens, i, *no, vocab)
        chosen = jnp.argmax(ruled, axis=-1).astype(jnp.int32)
        logprob = jnp.take_along_axis(ruled, chosen[:, None], axis=1)[:, 0] - jax.nn.logsumexp(ruled, axis=-1)
        return chosen, logprob

    def whole(model_arrays, i, carry):
        params, xkv = model_arrays
        token, cache, total = carry
        logits, cache = model.decode(params, token[:, None], prompt + i, cache, xkv, n_head)
        chosen, logprob = pick(i, logits[:, 0])
        return chosen, cache, total + logprob

    def cross_attention(model_arrays, i, x):
        for (xk, xv) in model_arrays[1]:
            q = model._heads(x + i.astype(jnp.float32), n_head)
            x = x + model.attend(q, xk, xv, keys_transposed=True)
        return x

    def projection(model_arrays, i, x):
        embedding = model_arrays[0]["decoder"]["tok"]
        out = jnp.einsum("btd,vd->btv", (x + i.astype(jnp.float32)).astype(embedding.dtype), embedding,
                         preferred_element_type=jnp.float32)
        return x + out[:, :, :width]

    def rules(model_arrays, i, logits):
        chosen, logprob = pick(i % 4, logits + i.astype(jnp.float32))
        return logits + (chosen[:, None] + logprob[:, None]) * 1e-9

    arrays = params, xkv  # arguments of each compiled loop, as in `generate`, not constants folded into it
    kv_bytes = sum(a.size * a.dtype.itemsize for pair in xkv for a in pair)
    projection_flops = 2 * rows * width * dims["n_vocab"]
    found = {
        "cross-attention": (_time(cross_attention, arrays, x, steps), lambda ms: f"{kv_bytes / ms / 1e6:.1f} GB/s of K/V"),
        "vocabulary projection": (_time(projection, arrays, x, steps), lambda ms: f"{projection_flops / ms / 1e6:.0f} GFLOP/s"),
        "logit rules and pick": (_time(rules, arrays, logits, steps), lambda ms: ""),
        "whole step": (_time(whole, arrays, (jnp.zeros(rows, jnp.int32), cache, jnp.zeros(rows)), steps), lambda ms: ""),
    }
    return {name: (ms, rate(ms)) for name, (ms, rate) in found.items()}


def _time(body, arrays, start, steps: int) -> float:
    """Median ms per step of `steps` steps of `body(arrays, step, carry)` in one
    compiled loop, over 3 loops."""
    import jax

    loop = jax.jit(lambda arrays, start: jax.lax.fori_loop(0, steps, lambda i, carry: body(arrays, i, carry), start))
    return 1000 * _median_seconds(lambda: loop(arrays, start), 3) / steps


def _median_seconds(call, times: int) -> float:
    """Median seconds of `times` calls of a compiled `call`, after one that compiles."""
    import jax

    jax.block_until_ready(call())
    seconds = []
    for _ in range(times):
        began = time.perf_counter()
        jax.block_until_ready(call())
        seconds.append(time.perf_counter() - began)
    return float(np.median(seconds))


if __name__ == "__main__":
    main()
