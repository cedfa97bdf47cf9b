"""Long recordings as 30 s windows, apart from how one window is decoded (as
openai-whisper keeps `transcribe.py` apart from `decoding.py`).

Framework-free (no torch, no jax): every backend that decodes windows itself shares
the window plan, the seek rule, the quality checks and the seam merge.
"""
