"""The jit-compiled decode loops: prefill the prompt, then pick tokens step by step
under openai-whisper's logit rules, inside `lax.while_loop` with static shapes:
`generate` samples one token per row (greedy or at a temperature), `beam_search`
keeps `beam` rows per window.

The rules are openai-whisper's `SuppressBlank`, `SuppressTokens` and
`ApplyTimestampRules`, written for a whole batch at once so that the two backends
pick the same tokens from the same logits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from asr_tui.core.backends.jaxwhisper import model
from asr_tui.core.tokens import MAX_INITIAL_TIMESTAMP_INDEX, suppressed

NEG_INF = -jnp.inf


@dataclass(frozen=True)
class Vocabulary:
    """The token ids the rules need (hashable: it is a static jit argument)."""

    eot: int
    no_timestamps: int
    timestamp_begin: int
    no_speech: int | None
    blank: tuple[int, ...]  # suppressed as the first sampled token
    suppress: tuple[int, ...]
    vocab_size: int
    max_initial_timestamp_index: int = MAX_INITIAL_TIMESTAMP_INDEX

    @classmethod
    def from_tokenizer(cls, tokenizer, vocab_size: int) -> "Vocabulary":
        return cls(
            eot=tokenizer.eot,
            no_timestamps=tokenizer.no_timestamps,
            timestamp_begin=tokenizer.timestamp_begin,
            no_speech=tokenizer.no_speech,
            blank=tuple(tokenizer.encode(" ") + [tokenizer.eot]),
            suppress=tuple(sorted(suppressed(tokenizer))),
            vocab_size=vocab_size,
        )


def _apply_rules(logits, tokens, step, has_ts, last_ts, reach, vocab: Vocabulary):
    """logits (batch, vocab) for the token at sampled index `step`; `tokens` holds the
    tokens sampled so far (batch, max_new). Each rule is one masked pass over the
    logits: at batch 16 on the CPU these passes cost a tenth of a decoder step.

    Besides openai-whisper's rules, a row may not end on a segment it has only begun
    (two timestamps in a row) before its timestamp token in `reach` (batch,):
    `loops.must_reach`; a timestamp token of 0 sets no such bound."""
    ids = jnp.arange(vocab.vocab_size)
    tb, eot = vocab.timestamp_begin, vocab.eot
    never = np.zeros(vocab.vocab_size, bool)  # a constant of the compiled loop
    never[list(vocab.suppress) + [vocab.no_timestamps]] = True
    blank = np.zeros(vocab.vocab_size, bool)
    blank[list(vocab.blank)] = True
    # the first sampled token is a timestamp no later than 1 s
    not_first = (ids < tb) | (ids > tb + vocab.max_initial_timestamp_index)
    last = jnp.where(step >= 1, tokens[:, jnp.maximum(step - 1, 0)], -1)
    penultimate = jnp.where(step >= 2, tokens[:, jnp.maximum(step - 2, 0)], -1)
    last_was_ts = (step >= 1) & (last >= tb)
    penultimate_was_ts = (step < 2) | (penultimate >= tb)
    is_ts = ids[None, :] >= tb
    # timestamps never decrease, and a segment is never empty
    floor = jnp.where(last_was_ts & ~penultimate_was_ts, last_ts, last_ts + 1)
    banned = (
        never[None, :]
        | ((step == 0) & (blank | not_first))[None, :]
        | ((last_was_ts & penultimate_was_ts)[:, None] & is_ts)
        | ((last_was_ts & ~penultimate_was_ts)[:, None] & (ids[None, :] < eot))
        | (has_ts[:, None] & is_ts & (ids[None, :] < floor[:, None]))
        | (((step >= 2) & last_was_ts & penultimate_was_ts & (last_ts < reach))[:, None] & (ids[None, :] == eot))
    )
    logits = jnp.where(banned, NEG_INF, logits)
    # If the timestamps together are likelier than any text token, force a timestamp.
    # Compared in logits: both sides of openai-whisper's log-probability test share
    # the same normaliser, so no softmax over the vocabulary is needed.
    ts_mass = jax.nn.logsumexp(logits[:, tb:], axis=-1)
    text_best = jnp.max(logits[:, :tb], axis=-1)
    return jnp.where((ts_mass > text_best)[:, None] & ~is_ts, NEG_INF, logits)


def _prefill(params, xkv, prompt, prompt_len, sot_index, n_head, vocab: Vocabulary, max_new):
    """Run the prompt into a fresh self-attention cache. Returns the cache's length,
    the cache, the logits for the first sampled token and the no-speech probability
    at the SOT position."""
    batch = prompt.shape[0]
    n_ctx = context_length(params["decoder"]["pos"].shape[0], prompt.shape[1], max_new)
    cache = model.empty_cache(params, batch, n_ctx, n_head)
    logits, cache = model.decode(params, prompt, 0, cache, xkv, n_head)
    if vocab.no_speech is not None:
        no_speech = jax.nn.softmax(logits[:, sot_index], axis=-1)[:, vocab.no_speech]
    else:
        no_speech = jnp.zeros(batch)
    first_logits = lax.dynamic_index_in_dim(logits, prompt_len - 1, axis=1, keepdims=False)
    return n_ctx, cache, first_logits, no_speech


def context_length(n_text_ctx: int, bucket: int, max_new: int) -> int:
    """The positions a call's self-attention cache holds: only what a prompt padded to
    `bucket` and `max_new` sampled tokens can reach (at batch 16 on the CPU, attending
    over all 448 positions made each step a fifth slower), at most the model's text
    context."""
    return min(n_text_ctx, bucket + max_new)


def room(prompt_len: int, bucket: int, max_new: int, n_text_ctx: int) -> int:
    """How many tokens `generate` and `beam_search` can sample after a prompt of
    `prompt_len` tokens padded to `bucket`: `max_new`, or fewer where the prompt
    leaves less of the text context. A row that sampled this many without an end
    token was cut off (`DecodedWindow.cut_off`)."""
    return min(max_new, context_length(n_text_ctx, bucket, max_new) - prompt_len)


def _after(tokens, chosen, step, has_ts, last_ts, vocab: Vocabulary):
    """Rows' histories with `chosen` written at sampled index `step`."""
    is_ts = chosen >= vocab.timestamp_begin
    return tokens.at[:, step].set(chosen), has_ts | is_ts, jnp.where(is_ts, chosen, last_ts)


@partial(jax.jit, static_argnames=("n_head", "vocab", "max_new"))
def generate(params, xkv, prompt, prompt_len, sot_index, reach, temperature, key, *, n_head, vocab, max_new):
    """Decode a batch of windows from their cross-attention K/V (`model.cross_kv`),
    one row per window, shared by that window's consecutive rows of `prompt` when it
    has several (`best_of` samples).

    prompt: (batch, P) tokens, valid up to `prompt_len` (P is a padded bucket; the
    padding is written to the cache but overwritten before it can be attended to).
    reach: (batch,) timestamp tokens, as `_apply_rules` takes them.
    Returns sampled tokens (batch, max_new) padded with EOT, their count, the sum of
    their log-probabilities and the no-speech probability at the SOT position.
    """
    batch = prompt.shape[0]
    n_ctx, cache, first_logits, no_speech = _prefill(params, xkv, prompt, prompt_len, sot_index, n_head, vocab, max_new)

    def cond(state):
        step, pos, _, _, _, done, *_ = state
        return (step < max_new) & (pos < n_ctx) & ~jnp.all(done)

    def body(state):
        step, pos, logits, cache, tokens, done, sum_logprob, has_ts, last_ts, key = state
        logits = _apply_rules(logits, tokens, step, has_ts, last_ts, reach, vocab)
        key, sample_key = jax.random.split(key)
        # lax.cond runs one branch: drawing Gumbel noise over the vocabulary for every
        # row costs more than the decoder step, so greedy passes must not pay for it.
        chosen = lax.cond(
            temperature > 0,
            lambda: jax.random.categorical(sample_key, logits / temperature).astype(jnp.int32),
            lambda: jnp.argmax(logits, axis=-1).astype(jnp.int32),
        )
        logprob = jnp.take_along_axis(logits, chosen[:, None], axis=1)[:, 0] - jax.nn.logsumexp(logits, axis=-1)
        sum_logprob = sum_logprob + jnp.where(done, 0.0, logprob)
        chosen = jnp.where(done, vocab.eot, chosen)
        tokens, has_ts, last_ts = _after(tokens, chosen, step, has_ts, last_ts, vocab)
        done = done | (chosen == vocab.eot)
        next_logits, cache = model.decode(params, chosen[:, None], pos, cache, xkv, n_head)
        return step + 1, pos + 1, next_logits[:, 0], cache, tokens, done, sum_logprob, has_ts, last_ts, key

    state = (
        jnp.int32(0), prompt_len.astype(jnp.int32), first_logits, cache,
        jnp.full((batch, max_new), vocab.eot, jnp.int32), jnp.zeros(batch, bool),
        jnp.zeros(batch, jnp.float32), jnp.zeros(batch, bool), jnp.zeros(batch, jnp.int32), key,
    )
    step, _, _, _, tokens, _, sum_logprob, *_ = lax.while_loop(cond, body, state)
    return tokens, step, sum_logprob, no_speech


@partial(jax.jit, static_argnames=("n_head", "vocab", "max_new", "beam", "candidates"))
def beam_search(params, xkv, prompt, prompt_len, sot_index, reach, *, n_head, vocab, max_new, beam, candidates):
    """openai-whisper's beam search (its `BeamSearchDecoder`) for a batch of windows,
    each window one row of `xkv` and `beam` consecutive rows of `prompt` and `reach`.

    At every step each live sequence offers its `beam + 1` likeliest next tokens
    (so at least `beam` of them are not EOT); a window's offers are ranked by
    cumulative log-probability, the first `beam` that do not end in EOT live on, and
    those ending in EOT ranked above the last of them are finished, kept up to
    `candidates` (round(beam × patience)) per window. The search stops when every
    window holds that many, or at the token limit. All bookkeeping is arrays of fixed
    size, so the whole search is one `lax.while_loop`; live rows move to their new
    sequence's origin by a gather of every row state, the KV cache included, as
    openai-whisper's `rearrange_kv_cache` does.

    Returns the live sequences (windows, beam, max_new) in rank order, padded with EOT,
    and their sums of log-probabilities (windows, beam); the finished sequences
    (windows, candidates, max_new) ending in EOT, their sums and how many there are
    per window; and each window's no-speech probability. `rank_beams` picks the
    result from these as openai-whisper's `finalize` and ranker do.
    """
    rows = prompt.shape[0]
    windows, offers = rows // beam, beam * (beam + 1)
    n_ctx, cache, first_logits, no_speech = _prefill(params, xkv, prompt, prompt_len, sot_index, n_head, vocab, max_new)
    first_row = jnp.arange(windows)[:, None] * beam  # each window's first row
    window_index = jnp.arange(windows)[:, None]

    def cond(state):
        step, pos, *_, found = state
        return (step < max_new) & (pos < n_ctx) & ~jnp.all(found >= candidates)

    def body(state):
        step, pos, logits, cache, tokens, sum_logprob, has_ts, last_ts, done_tokens, done_sum, found = state
        logits = _apply_rules(logits, tokens, step, has_ts, last_ts, reach, vocab)
        top_logprob, top_token = lax.top_k(logits - jax.nn.logsumexp(logits, axis=-1, keepdims=True), beam + 1)
        scores = (sum_logprob[:, None] + top_logprob).reshape(windows, offers)
        # At the first step a window's beams are copies of one prompt; openai-whisper
        # counts an offered sequence once, so only the first beam's offers stand.
        scores = jnp.where((step > 0) | (jnp.arange(offers) < beam + 1), scores, NEG_INF)
        # ranked best first; a stable sort keeps ties in offer order, as Python's sort does
        order = jnp.argsort(-scores, axis=-1, stable=True)
        ranked = jnp.take_along_axis(scores, order, axis=-1)
        offered = jnp.take_along_axis(top_token.reshape(windows, offers), order, axis=-1)
        origin = first_row + order // (beam + 1)  # (windows, offers) row each offer extends
        ends = offered == vocab.eot
        live_above = jnp.cumsum(~ends, axis=-1) - ~ends  # offers not ending in EOT ranked above
        finished = ends & (live_above < beam)
        # the first `beam` offers not ending in EOT, kept in rank order
        kept = jnp.argsort(ends | (live_above >= beam), axis=-1, stable=True)[:, :beam]
        # finished sequences fill free slots in rank order; the others are dropped
        slot = found[:, None] + jnp.cumsum(finished, axis=-1) - 1
        slot = jnp.where(finished & (slot < candidates), slot, candidates)
        # a row's tokens are EOT past `step`: the finished sequence is its origin's row
        done_tokens = done_tokens.at[window_index, slot].set(tokens[origin], mode="drop")
        done_sum = done_sum.at[window_index, slot].set(ranked, mode="drop")
        found = jnp.minimum(found + finished.sum(axis=-1), candidates)
        source = jnp.take_along_axis(origin, kept, axis=-1).reshape(rows)
        chosen = jnp.take_along_axis(offered, kept, axis=-1).reshape(rows)
        sum_logprob = jnp.take_along_axis(ranked, kept, axis=-1).reshape(rows)
        tokens, has_ts, last_ts = _after(tokens[source], chosen, step, has_ts[source], last_ts[source], vocab)
        cache = jax.tree.map(lambda a: jnp.take(a, source, axis=0), cache)
        next_logits, cache = model.decode(params, chosen[:, None], pos, cache, xkv, n_head)
        return (step + 1, pos + 1, next_logits[:, 0], cache, tokens, sum_logprob, has_ts, last_ts,
                done_tokens, done_sum, found)

    state = (
        jnp.int32(0), prompt_len.astype(jnp.int32), first_logits, cache,
        jnp.full((rows, max_new), vocab.eot, jnp.int32), jnp.zeros(rows, jnp.float32),
        jnp.zeros(rows, bool), jnp.zeros(rows, jnp.int32),
        jnp.full((windows, candidates, max_new), vocab.eot, jnp.int32),
        jnp.full((windows, candidates), NEG_INF, jnp.float32), jnp.zeros(windows, jnp.int32),
    )
    _, _, _, _, tokens, sum_logprob, _, _, done_tokens, done_sum, found = lax.while_loop(cond, body, state)
    return (tokens.reshape(windows, beam, max_new), sum_logprob.reshape(windows, beam),
            done_tokens, done_sum, found, no_speech[::beam])


Candidate = tuple[list[int], float]  # sampled tokens without EOT, their sum of log-probabilities


def _until_eot(row: np.ndarray, eot: int) -> list[int]:
    tokens = row.tolist()
    return tokens[: tokens.index(eot)] if eot in tokens else tokens


def best_candidate(candidates: list[Candidate]) -> Candidate:
    """openai-whisper's `MaximumLikelihoodRanker` at its default length penalty (None):
    the highest sum of log-probabilities per sampled token, the first one on a tie.
    The sums include the EOT token's, the lengths do not, as there."""
    return max(candidates, key=lambda c: c[1] / len(c[0]))


def rank_beams(live_tokens, live_sum, done_tokens, done_sum, found, eot: int) -> list[Candidate]:
    """Each window's result from `beam_search`'s arrays (NumPy), as openai-whisper's
    `finalize` and ranker choose it: the finished sequences, topped up with the live
    ones, best first, when fewer than `beam` finished; then `best_candidate`."""
    beam = live_tokens.shape[1]
    chosen = []
    for window in range(live_tokens.shape[0]):
        candidates = [(_until_eot(done_tokens[window, i], eot), float(done_sum[window, i])) for i in range(found[window])]
        for j in sorted(range(beam), key=lambda j: -live_sum[window, j])[: max(0, beam - len(candidates))]:
            candidates.append((_until_eot(live_tokens[window, j], eot), float(live_sum[window, j])))
        chosen.append(best_candidate(candidates))
    return chosen


def best_of_samples(tokens, sum_logprob, group: int, eot: int) -> list[Candidate]:
    """Each window's result from `generate`'s rows (NumPy), `group` consecutive rows per
    window: openai-whisper's best_of picks among samples with the same ranker."""
    return [
        best_candidate([(_until_eot(tokens[row], eot), float(sum_logprob[row])) for row in range(first, first + group)])
        for first in range(0, len(tokens), group)
    ]


def prompt_bucket(length: int, minimum: int = 4) -> int:
    """Round up to a power of two (at least `minimum`) so a few shapes cover all
    prompt lengths and batch sizes, each compiled once."""
    return max(minimum, 1 << (length - 1).bit_length())


def pad_prompts(prompts: list[list[int]], batch: int, eot: int) -> tuple[np.ndarray, int]:
    """All prompts in one call share a length (one prompt in sequential mode, the
    SOT sequence in batched mode but for a window decoded again after the one before
    it); rows beyond the real ones are padding windows."""
    length = len(prompts[0])
    out = np.full((batch, prompt_bucket(length)), eot, np.int32)
    for row in range(batch):
        out[row, :length] = prompts[min(row, len(prompts) - 1)]
    return out, length
