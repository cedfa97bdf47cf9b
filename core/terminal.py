"""Outliving the terminal: a dropped SSH session hangs up the tty, and a benchmark in
flight is worth more than its progress display.

After a hang-up every write to the tty fails with EIO, and a display thread that
dies on one can leave a writer blocked for good; pointing the terminal's descriptors
at /dev/null lets the UI shut down and the runner finish quietly.

Such a run goes on out of sight, on the cores the next session will measure on, so
it takes a name of its own (`HUNG_UP_NAME`) that ps, top and the busy-machine
warning of that session show.
"""

from __future__ import annotations

import errno
import os
import termios

HUNG_UP_NAME = "asr-tui-hungup"  # what a process finishing its runs without a terminal is called


def _state(fd: int) -> str:
    """'terminal', 'hung up' (a tty whose line is gone: it answers EIO) or 'other'."""
    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return "hung up" if exc.args[0] == errno.EIO else "other"
    except OSError:
        return "other"
    return "terminal"


def attached() -> bool:
    """Whether standard input is still a live terminal."""
    return _state(0) == "terminal"


def detach() -> None:
    """Point standard input, output and error at /dev/null where they are a terminal,
    live or hung up; a stream redirected to a file (`> table.txt`) is kept."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            if _state(fd) != "other":
                os.dup2(null, fd)
    finally:
        os.close(null)


def detach_hung_up() -> None:
    """`detach`, and take `HUNG_UP_NAME` as the process's name (Linux's comm, which
    ps, top and psutil read), so that a user who finds their next run's timings
    shared with it can tell what it is. Elsewhere the name stays."""
    detach()
    try:
        with open("/proc/self/comm", "w") as comm:
            comm.write(HUNG_UP_NAME)
    except OSError:
        pass
