"""Facts about a checkpoint's vocabulary and the prompt made of it, from openai-whisper's
tokenizer and decoder, for the backends that apply Whisper's decoding rules themselves
(JAX) or hand them to another library (whisper-jax's generation config): both must
suppress and prompt as openai-whisper does."""

from __future__ import annotations

MAX_INITIAL_TIMESTAMP_INDEX = 50  # openai-whisper's 1.0 s limit on the first timestamp, in 0.02 s steps


def vocabulary_kind(n_vocab: int) -> tuple[bool, int]:
    """(multilingual, number of languages), as openai-whisper's model derives them."""
    multilingual = n_vocab >= 51865
    return multilingual, n_vocab - 51765 - int(multilingual)


def suppressed(tokenizer) -> set[int]:
    """Tokens never sampled: openai-whisper's non-speech symbols and control tokens."""
    tokens = set(tokenizer.non_speech_tokens)
    tokens.update([tokenizer.transcribe, tokenizer.translate, tokenizer.sot, tokenizer.sot_prev, tokenizer.sot_lm])
    if tokenizer.no_speech is not None:
        tokens.add(tokenizer.no_speech)
    return tokens


def initial_tokens(previous: list[int], tokenizer, n_text_ctx: int) -> list[int]:
    """The prompt of a window decoded after `previous` (tokens, timestamps included),
    as openai-whisper's decoder builds it: `sot_prev`, the last half context of them,
    then the start of transcript; that alone where there are none."""
    if not previous:
        return list(tokenizer.sot_sequence)
    return [tokenizer.sot_prev] + previous[-(n_text_ctx // 2 - 1) :] + list(tokenizer.sot_sequence)
