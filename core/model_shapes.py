"""The official Whisper models' shapes (openai-whisper's `ModelDimensions`), so a
model's speed can be timed from its shape alone, before its weights are downloaded.

Sizes as published in openai-whisper's checkpoints: `.en` vocabularies hold 51864
tokens (one fewer than the multilingual 51865), large-v3 and its turbo read 128 mel
bands and know one more language, and turbo keeps four decoder layers.
"""

from __future__ import annotations

from asr_tui.core.errors import AsrTuiError

AUDIO_CTX, TEXT_CTX = 1500, 448
# name -> (width, heads, encoder layers, decoder layers)
_SIZES = {
    "tiny": (384, 6, 4, 4),
    "base": (512, 8, 6, 6),
    "small": (768, 12, 12, 12),
    "medium": (1024, 16, 24, 24),
    "large-v1": (1280, 20, 32, 32),
    "large-v2": (1280, 20, 32, 32),
    "large-v3": (1280, 20, 32, 32),
    "large-v3-turbo": (1280, 20, 32, 4),
}
_ENGLISH_ONLY = ("tiny", "base", "small", "medium")
NAMES = tuple(list(_SIZES) + [f"{n}.en" for n in _ENGLISH_ONLY])


def dims(name: str) -> dict:
    """openai-whisper's dims for an official model name."""
    base = name.removesuffix(".en")
    if base not in _SIZES or (name.endswith(".en") and base not in _ENGLISH_ONLY):
        raise AsrTuiError(f"no official Whisper model is called '{name}' (choose {', '.join(NAMES)})")
    width, heads, encoder_layers, decoder_layers = _SIZES[base]
    version_3 = base.startswith("large-v3")
    n_vocab = 51864 if name.endswith(".en") else 51866 if version_3 else 51865
    return {
        "n_mels": 128 if version_3 else 80,
        "n_audio_ctx": AUDIO_CTX, "n_audio_state": width, "n_audio_head": heads, "n_audio_layer": encoder_layers,
        "n_vocab": n_vocab,
        "n_text_ctx": TEXT_CTX, "n_text_state": width, "n_text_head": heads, "n_text_layer": decoder_layers,
    }
