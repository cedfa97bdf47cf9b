"""sha256 of weights files, memoised across processes.

Every result records the hash of the weights it ran, and every cached conversion is
checked against the hashes written beside it; large-v2 is 3 GB, so a hash is kept in
the cache keyed by (path, size, mtime) and recomputed only when one of them changes.
The memo is an optimisation: failing to write it (a read-only cache) costs a rehash
next time, never a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

from asr_tui.core import atomic, paths


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_chunks(path: Path, size: int = 1 << 22):
    with open(path, "rb") as fp:
        while chunk := fp.read(size):
            yield chunk


def _key(path: Path, stat: os.stat_result) -> str:
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _memo_file() -> Path:
    return paths.cache_dir() / "sha256.json"


def _read_memo() -> dict:
    try:
        return json.loads(_memo_file().read_text())
    except (OSError, ValueError):
        return {}


def _write_memo(memo: dict) -> None:
    try:
        atomic.write_text(_memo_file(), json.dumps(memo, indent=1))
    except OSError:
        pass  # a read-only or full cache: the hash is recomputed next time


def file_sha256(path: Path) -> str:
    """sha256 of a file, memoised by (path, size, mtime)."""
    path = Path(path).resolve()
    key = _key(path, path.stat())
    memo = _read_memo()
    if key not in memo:
        memo[key] = sha256_of(file_chunks(path))
        _write_memo(memo)
    return memo[key]


def remember(hashes: dict[Path, str]) -> None:
    """Record hashes already computed (a conversion hashes what it writes, then moves
    it into place), so the first use does not read the files again."""
    memo = _read_memo()
    for path, sha256 in hashes.items():
        path = Path(path).resolve()
        memo[_key(path, path.stat())] = sha256
    _write_memo(memo)
