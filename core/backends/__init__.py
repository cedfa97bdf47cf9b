"""Registry of backends by the name users type (`--backend`, presets, the TUI).

Backends are found through the `asr_tui.backends` entry-point group, the built-in
four registered in pyproject.toml the same way a plugin registers its own. Names come
from the installed metadata alone; a backend's module is imported only when the
backend is used, so listing them never imports a framework.
"""

from __future__ import annotations

import functools
import sys
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from asr_tui.core.errors import AsrTuiError

if TYPE_CHECKING:
    from asr_tui.core.backends.base import Backend

GROUP = "asr_tui.backends"
DISTRIBUTION = "asr-tui"


@functools.lru_cache(maxsize=4)
def _registered(search_path: tuple[str, ...]) -> dict[str, EntryPoint]:
    """Keyed by sys.path, so a plugin directory added at run time is seen. The
    built-ins come first and keep their names: a plugin cannot replace one."""

    def order(entry_point: EntryPoint) -> tuple[bool, str]:
        return (entry_point.dist is None or entry_point.dist.name != DISTRIBUTION, entry_point.name)

    found: dict[str, EntryPoint] = {}
    for entry_point in sorted(entry_points(group=GROUP), key=order):
        found.setdefault(entry_point.name, entry_point)
    return found


def _entry_points() -> dict[str, EntryPoint]:
    return _registered(tuple(sys.path))


def names() -> list[str]:
    return list(_entry_points())


def backend_class(name: str) -> type[Backend]:
    from asr_tui.core.backends.base import Backend

    registered = _entry_points()
    if name not in registered:
        raise AsrTuiError(f"unknown backend '{name}' (choose {', '.join(registered)})")
    try:
        cls = registered[name].load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is one line, not a traceback
        raise AsrTuiError(f"backend '{name}' cannot be loaded ({registered[name].value}): {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise AsrTuiError(f"backend '{name}' ({registered[name].value}) is not a Backend subclass")
    return cls


def create(name: str) -> Backend:
    return backend_class(name)()
