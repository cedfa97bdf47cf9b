"""Registry of backends by the name users type (`--backend`, presets, the TUI)."""

from __future__ import annotations

from importlib import import_module

from asr_tui.core.backends.base import Backend
from asr_tui.core.errors import AsrTuiError

# name -> "module:Class"; modules are imported only when a backend is used.
_BACKENDS = {
    "pytorch": "asr_tui.core.backends.pytorch:PyTorchBackend",
    "jax": "asr_tui.core.backends.jax_backend:JaxBackend",
    "ctranslate2": "asr_tui.core.backends.ctranslate2_backend:CTranslate2Backend",
    "whisper-jax": "asr_tui.core.backends.whisper_jax_backend:WhisperJaxBackend",
}


def names() -> list[str]:
    return list(_BACKENDS)


def backend_class(name: str) -> type[Backend]:
    try:
        module, cls = _BACKENDS[name].split(":")
    except KeyError:
        raise AsrTuiError(f"unknown backend '{name}' (choose {', '.join(_BACKENDS)})") from None
    return getattr(import_module(module), cls)


def create(name: str) -> Backend:
    return backend_class(name)()
