"""Where asr-tui keeps its files, by platform convention (platformdirs).

Read on each call rather than at import so that tests and users can point
XDG_* variables elsewhere for one process.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from asr_tui.core.errors import AsrTuiError

APP = "asr-tui"

# How a user moves the cache, named by errors about it (a read-only or full disk).
MOVE_CACHE = "set XDG_CACHE_HOME to a writable directory"


def cache_dir() -> Path:
    """Converted weights and JAX's compilation cache: safe to delete. XDG_CACHE_HOME
    moves it on every platform (platformdirs alone ignores it on macOS and Windows),
    as it moves openai-whisper's cache beside it."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(xdg) / APP if xdg else Path(platformdirs.user_cache_dir(APP))


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


def require_file(path: Path, what: str) -> None:
    """Refuse a path that names no regular file, said as it is: missing, or something
    else (a folder, /dev/null). `what` names it: "audio file", "manifest"."""
    if not path.is_file():
        raise AsrTuiError(f"{what} {path} {'is not a file' if path.exists() else 'does not exist'}")


def shown_names(paths) -> dict[str, str]:
    """Each of `paths` (str or Path) as short as it can be shown among the others: its
    file name, with as many of its folders as tell it from another path of that name
    (`a/talk.wav` and `b/talk.wav`). By file name alone, two copies of one clip in two
    folders read as one file in the interleave order, the speed lines and Compare."""
    by_name: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in dict.fromkeys(str(p) for p in paths):
        by_name.setdefault(Path(path).name, {})[path] = Path(path).parts
    shown = {}
    for same_name in by_name.values():
        for path, parts in same_name.items():
            depth = 1
            while depth < len(parts) and any(o != parts and o[-depth:] == parts[-depth:] for o in same_name.values()):
                depth += 1
            shown[path] = str(Path(*parts[-depth:]))
    return shown
