"""How many threads a run gets, and the one framework that must be told early (XLA).

Every backend gets the same count so a comparison is of engines, not of thread
settings. The default is the number of physical cores this process may run on: a
second hyperthread on a core adds little to matrix work, and frameworks that default
to every logical CPU (PyTorch) collapse when anything else wants a core.

XLA's CPU client sizes its thread pool once, when it is created, from the `NPROC`
environment variable (falling back to every schedulable CPU); `--xla_cpu_multi_thread_eigen`
in `XLA_FLAGS` alone does not stop its other pools. So the count must be in the
environment before JAX creates its CPU client (its first device query or
computation), and a later, different count in the same process cannot take effect:
`pin_xla` reports the count in force so the runner can say so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_xla_threads: int | None = None  # the count XLA's CPU client got in this process


def allowed_cpus() -> list[int]:
    """Logical CPUs this process may run on (its affinity mask)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def physical_cores() -> int:
    """Physical cores among the allowed CPUs: logical CPUs that share a core (its
    hyperthreads) count once. Where the kernel does not publish the topology, psutil's
    physical count bounded by the affinity mask."""
    cpus = allowed_cpus()
    cores = set()
    try:
        for cpu in cpus:
            siblings = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/core_cpus_list")
            if not siblings.exists():
                siblings = siblings.with_name("thread_siblings_list")
            cores.add(siblings.read_text().strip())
    except OSError:
        import psutil

        return max(1, min(len(cpus), psutil.cpu_count(logical=False) or len(cpus)))
    return max(1, len(cores))


def default_threads() -> int:
    return physical_cores()


def resolve(requested: int) -> int:
    """The count a run uses: the configured one, or 0 for the default."""
    return requested or default_threads()


def oversubscribed(threads: int) -> str | None:
    """A warning when a run asks for more threads than it has cores."""
    cores = physical_cores()
    if threads <= cores:
        return None
    return (
        f"{threads} threads asked for, but this process may use {cores} physical "
        f"core{'s' if cores != 1 else ''}: the threads will compete and the timings suffer"
    )


def pin_xla(threads: int) -> int:
    """Size XLA's CPU thread pool before JAX creates it; return the size in force.

    The first call in a process decides. If JAX started its backends before any call,
    the pool follows what `NPROC` said (every allowed CPU when unset).
    """
    global _xla_threads
    if _xla_threads is None:
        if _xla_started():
            _xla_threads = int(os.environ.get("NPROC") or 0) or len(allowed_cpus())
        else:
            os.environ["NPROC"] = str(threads)
            _xla_threads = threads
    return _xla_threads


def _xla_started() -> bool:
    """Whether JAX has created its backends (and so its CPU thread pool) already.
    JAX has no public call for this; where its private one is missing, an imported
    bridge counts as started, which can only err towards a warning."""
    bridge = sys.modules.get("jax._src.xla_bridge")
    if bridge is None:
        return False
    started = getattr(bridge, "backends_are_initialized", None)
    return bool(started()) if callable(started) else True

