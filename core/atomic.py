"""Atomic file writes: results, presets and exports are either whole or absent.

A crash or a kill mid-write must never leave a half-written preset or history that
then fails to load; writing beside the target and renaming over it gives that.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; it replaces `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_user_file(target: Path, text: str | bytes) -> None:
    """Write a file the user named (an export, a `--json` document) atomically, the way
    their own tools would: through a symlink to the file it points at, keeping an
    existing file's mode, and a new file following the umask. mkstemp's 0600 suits
    caches; a results file is meant to be read by others. A file name that is not
    UTF-8 (Python holds its bytes as surrogates) is written back as those bytes, the
    name the file system has: strict UTF-8 ended CSV and markdown exports in a
    traceback."""
    target = Path(os.path.realpath(target))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    with atomic_path(target) as tmp:
        if mode is None:
            tmp.unlink()  # created again with the default mode, which the kernel masks with the umask
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
            os.fchmod(fd, mode)
        with open(fd, "wb") as fp:
            fp.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
            fp.flush()
            os.fsync(fp.fileno())


def check_writable(target: Path) -> None:
    """Raise the OSError that `write_user_file(target)` would meet for want of a place
    to write (a directory in the way, a parent that is a file or read-only), so a long
    benchmark finds out before it starts rather than after it ends. Folders the write
    would make are not made here: the nearest one that exists is probed, so a run
    refused for another reason leaves no empty folder behind."""
    target = Path(os.path.realpath(target))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
    fd, probe = tempfile.mkstemp(dir=existing, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(probe)
