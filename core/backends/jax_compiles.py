"""JAX's compilations in this process, from its own monitoring events, for both JAX
backends: how many programs were compiled during a pass, which, and how long they took.

Every XLA compilation (or persistent-cache load) records a
`/jax/core/compile/backend_compile_duration` event with the program's name, whoever
started it: a jitted function, an eager operation on a new shape, a library's pmap.
Listening to those events counts them all, where counting a backend's own jit calls
would miss the eager ones. JAX is imported only when a backend first listens.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
# the phases of compiling one program (trace, lower, compile): their sum is its compile seconds
COMPILE_EVENTS = frozenset(
    ("/jax/core/compile/jaxpr_trace_duration", "/jax/core/compile/jaxpr_to_mlir_module_duration", BACKEND_COMPILE_EVENT)
)


@dataclass
class _Tally:
    seconds: float = 0.0  # spent tracing, lowering and compiling
    programs: list[str] | None = None  # names of the programs compiled, in order
    listening: bool = False


_tally = _Tally(programs=[])


def _on_duration(event: str, duration: float, fun_name: str = "?", **_kwargs) -> None:
    if event in COMPILE_EVENTS:
        _tally.seconds += duration
    if event == BACKEND_COMPILE_EVENT:
        _tally.programs.append(fun_name)


def listen() -> None:
    """Start counting (once per process; the listener cannot be removed)."""
    if not _tally.listening:
        import jax

        jax.monitoring.register_event_duration_secs_listener(_on_duration)
        _tally.listening = True


@dataclass(frozen=True)
class Mark:
    seconds: float
    programs: int


def mark() -> Mark:
    """Where the tally stands, to measure a pass from."""
    return Mark(_tally.seconds, len(_tally.programs))


def seconds_since(start: Mark) -> float:
    return _tally.seconds - start.seconds


def programs_since(start: Mark) -> list[str]:
    """Names of the programs compiled since `start`."""
    return list(_tally.programs[start.programs :])
