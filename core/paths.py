"""Where asr-tui keeps its files, by platform convention (platformdirs).

Read on each call rather than at import so that tests and users can point
XDG_* variables elsewhere for one process.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "asr-tui"


def cache_dir() -> Path:
    """Converted weights and JAX's compilation cache: safe to delete."""
    return Path(platformdirs.user_cache_dir(APP))


def config_dir() -> Path:
    """User presets."""
    return Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """Run history and microphone recordings: the user's own data."""
    return Path(platformdirs.user_data_dir(APP))


def whisper_cache_dir() -> Path:
    """openai-whisper's own download cache, located the way it locates it."""
    default = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.getenv("XDG_CACHE_HOME", default)) / "whisper"
