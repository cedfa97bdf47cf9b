"""Whisper inference in JAX, built the way whisper-jax works: a jit-compiled decode
loop with a key/value cache (cross-attention K/V computed once per window), batched
over 30 s windows, padded to fixed shapes so each shape compiles once.

Pure `jax.numpy`; the tokenizer, mel filters and suppression rules come from
openai-whisper's package, so both backends decode under the same rules.
"""
