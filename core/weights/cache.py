"""The cache of converted weights: each conversion written once, under a lock, and
checked on every use.

Two processes may convert the same weights at once (the TUI and a headless run), a
conversion may be killed halfway, and a file may rot afterwards (a copy cut short, a
disk that filled during an older write). None of these may fail later runs for good,
leave a half-written model where a whole one is expected, or leave gigabytes of
staging behind. So an entry is a directory, `<cache>/<kind>/<name>-<sha[:16]>/`,
holding the converted files and `manifest.json` (their sha256); it is written in a
uniquely named staging directory beside it while a lock file beside it is held, and
renamed into place whole. A staging directory found while holding the lock belongs
to a conversion that was killed, and is removed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import shutil
import tempfile
from contextlib import contextmanager
from enum import Enum
from glob import escape
from pathlib import Path
from typing import Callable, Iterator

from asr_tui.core import paths
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.weights import digest

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_STAGING, _LOCK = ".staging", ".lock"
_FULL = {errno.ENOSPC, errno.EDQUOT}
_UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST}


class _State(Enum):
    VALID = "valid"
    ABSENT = "absent"  # or written before entries had manifests: converted again quietly
    CORRUPT = "corrupt"


def entry(kind: str, name: str, sha256: str) -> Path:
    """Where the `kind` conversion of the weights `name` with this source hash lives."""
    return paths.cache_dir() / kind / f"{name}-{sha256[:16]}"


def cached(target: Path, write: Callable[[Path], None]) -> Path:
    """`target`, checked against its manifest; written by `write(staging_dir)` when it
    is absent, and once more (with a warning) when a file in it no longer matches."""
    if _state(target) is _State.VALID:
        return target
    try:
        return _convert(target, write)
    except AsrTuiError:
        raise
    except Exception as exc:
        cause = _os_error(exc)
        if cause is not None and cause.errno in _FULL:
            raise AsrTuiError(
                f"the weights cache in {target.parent} is full ({cause.strerror}): free space there, "
                f"or {paths.MOVE_CACHE} on a larger disk"
            ) from None
        if cause is not None and cause.errno in _UNWRITABLE:
            raise AsrTuiError(
                f"cannot write the weights cache in {target.parent} ({cause.strerror}): {paths.MOVE_CACHE}"
            ) from None
        raise


def _os_error(exc: BaseException | None) -> OSError | None:
    """The OSError behind `exc`: torch.save reports a full disk as a RuntimeError
    raised while its writer closes, with the OSError only as its context."""
    while exc is not None and not isinstance(exc, OSError):
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return exc


def _state(target: Path) -> _State:
    if not target.exists():
        return _State.ABSENT
    try:
        expected = json.loads((target / MANIFEST).read_text())["sha256"]
    except FileNotFoundError:
        return _State.ABSENT if target.is_dir() else _State.CORRUPT
    except (OSError, ValueError, KeyError, TypeError):
        return _State.CORRUPT
    try:
        intact = bool(expected) and all(digest.file_sha256(target / name) == sha for name, sha in expected.items())
    except OSError:  # a file gone, unreadable, or removed by a process repairing it
        return _State.CORRUPT
    return _State.VALID if intact else _State.CORRUPT


def _convert(target: Path, write: Callable[[Path], None]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        _remove_orphans(target)
        state = _state(target)  # another process may have written it while this one waited
        if state is _State.VALID:
            return target
        # mkdtemp's directory is private (0700); the entry inside it gets the umask's mode
        container = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=_STAGING))
        try:
            staging = container / target.name
            staging.mkdir()
            write(staging)
            hashes = _write_manifest(staging)
            _remove(target)
            staging.rename(target)
        finally:
            shutil.rmtree(container, ignore_errors=True)
    digest.remember({target / name: sha for name, sha in hashes.items()})
    if state is _State.CORRUPT:
        log.warning("weights cache %s was corrupt; converted again", target)
    return target


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the target's lock: the kernel drops it when the holder dies, so a killed
    conversion never blocks the next one. The lock file stays (deleting it would race)."""
    with open(target.with_name(f".{target.name}{_LOCK}"), "a") as fp:
        fcntl.flock(fp, fcntl.LOCK_EX)
        yield


def _remove_orphans(target: Path) -> None:
    """Staging directories beside `target` left by killed conversions (called with
    the lock held, so none is in use)."""
    for path in target.parent.glob(f".{escape(target.name)}.*{_STAGING}"):
        _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _write_manifest(staging: Path) -> dict[str, str]:
    hashes = {
        path.relative_to(staging).as_posix(): digest.sha256_of(digest.file_chunks(path))
        for path in sorted(staging.rglob("*"))
        if path.is_file()
    }
    (staging / MANIFEST).write_text(json.dumps({"sha256": hashes}, indent=1))
    return hashes
