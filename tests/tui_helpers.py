"""Drive the real app under Pilot: wait for the real runner, not for a clock."""

from __future__ import annotations

import asyncio
import time


async def wait_until(pilot, condition, timeout: float = 300.0, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        await asyncio.sleep(step)
        await pilot.pause()
