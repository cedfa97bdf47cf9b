"""What one measured (configuration, audio file) pair produced.

The JSON document built from these is the project's interchange format: `asr-tui run
--json`, the TUI's export and the run history all write it, so a result measured
anywhere can be compared anywhere.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import asdict, dataclass, field

from asr_tui.core import energy, sampling, stability, stages, wholeness
from asr_tui.core.metrics import UNSTABLE_CV, coefficient_of_variation, median, rtfx
from asr_tui.core.transcript import Segment

SCHEMA = 1
MARKS = stability.MARKS + wholeness.MARKS + sampling.MARKS  # every mark a row can carry, in the order it shows them


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
    audio_seconds: float  # what the passes ran on (a clip's, when cut)
    load_s: float
    first_run_s: float
    warm_runs_s: list[float]
    text: str
    segments: list[Segment]
    config_name: str = ""
    language: str | None = None
    wer: float | None = None  # after `normaliser`
    raw_wer: float | None = None  # on the words as written: case and punctuation count
    normaliser: str | None = None  # what `wer` was counted after, with its package version
    # the WER's alignment counts after Whisper's normaliser: what corpus figures add up
    substitutions: int | None = None
    deletions: int | None = None
    insertions: int | None = None
    reference_words: int | None = None
    reference: str | None = None
    # whether the transcript holds the speech once (`core.wholeness`): the longest run of
    # reference words it lost and of words it added (None without a reference) and the
    # longest stretch in which it repeats a phrase back to back, beside the reference's own
    lost_words: int | None = None
    lost_text: str | None = None
    added_words: int | None = None
    added_text: str | None = None
    repeated_words: int | None = None
    repeated_phrase: str | None = None
    reference_repeated_words: int | None = None
    wer_error: str | None = None  # why a reference was found but not scored
    rss_before_load_mb: float | None = None  # this process before the model was loaded
    peak_rss_mb: float | None = None  # the highest RSS from decoding the file to its last pass
    peak_gpu_mb: float | None = None
    compile_s: float | None = None
    compile_cache_hits: int | None = None  # JAX: programs loaded from the persistent cache
    sampled_windows: int | None = None  # windows decoded by sampling (`core.sampling`); None: not known
    model_reused: bool = False
    clip_seconds: float | None = None  # the clip length asked for (`RunConfig.clip_seconds`); None: the whole file
    audio_decode_s: float | None = None  # decoding the file to samples, before and outside every pass
    # Every timed pass in order: kind ("first", "warm-up", "warm"), seconds, stages
    # (`core.stages.breakdown`, None where the backend cannot say), the programs it
    # compiled (JAX: [{"program", "shapes"}]; None where nothing compiles) and its
    # energy in joules ({"cpu", "gpu"}, None where a counter cannot be read).
    passes: list[dict] = field(default_factory=list)
    energy_sources: dict | None = None  # where each energy figure comes from, or why there is none
    decoding: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    # what else used the machine during the timed passes (`core.contention.summarize`)
    contention: dict | None = None
    # when each timed pass (first, warm-ups, warm) began, in seconds since the epoch:
    # the run's order of passes over every configuration is read from these
    pass_started_at: list[float] = field(default_factory=list)
    interleaved: bool = False  # its passes alternated with other configurations' (`--interleave`)
    finished_at: str = ""

    @property
    def warm_median_s(self) -> float | None:
        return median(self.warm_runs_s) if self.warm_runs_s else None

    @property
    def warm_min_s(self) -> float | None:
        return min(self.warm_runs_s) if self.warm_runs_s else None

    @property
    def warm_max_s(self) -> float | None:
        return max(self.warm_runs_s) if self.warm_runs_s else None

    @property
    def cv(self) -> float | None:
        """Coefficient of variation of the warm passes (None with fewer than two)."""
        return coefficient_of_variation(self.warm_runs_s)

    @property
    def unstable(self) -> bool:
        return self.cv is not None and self.cv >= UNSTABLE_CV

    @property
    def outliers(self) -> list[int]:
        """Indices into `warm_runs_s` of the passes `core.stability` calls outliers."""
        return stability.outliers(self.warm_runs_s)

    @property
    def contended(self) -> bool:
        return bool(self.contention and self.contention.get("flagged"))

    @property
    def notes(self) -> list[stability.Note]:
        """Every reason this row deserves less trust: its timings', then its transcript's."""
        return stability.notes(self) + wholeness.notes(self) + sampling.notes(self)

    @property
    def marks(self) -> str:
        """The marks of its notes, each once, in the order of `MARKS`."""
        found = {note.mark for note in self.notes}
        return "".join(m for m in MARKS if m in found)

    @property
    def counted_passes(self) -> list[dict]:
        """The passes the timing is counted at (as `compute_s`): the warm ones, else the first."""
        return [p for p in self.passes if p["kind"] == "warm"] or self.passes[:1]

    @property
    def stages_s(self) -> dict | None:
        """Each stage's median seconds over the counted passes; None where the backend
        does not time its stages (or the result predates stage timing)."""
        timed = [p["stages"] for p in self.counted_passes if p.get("stages") is not None]
        return stages.median_breakdown(timed) if timed and len(timed) == len(self.counted_passes) else None

    @property
    def warm_recompiles(self) -> list[dict]:
        """Warm passes that compiled, each with its number and what it compiled: a
        warm timing that includes compilation is not a warm timing."""
        return [
            {"pass": number, "compiled": p["compiled"]}
            for number, p in enumerate(self.passes, start=1) if p["kind"] == "warm" and p.get("compiled")
        ]

    @property
    def energy(self) -> dict | None:
        """Median joules of the counted passes and joules per audio hour, per counter."""
        if self.energy_sources is None:
            return None
        return energy.summarize([p["energy_j"] for p in self.counted_passes], self.audio_seconds, self.energy_sources)

    @property
    def audio_heard(self) -> tuple[str, float]:
        """What its passes ran on: the file and how much of it (a clip). Two results
        time the same work only where this is the same."""
        return self.audio, round(self.audio_seconds, 3)

    @property
    def compute_s(self) -> float:
        """The time this file's transcription is counted at: the warm median, else the
        first pass."""
        return self.warm_median_s or self.first_run_s

    @property
    def rtfx(self) -> float:
        """Audio seconds per compute second, on the warm median where there is one."""
        return rtfx(self.audio_seconds, self.compute_s)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["segments"] = [s.to_dict() for s in self.segments]
        data["rtfx"] = round(self.rtfx, 3)
        for name in ("warm_median_s", "warm_min_s", "warm_max_s", "cv", "unstable", "outliers", "stages_s",
                     "warm_recompiles", "energy"):
            data[name] = getattr(self, name)
        data["warnings"] = [str(note) for note in self.notes]
        if data["stages_s"] is None:
            data["stages_s"] = stages.NOT_AVAILABLE
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RunResult":
        """A result from its JSON, refused (TypeError) where a value is not of its
        field's type: a record edited by hand or written by another version must not
        fail later, wherever a table or figure reads it."""
        hints = _field_types()
        kwargs = {k: v for k, v in data.items() if k in hints and k != "segments"}
        for name, value in kwargs.items():
            if not _fits(value, hints[name]):
                raise TypeError(f"{name}: {value!r} is not {hints[name]}")
        segments = data.get("segments", [])
        if not _fits(segments, list[dict]):
            raise TypeError(f"segments: {segments!r} is not a list of segments")
        kwargs["segments"] = [Segment(float(s["start"]), float(s["end"]), str(s["text"])) for s in segments]
        return cls(**kwargs)


@functools.cache
def _field_types() -> dict:
    """RunResult's field annotations, resolved once: a history of thousands of lines
    reads each record against them."""
    return typing.get_type_hints(RunResult)


def _fits(value, hint) -> bool:
    """Whether a JSON value fits a field's annotation (unions, lists and dicts of the
    JSON types; an int is a float, a bool is no number)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        return isinstance(value, list) and all(_fits(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict)
    return isinstance(value, origin or hint)


def pass_order(results: list[RunResult]) -> list[dict]:
    """Every timed pass of the results in the order it ran: which configuration, file
    and pass (1-based, first included), so an interleaved order can be checked."""
    passes = [
        (at, r.config_name, r.audio, index)
        for r in results for index, at in enumerate(r.pass_started_at, start=1)
    ]
    return [{"config": c, "audio": a, "pass": i} for _, c, a, i in sorted(passes)]


def document(results: list[RunResult], env: dict | None = None) -> dict:
    """The schema-1 document: environment of the first run, every run, the corpus
    figures of each configuration over its files, the settings in which the
    configurations differ beyond those compared, and the order the passes ran in."""
    from asr_tui.core import parity
    from asr_tui.core.corpus import summarize

    if env is None:
        env = results[0].env if results else {}
    return {
        "schema": SCHEMA, "env": env, "runs": [r.to_dict() for r in results],
        "corpus": [c.to_dict() for c in summarize(results)],
        "not_like_for_like": [d.to_dict() for d in parity.differences(results)],
        "order": pass_order(results),
    }
