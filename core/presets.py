"""Presets: named lists of configurations (and optional sources) in TOML files.
A configuration holding lists of values is a sweep (core/sweeps.py).

Bundled presets live in the `presets` package and are read-only; saving always
writes a user copy under the user config dir. A malformed file is reported with its
path, the key and the reason, and never stops the others from loading.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import tomli_w

from asr_tui.core import atomic, paths, sweeps
from asr_tui.core.config import BY_NAME, RUN_KNOBS, RunConfig, RunOptions
from asr_tui.core.errors import AsrTuiError

DEFAULT_PRESET = "quick"
_TOP_LEVEL_KEYS = {"name", "description", "sources", "configs", *(k.name for k in RUN_KNOBS)}


@dataclass
class Preset:
    name: str
    configs: list[RunConfig]
    description: str = ""
    sources: list[str] = field(default_factory=list)
    path: Path | None = None
    bundled: bool = False
    # combinations of a sweep that were refused, with the reason (never saved)
    skipped: list[sweeps.Skipped] = field(default_factory=list)
    options: RunOptions = field(default_factory=RunOptions)  # the run's own settings (top-level keys)

    @property
    def slug(self) -> str:
        return self.path.stem if self.path else slugify(self.name)

    def to_toml(self) -> str:
        data: dict = {"name": self.name}
        if self.description:
            data["description"] = self.description
        if self.sources:
            data["sources"] = list(self.sources)
        data |= self.options.to_dict()
        data["configs"] = [c.to_dict() for c in self.configs]
        return tomli_w.dumps(data)


# bytes of UTF-8: a file name holds 255, less ".toml" and the temporary name an atomic
# write puts beside it
MAX_SLUG_BYTES = 200


def slugify(name: str) -> str:
    """A name as a file name: its letters and digits (any script), lower case, runs of
    anything else one '-', cut to MAX_SLUG_BYTES (never inside a letter)."""
    slug = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
    slug = slug.encode()[:MAX_SLUG_BYTES].decode(errors="ignore").rstrip("-")
    if not slug:
        raise AsrTuiError("a preset needs a name with at least one letter or digit")
    return slug


def bundled_dir() -> Path:
    return Path(str(resources.files("asr_tui.presets")))


def user_dir() -> Path:
    return paths.config_dir() / "presets"


def parse(text: str, path: Path, bundled: bool = False) -> Preset:
    """Validate a preset file's contents; errors name file, key and reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AsrTuiError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - _TOP_LEVEL_KEYS
    if unknown:
        key = sorted(unknown)[0]
        where = " (a configuration's setting: put it in each [[configs]] table)" if key in BY_NAME else ""
        raise AsrTuiError(f"{path}: unknown key '{key}'{where}")
    name = data.get("name", path.stem)
    description = data.get("description", "")
    sources = data.get("sources", [])
    raw_configs = data.get("configs")
    if not isinstance(name, str) or not isinstance(description, str):
        raise AsrTuiError(f"{path}: 'name' and 'description' must be strings")
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise AsrTuiError(f"{path}: 'sources' must be a list of paths")
    # a preset shared with its audio names it from where the preset lies, wherever it is run from
    sources = [str(path.parent / Path(s).expanduser()) for s in sources]
    try:
        options = RunOptions(**{k.name: k.from_value(data[k.name]) for k in RUN_KNOBS if k.name in data})
    except AsrTuiError as exc:
        raise AsrTuiError(f"{path}: {exc}") from None
    if not isinstance(raw_configs, list) or not raw_configs:
        raise AsrTuiError(f"{path}: 'configs' must be a non-empty array of tables ([[configs]])")
    configs, skipped = [], []
    for index, raw in enumerate(raw_configs, start=1):
        if not isinstance(raw, dict):
            raise AsrTuiError(f"{path}: configs[{index}] must be a table")
        try:
            fixed, swept = sweeps.split(raw)
            if not swept:
                configs.append(RunConfig(**fixed))
                continue
            found, refused = sweeps.expand(fixed, swept)
        except AsrTuiError as exc:
            raise AsrTuiError(f"{path}: configs[{index}]: {exc}") from None
        if not found:
            raise AsrTuiError(
                f"{path}: configs[{index}]: no combination of the sweep is valid; "
                f"the first, {refused[0].label}: {refused[0].reason}"
            )
        configs += found
        skipped += refused
    return Preset(name, configs, description, sources, path, bundled, skipped, options)


def load(path: Path, bundled: bool = False) -> Preset:
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AsrTuiError(f"cannot read preset {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise AsrTuiError(f"cannot read preset {path}: not UTF-8 text (byte {exc.start})") from None
    return parse(text, path, bundled)


def discover() -> tuple[list[Preset], list[str]]:
    """All presets (user copies shadow bundled ones of the same file name) and one
    error line for each file that failed to load."""
    found: dict[str, Preset] = {}
    errors: list[str] = []
    for directory, bundled in ((bundled_dir(), True), (user_dir(), False)):
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
            try:
                found[path.stem] = load(path, bundled)
            except AsrTuiError as exc:
                errors.append(str(exc))
    return list(found.values()), errors


def find(name_or_path: str) -> Preset:
    """A preset file path, or the name (file stem) of a user or bundled preset."""
    names = sorted({p.stem for d in (user_dir(), bundled_dir()) if d.is_dir() for p in d.glob("*.toml")})
    if not name_or_path.strip():
        raise AsrTuiError(f"an empty preset name (available: {', '.join(names)})")
    path = Path(name_or_path).expanduser()
    try:
        if path.suffix == ".toml" or path.exists():
            return load(path)
        for directory, bundled in ((user_dir(), False), (bundled_dir(), True)):
            candidate = directory / f"{name_or_path}.toml"
            if candidate.is_file():
                return load(candidate, bundled)
    except OSError as exc:  # a name too long for a file name, say
        raise AsrTuiError(f"no preset named '{name_or_path}': {exc.strerror or exc}") from None
    raise AsrTuiError(f"no preset named '{name_or_path}' (available: {', '.join(names)})")


def hides_bundled(preset: Preset) -> str | None:
    """That a preset found by name is the user's own copy over a bundled one of the same
    name, said when it runs: `--preset quick` may then run other configurations than
    the README's `quick`."""
    if preset.bundled or preset.path is None or preset.path.parent != user_dir():
        return None
    if not (bundled_dir() / preset.path.name).is_file():
        return None
    return f"preset '{preset.path.stem}' is your own, {preset.path}, which hides the bundled one of that name"


def clash(target: Path) -> str | None:
    """What saving a preset to `target` (`target_for`) would replace (a user preset)
    or hide (a bundled one of the same file name, which `--preset` would no longer
    reach), said before it does; None when nothing."""
    if target.exists():
        return f"Preset '{target.stem}' exists: saving replaces it"
    if (bundled_dir() / target.name).exists():
        return f"'{target.stem}' is a bundled preset: saving hides it until this copy is deleted"
    return None


def target_for(loaded: Preset | None, name: str) -> Path:
    """Where saving under `name` writes: back to the loaded user preset's own file when
    it is saved under its own name (whatever that file is called), else the name's
    slug in the user dir."""
    if loaded is not None and name == loaded.name and not loaded.bundled and loaded.path is not None:
        return loaded.path
    return user_file(name)


def user_file(name: str) -> Path:
    """Where a preset called `name` is saved: its slug under the user dir."""
    return user_dir() / f"{slugify(name)}.toml"


def save(preset: Preset, overwrite: bool = False, target: Path | None = None) -> Preset:
    """Write to `target` (a user preset saved over itself) or its slug's file in the
    user dir; refuses to replace an existing file unless told to. Sources are written
    absolute: read back, a relative one would be taken from the user dir."""
    target = target or user_file(preset.name)
    if target.exists() and not overwrite:
        raise AsrTuiError(f"preset {target} exists; confirm to overwrite it")
    sources = [str(Path(s).expanduser().absolute()) for s in preset.sources]
    saved = Preset(preset.name, list(preset.configs), preset.description, sources, target, False, options=preset.options)
    atomic.write_text(target, saved.to_toml())
    return saved


def delete(preset: Preset) -> None:
    if preset.bundled or preset.path is None:
        raise AsrTuiError(f"'{preset.name}' is a bundled preset and cannot be deleted")
    preset.path.unlink(missing_ok=True)
