"""What one measured (configuration, audio file) pair produced.

The JSON document built from these is the project's interchange format: `asr-tui run
--json`, the TUI's export and the run history all write it, so a result measured
anywhere can be compared anywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from asr_tui.core.transcript import Segment
from asr_tui.core.metrics import median, rtfx

SCHEMA = 1


@dataclass
class RunResult:
    backend: str
    model: str
    weights_sha256: str
    device: str
    dtype: str
    beam_size: int
    batch_size: int
    audio: str
    audio_seconds: float
    load_s: float
    first_run_s: float
    warm_runs_s: list[float]
    text: str
    segments: list[Segment]
    config_name: str = ""
    language: str | None = None
    wer: float | None = None
    reference: str | None = None
    peak_rss_mb: float | None = None
    peak_gpu_mb: float | None = None
    compile_s: float | None = None
    compile_cache_hits: int | None = None  # JAX: programs loaded from the persistent cache
    model_reused: bool = False
    decoding: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    finished_at: str = ""

    @property
    def warm_median_s(self) -> float | None:
        return median(self.warm_runs_s) if self.warm_runs_s else None

    @property
    def rtfx(self) -> float:
        """Audio seconds per compute second, on the warm median where there is one."""
        return rtfx(self.audio_seconds, self.warm_median_s or self.first_run_s)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["segments"] = [s.to_dict() for s in self.segments]
        data["rtfx"] = round(self.rtfx, 3)
        data["warm_median_s"] = self.warm_median_s
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RunResult":
        known = set(cls.__dataclass_fields__)
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["segments"] = [Segment(s["start"], s["end"], s["text"]) for s in data.get("segments", [])]
        return cls(**kwargs)


def document(results: list[RunResult], env: dict | None = None) -> dict:
    """The schema-1 document: environment of the first run, then every run."""
    if env is None:
        env = results[0].env if results else {}
    return {"schema": SCHEMA, "env": env, "runs": [r.to_dict() for r in results]}
