"""The real `asr-tui` command in a real 80x24 terminal (tmux): the first screen's keys,
the default run on the bundled sample read off the finished timing table, then a
second run quit midway, which must exit without a blank pause."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/install.sh --test installs it)")


def test_default_run_in_a_real_terminal(tmp_path):
    entry = Path(sys.executable).with_name("asr-tui")
    socket = f"asr-tui-test-{os.getpid()}"
    tmux = ["tmux", "-L", socket]

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "main"], capture_output=True, text=True).stdout

    def wait_for(text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (shown := screen()):
                return shown
            time.sleep(0.5)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{screen()}")

    # A new user's first launch: a fresh config and data dir (no presets, history or
    # recordings left by earlier tests), and nothing else earlier tests set in this
    # process's environment; only the converted weights are shared.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "XDG_CACHE_HOME", "TEXTUAL_ANIMATIONS")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    subprocess.run([*tmux, "new-session", "-d", "-s", "main", "-x", "80", "-y", "24", "-c", str(tmp_path),
         # keep the pane after an exit, so a crash at start-up shows its message here
         f"{entry}; echo asr-tui exited with $?; sleep 600"], check=True, env=env)
    try:
        started = time.monotonic()
        # the footer can paint before the sources table: wait for the table's row
        wait_for("gettysburg.flac", 60)
        first_screen_s = time.monotonic() - started
        # focus starts in Sources: its keys are in the footer, which fits 80 columns
        footer = wait_for("Add file", 10).splitlines()[-1]
        assert "Add file" in footer and "Quit" in footer and "palette" in footer, footer
        subprocess.run([*tmux, "send-keys", "-t", "main", "r"], check=True)
        shown = wait_for("Done: 2 results this session", 300)
        rows = [line for line in shown.splitlines() if "gettysburg.flac" in line and re.search(r"\d+\.\d+\s+0\.\d{3}", line)]
        assert len(rows) == 2, shown  # PyTorch and JAX, each with RTFx and WER
        assert any("PyTorch" in r for r in rows) and any("JAX" in r for r in rows)
        print(f"first screen after {first_screen_s:.2f} s (includes tmux start)")

        # run again and quit midway: asked, cancelled, gone without a blank screen
        subprocess.run([*tmux, "send-keys", "-t", "main", "r"], check=True)
        wait_for("s left · 0 of 2 done", 120)
        subprocess.run([*tmux, "send-keys", "-t", "main", "q"], check=True)
        wait_for("Cancel it and quit?", 30)
        subprocess.run([*tmux, "send-keys", "-t", "main", "y"], check=True)
        confirmed, blank_since, longest_blank = time.monotonic(), None, 0.0
        while "asr-tui exited with" not in (shown := screen()):
            assert time.monotonic() - confirmed < 60, shown
            if shown.strip():
                blank_since = None
            else:
                blank_since = blank_since or time.monotonic()
                longest_blank = max(longest_blank, time.monotonic() - blank_since)
            time.sleep(0.05)
        assert "asr-tui exited with 0" in shown
        assert longest_blank < 1.0, f"blank for {longest_blank:.1f} s before exiting"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
