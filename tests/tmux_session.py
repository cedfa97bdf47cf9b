"""A real terminal for a real process: one tmux server per session, read by capturing
its pane. The pane's shell stays after the program exits, so its exit status and any
last words stay on screen."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

# A new user's environment: nothing earlier tests set, only what a login gives.
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "XDG_CACHE_HOME", "TEXTUAL_ANIMATIONS")


class TmuxSession:
    def __init__(self, name: str, command: str, cwd: Path, env: dict[str, str], size=(100, 30)) -> None:
        self.tmux = ["tmux", "-L", f"{name}-{os.getpid()}"]
        base = {k: v for k, v in os.environ.items() if k in PASSED_ON}
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", "main", "-x", str(size[0]), "-y", str(size[1]), "-c", str(cwd),
             f"{command}; echo exited with $?; sleep 600"],
            check=True, env=base | env,
        )

    def _ask(self, *args: str) -> str:
        return subprocess.run([*self.tmux, *args], capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self._ask("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (shown := self.screen()):
                return shown
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", "main", *keys], check=True)

    def program_pid(self) -> int:
        """The program the pane's shell started (the shell's only child while it runs)."""
        shell = self._ask("display", "-p", "-t", "main", "#{pane_pid}").strip()
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def alternate_screen(self) -> bool:
        """Whether the pane is still in the alternate screen (a TUI that never left it)."""
        return self._ask("display", "-p", "-t", "main", "#{alternate_on}").strip() == "1"

    def kill_session(self) -> None:
        """Close the pane's terminal: its programs see the line hang up, as when an SSH
        connection drops."""
        subprocess.run([*self.tmux, "kill-session", "-t", "main"], capture_output=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


def wait_gone(pid: int, timeout: float) -> None:
    """Until process `pid` has exited (or is a zombie no one reaped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return
        except (FileNotFoundError, ProcessLookupError):  # gone; or reaped between open and read
            return
        time.sleep(0.3)
    raise AssertionError(f"process {pid} still running after {timeout} s")
