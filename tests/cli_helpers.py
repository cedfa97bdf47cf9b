"""Run `asr-tui` as a user does: a real process, its exit code and its stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def asr_tui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asr_tui.cli.main", *args], capture_output=True, text=True,
        env=os.environ.copy(), cwd=cwd, timeout=600,
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """Bad input ends with exit 2 and exactly one line on stderr."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]
