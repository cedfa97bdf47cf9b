"""Run `asr-tui` as a user does: a real process with the test session's environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def asr_tui(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asr_tui.cli.main", *args], capture_output=True, text=True,
        env=os.environ.copy() | (env or {}), cwd=cwd, timeout=600,
    )


def one_line_error(proc) -> str:
    """The one stderr line of a refused command (exit 2, never a traceback)."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]
