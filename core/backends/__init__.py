"""Registry of backends by the name users type (`--backend`, presets, the TUI)."""

from __future__ import annotations

from importlib import import_module

from core.backends.base import Backend
from core.errors import AsrTuiError

# name -> "module:Class"; modules are imported only when a backend is used.
_BACKENDS = {
    "pytorch": "core.backends.pytorch:PyTorchBackend",
    "jax": "core.backends.jax_backend:JaxBackend",
    "ctranslate2": "core.backends.ctranslate2_backend:CTranslate2Backend",
    "whisper-jax": "core.backends.whisper_jax_backend:WhisperJaxBackend",
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
