"""asr-tui's engine: weights, audio, backends, the runner and its measurements.

Nothing here imports Textual, and nothing imports torch or jax at import time: the
TUI and the CLI must start instantly, and a backend pulls in its framework only when
it is used.
"""
