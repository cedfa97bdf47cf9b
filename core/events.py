"""What the runner tells its listener, in order, from its worker thread.

Listeners (the CLI's progress bar, the TUI's message pump) must not block: the TUI
forwards each event with `post_message`, which is thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asr_tui.core.transcript import Segment
from asr_tui.core.config import RunConfig
from asr_tui.core.results import RunResult


@dataclass(frozen=True)
class Event:
    job_id: int


@dataclass(frozen=True)
class JobStarted(Event):
    config: RunConfig
    sources: tuple[Path, ...]


@dataclass(frozen=True)
class ModelLoading(Event):
    config: RunConfig


@dataclass(frozen=True)
class ModelLoaded(Event):
    config: RunConfig
    load_s: float
    reused: bool


@dataclass(frozen=True)
class RunStarted(Event):
    """A (configuration, audio file) measurement begins: `passes` timed transcriptions."""

    config: RunConfig
    audio: Path
    audio_seconds: float
    passes: int


@dataclass(frozen=True)
class PassStarted(Event):
    audio: Path
    index: int  # 1-based
    passes: int
    kind: str  # "first", "warm-up" or "warm"


@dataclass(frozen=True)
class Progress(Event):
    audio: Path
    done_seconds: float
    total_seconds: float


@dataclass(frozen=True)
class SegmentDecoded(Event):
    audio: Path
    segment: Segment


@dataclass(frozen=True)
class PassFinished(Event):
    audio: Path
    index: int
    kind: str
    seconds: float


@dataclass(frozen=True)
class RunFinished(Event):
    result: RunResult


@dataclass(frozen=True)
class RunWarning(Event):
    """Something that makes the timings less trustworthy but stops nothing (a busy
    machine, a thread count that cannot apply); shown on stderr or as a toast."""

    message: str


@dataclass(frozen=True)
class RunFailed(Event):
    """One file or configuration failed; the job goes on with the next file."""

    config: RunConfig
    audio: Path | None
    message: str


@dataclass(frozen=True)
class JobCancelled(Event):
    pass


@dataclass(frozen=True)
class JobFinished(Event):
    results: tuple[RunResult, ...]
