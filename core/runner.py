"""The benchmark runner: one worker thread, one resident model, events in order.

Jobs queue up; the worker loads a model only when a job's configuration needs a
different one (backend, weights, device, dtype or thread count), so comparing files
or repeating a run never pays the load twice. Everything the worker learns is
reported as an event from `core.events`; nothing here knows who listens.

Each timed pass runs inside a contention `Sampler` (what else used the cores) and an
energy `Meter`, and a short idle check before a job's first pass warns when the
machine is already busy. Each pass is recorded with its stages (`core.stages`), the
programs it compiled and its energy; the file's decoding, before the passes, is timed
apart.

Interleaved (`submit_all(..., interleave=True)`), the jobs of one run stay separate
(each keeps its job id, its events and its results) but their passes alternate on
each file, A B B A ..., so drift and load spikes hit every configuration alike. Every
model then stays loaded; before each further load the available memory must hold
`MEMORY_MARGIN` times the largest footprint loaded so far, or the run says so and
falls back to one configuration after another.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Callable

from asr_tui.core import audio as audio_io
from asr_tui.core import backends, contention, energy, environment, events, stages, weights
from asr_tui.core import threads as thread_counts
from asr_tui.core.backends.base import Backend
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError, Cancelled
from asr_tui.core import references
from asr_tui.core.metrics import PeakRss, available_memory_mb, normaliser_name, rss_mb, word_errors
from asr_tui.core.results import RunResult
from asr_tui.core.sources import InlineReference, Reference
from asr_tui.core.transcript import Segment
from asr_tui.core.wholeness import Wholeness

log = logging.getLogger(__name__)
# free memory wanted per further resident model, in multiples of the largest loaded
# one: its weights, and as much again for decoding
MEMORY_MARGIN = 2.0
Listener = Callable[[events.Event], None]
_job_ids = itertools.count(1)


@dataclass(frozen=True)
class Job:
    config: RunConfig
    sources: tuple[Path, ...]
    # Reference transcripts chosen by hand or given by a manifest (None: it gives
    # none); a file not in here uses its sibling NAME.txt.
    references: dict[Path, Reference | None] = field(default_factory=dict)
    id: int = field(default_factory=lambda: next(_job_ids))
    generation: int = 0


def pass_kinds(config: RunConfig) -> list[str]:
    """The first pass pays compilation and cold caches; warm-up passes are timed but
    kept out of the median; `repeat` warm passes follow."""
    kinds = ["first"] + ["warm-up"] * (config.warmup - 1) if config.warmup else []
    return kinds + ["warm"] * config.repeat


@dataclass
class _Resident:
    key: tuple
    backend: Backend
    weights: weights.Weights
    load_s: float
    rss_before_load_mb: float | None
    threads: int  # the count in force, which a framework may have fixed earlier
    # What the load added to this process's RSS, but never less than the checkpoint's
    # size: an allocator that reuses pages an earlier model freed adds nothing to RSS.
    footprint_mb: float


def _reference(job: Job, source: Path) -> tuple[str | None, str | None, str | None]:
    """(text, where it came from, why it could not be read) of the file's reference
    transcript; all None when it has none. An unreadable one costs the WER, not the run."""
    # a manifest's line without a reference says so with None: no sibling in its place
    reference = job.references[source] if source in job.references else references.find(source)
    if reference is None:
        return None, None, None
    if isinstance(reference, InlineReference):
        return reference.text, reference.origin, None
    text, error = references.read(reference)
    return text, str(Path(reference).absolute()), error


class Runner:
    def __init__(self, listener: Listener) -> None:
        self._listener = listener
        # a job, or the jobs of one interleaved run
        self._queue: queue.Queue[Job | tuple[Job, ...] | None] = queue.Queue()
        self._cancel = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()
        self._finished: dict[int, threading.Event] = {}
        # loaded models by key, the one used last at the end
        self._residents: dict[tuple, _Resident] = {}
        self._thread = threading.Thread(target=self._work, name="asr-tui-runner", daemon=True)
        self._thread.start()

    # --- API for the UI thread -------------------------------------------------------

    def submit(self, config: RunConfig, sources, references: dict | None = None) -> int:
        return self.submit_all([config], sources, references)[0]

    def submit_all(self, configs, sources, references: dict | None = None, interleave: bool = False) -> list[int]:
        """One job per configuration over the same files; interleaved, their passes
        alternate (see the module's docstring). Returns the job ids in order."""
        with self._lock:
            jobs = tuple(
                Job(config, tuple(Path(s) for s in sources), dict(references or {}), generation=self._generation)
                for config in configs
            )
            for job in jobs:
                self._finished[job.id] = threading.Event()
        for item in [jobs] if interleave and len(jobs) > 1 else jobs:
            self._queue.put(item)
        return [job.id for job in jobs]

    def cancel(self) -> None:
        """Stop the running job within one chunk and drop the queued ones."""
        with self._lock:
            self._generation += 1
            self._cancel.set()

    def wait(self, job_id: int, timeout: float | None = None) -> bool:
        return self._finished[job_id].wait(timeout)

    def close(self) -> None:
        self.cancel()
        self._queue.put(None)
        self._thread.join(timeout=30)

    @property
    def resident_backend(self) -> Backend | None:
        """The backend holding the model used last (for benchmarks that call it directly)."""
        return next(reversed(self._residents.values())).backend if self._residents else None

    # --- the worker ------------------------------------------------------------------

    def _emit(self, event: events.Event) -> None:
        self._listener(event)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            jobs = item if isinstance(item, tuple) else (item,)
            try:
                with self._lock:
                    stale = jobs[0].generation != self._generation
                    if not stale:
                        self._cancel.clear()
                if stale:
                    for job in jobs:
                        self._emit(events.JobCancelled(job.id))
                elif len(jobs) > 1:
                    self._run_interleaved(jobs)
                else:
                    self._run_job(jobs[0])
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any bug
                log.exception("runner jobs %s failed", [job.id for job in jobs])
                for job in jobs:
                    if not self._finished[job.id].is_set():
                        self._emit(events.RunFailed(job.id, job.config, None, f"internal error: {type(exc).__name__}: {exc}"))
                        self._emit(events.JobFinished(job.id, ()))
            finally:
                for job in jobs:
                    self._finished[job.id].set()
        self._release()

    def _release(self, keep: frozenset = frozenset()) -> None:
        """Unload every model whose key is not in `keep`."""
        for key in [k for k in self._residents if k not in keep]:
            self._residents.pop(key).backend.release()

    @staticmethod
    def _key(config: RunConfig) -> tuple:
        # CTranslate2 takes its thread count at load: a new count is a new model.
        return (*config.model_key, thread_counts.resolve(config.threads))

    def _ensure_model(self, job: Job, keep_others: bool = False) -> tuple[_Resident, bool]:
        config = job.config
        key = self._key(config)
        if key in self._residents:
            if not keep_others:
                self._release(keep=frozenset({key}))
            self._residents[key] = self._residents.pop(key)  # now the one used last
            return self._residents[key], True
        backend = backends.create(config.backend)
        backend.check(config)
        backend.check_available(config)
        resolved = weights.resolve(config.model)
        if not keep_others:
            self._release()
        self._emit(events.ModelLoading(job.id, config))
        rss_before = rss_mb()
        in_force = backend.set_threads(key[-1])
        start = time.perf_counter()
        backend.load(config, resolved)
        load_s = time.perf_counter() - start
        rss_after = rss_mb()
        grew = rss_after - rss_before if rss_before is not None and rss_after is not None else 0.0
        footprint = max(grew, resolved.checkpoint.stat().st_size / 2**20)
        self._residents[key] = _Resident(key, backend, resolved, load_s, rss_before, in_force, footprint)
        return self._residents[key], False

    def _no_room(self, config: RunConfig) -> str | None:
        """Why `config`'s model cannot be loaded beside the resident ones, or None
        when it can (or is loaded already)."""
        if not self._residents or self._key(config) in self._residents:
            return None
        largest = max(r.footprint_mb for r in self._residents.values())
        available = available_memory_mb()
        if available is None or available >= MEMORY_MARGIN * largest:
            return None
        return f"{available:.0f} MB available, a loaded model took {largest:.0f} MB"

    def _warn_before_passes(self, job: Job, resident: _Resident) -> None:
        """Thread counts that cannot apply or oversubscribe the cores, and a machine
        that is busy before the first pass, are said before any timing."""
        threads = thread_counts.resolve(job.config.threads)
        warnings = [thread_counts.oversubscribed(threads)]
        if resident.threads != threads:
            warnings.append(
                f"{job.config.backend} runs with {resident.threads} threads, not the {threads} "
                f"this configuration asks for: its thread pool was sized when it first started in "
                f"this process (start a new asr-tui to change it)"
            )
        warnings.append(contention.idle_check(resident.threads))
        for message in filter(None, warnings):
            self._emit(events.RunWarning(job.id, message))

    def _run_job(self, job: Job, announce: bool = True) -> None:
        if announce:
            self._emit(events.JobStarted(job.id, job.config, job.sources))
        try:
            resident, reused = self._ensure_model(job)
            resident.backend.check(job.config)
        except AsrTuiError as exc:
            self._emit(events.RunFailed(job.id, job.config, None, str(exc)))
            self._emit(events.JobFinished(job.id, ()))
            return
        self._emit(events.ModelLoaded(job.id, job.config, resident.load_s, reused))
        self._warn_before_passes(job, resident)
        results = []
        for source in job.sources:
            try:
                # loaded once: the rows after the first say "reused", so a sum of load times counts it once
                results.append(self._measure(job, resident, reused or bool(results), source))
            except Cancelled:
                self._emit(events.JobCancelled(job.id))
                return
            except AsrTuiError as exc:
                self._emit(events.RunFailed(job.id, job.config, source, str(exc)))
        self._emit(events.JobFinished(job.id, tuple(results)))

    def _measure(self, job: Job, resident: _Resident, reused: bool, source: Path) -> RunResult:
        if self._cancel.is_set():
            raise Cancelled()
        peak_rss = PeakRss()
        peak_rss.start()  # from the file's decoding to its last pass
        with _timed_decode(source) as (audio, decode_s):
            measurement = _Measurement(self, job, resident, reused, audio, decode_s, peak_rss, interleaved=False)
            for index in range(len(measurement.kinds)):
                measurement.run_pass(index)
        return measurement.finish()

    def _run_interleaved(self, jobs: tuple[Job, ...]) -> None:
        """The jobs' passes alternate on each file: A B B A ... (reversed every other
        round), every model loaded once. Without the memory for every model, say so
        and run the jobs one after another."""
        self._release(keep=frozenset(self._key(job.config) for job in jobs))  # an earlier run's models make room
        ready: list[tuple[Job, _Resident, bool]] = []
        for at, job in enumerate(jobs):
            if self._cancel.is_set():  # a load is not cancellable: stop before the next one
                for waiting in [j for j, _, _ in ready] + list(jobs[at:]):
                    self._emit(events.JobCancelled(waiting.id))
                return
            why = self._no_room(job.config)
            if why is not None:
                self._emit(events.RunWarning(job.id, f"interleave: not enough memory to keep {len(jobs)} models loaded "
                                                     f"({why}): running the configurations one after another"))
                for earlier, _, _ in ready:
                    self._run_job(earlier, announce=False)
                for later in jobs[at:]:
                    self._run_job(later)
                return
            self._emit(events.JobStarted(job.id, job.config, job.sources))
            try:
                resident, reused = self._ensure_model(job, keep_others=True)
                resident.backend.check(job.config)
            except AsrTuiError as exc:
                self._emit(events.RunFailed(job.id, job.config, None, str(exc)))
                self._emit(events.JobFinished(job.id, ()))
                continue
            ready.append((job, resident, reused))
        if not ready:  # every configuration failed to load, and said so
            return
        for job, resident, reused in ready:
            self._emit(events.ModelLoaded(job.id, job.config, resident.load_s, reused))
            self._warn_before_passes(job, resident)
        results: dict[int, list[RunResult]] = {job.id: [] for job, _, _ in ready}
        try:
            for source in jobs[0].sources:
                if self._cancel.is_set():
                    raise Cancelled()
                for job_id, result in self._interleave_file(ready, source):
                    results[job_id].append(result)
                ready = [(job, resident, reused or bool(results[job.id])) for job, resident, reused in ready]
        except Cancelled:
            for job, _, _ in ready:
                self._emit(events.JobCancelled(job.id))
            return
        for job, _, _ in ready:
            self._emit(events.JobFinished(job.id, tuple(results[job.id])))

    def _interleave_file(self, ready: list[tuple[Job, _Resident, bool]], source: Path) -> list[tuple[int, RunResult]]:
        try:
            with _timed_decode(source) as (audio, decode_s):
                measurements = [
                    _Measurement(self, job, resident, reused, audio, decode_s, PeakRss(), interleaved=True)
                    for job, resident, reused in ready
                ]
                for round_ in range(max(len(m.kinds) for m in measurements)):
                    for m in measurements if round_ % 2 == 0 else measurements[::-1]:
                        if m.failed or round_ >= len(m.kinds):
                            continue
                        try:
                            m.run_pass(round_)
                        except AsrTuiError as exc:
                            m.failed = True
                            self._emit(events.RunFailed(m.job.id, m.job.config, source, str(exc)))
        except AsrTuiError as exc:  # the file itself could not be decoded
            for job, _, _ in ready:
                self._emit(events.RunFailed(job.id, job.config, source, str(exc)))
            return []
        return [(m.job.id, m.finish()) for m in measurements if not m.failed]


@contextlib.contextmanager
def _timed_decode(source: Path) -> Iterator[tuple[audio_io.Decoded, float]]:
    """The file decoded once for all its passes, and the seconds that took (recorded
    apart: it is no part of any pass)."""
    start = time.perf_counter()
    with audio_io.decoded(source) as audio:
        yield audio, time.perf_counter() - start


def _clip(audio: audio_io.Decoded, seconds: float) -> tuple[audio_io.Decoded, str | None]:
    """The first `seconds` of the decoded file (cut outside the timed passes), and a
    note when the file is shorter than that."""
    note = None
    if seconds > audio.seconds:
        note = f"{audio.path.name} is {audio.seconds:.1f} s long: a {seconds:g} s clip runs all of it"
    return audio.cut(seconds), note


class _Measurement:
    """One (configuration, file) pair: its passes, run one at a time so that passes of
    several configurations can alternate, and the result they make. Every event
    carries its own job's id, so each pass is attributed to its configuration."""

    def __init__(self, runner: Runner, job: Job, resident: _Resident, reused: bool, audio: audio_io.Decoded,
                 audio_decode_s: float, peak_rss: PeakRss, interleaved: bool) -> None:
        self.runner, self.job, self.resident, self.reused = runner, job, resident, reused
        self.audio_decode_s = audio_decode_s
        # interleaved, other configurations' passes come between this one's: each of its
        # passes restarts the peak, which is then the highest over its own passes
        self.peak_rss, self.interleaved = peak_rss, interleaved
        self.kinds = pass_kinds(job.config)
        self.reference = _reference(job, audio.path)
        clip_seconds = job.config.clip_seconds
        if clip_seconds:
            whole = clip_seconds >= audio.seconds  # then the clip is the file, and its reference fits
            audio, clip_note = _clip(audio, clip_seconds)
            if clip_note:
                runner._emit(events.RunWarning(job.id, clip_note))
            if self.reference[0] is not None and not whole:  # it covers the whole file, not the clip
                self.reference = (None, self.reference[1],
                                  f"no WER for a clip of {clip_seconds:g} s: the reference covers the whole file")
        self.audio = audio
        self.meter = energy.Meter(gpu=job.config.device == "cuda")
        self.throttled_before = energy.throttle_counts()
        self.passes: list[dict] = []
        self.times: list[float] = []
        self.started_at: list[float] = []
        self.busy: list[contention.PassContention] = []
        self.transcript = None
        self.first_stats: dict = {}
        self.peak_mb: float | None = None
        self.failed = False
        runner._emit(events.RunStarted(job.id, job.config, audio.path, audio.seconds, len(self.kinds)))
        resident.backend.reset_peak_gpu_memory()

    def _progress(self, done_seconds: float, segments: list[Segment]) -> None:
        job_id, source, seconds = self.job.id, self.audio.path, self.audio.seconds
        self.runner._emit(events.Progress(job_id, source, min(done_seconds, seconds), seconds))
        for segment in segments:
            self.runner._emit(events.SegmentDecoded(job_id, source, segment))

    def run_pass(self, index: int) -> None:
        runner, job, backend, source = self.runner, self.job, self.resident.backend, self.audio.path
        if runner._cancel.is_set():
            raise Cancelled()
        kind = self.kinds[index]
        runner._emit(events.PassStarted(job.id, source, index + 1, len(self.kinds), kind))
        backend.set_threads(self.resident.threads)
        if self.interleaved:
            self.peak_rss.start()
        sampler = contention.Sampler()
        sampler.start()
        self.meter.start()
        self.started_at.append(round(time.time(), 3))
        start = time.perf_counter()
        try:
            self.transcript = backend.transcribe(self.audio, job.config, self._progress, runner._cancel)
        finally:
            seconds = time.perf_counter() - start
            joules = self.meter.stop()
            self.busy.append(sampler.stop())
        self.times.append(seconds)
        stats = self.transcript.stats
        self.passes.append({
            "kind": kind, "seconds": round(seconds, 6), "stages": stages.breakdown(stats.get("stages"), seconds),
            "compiled": stats.get("compiled"), "energy_j": joules,
        })
        self.peak_mb = max(self.peak_mb or 0.0, self.peak_rss.peak_mb())
        # Backends count progress in their own units (mel frames, windows): close at 100%.
        runner._emit(events.Progress(job.id, source, self.audio.seconds, self.audio.seconds))
        if index == 0:
            self.first_stats = self.transcript.stats
        runner._emit(events.PassFinished(job.id, source, index + 1, kind, seconds))

    def finish(self) -> RunResult:
        config, resident, backend, transcript = self.job.config, self.resident, self.resident.backend, self.transcript
        times, (reference_text, reference_origin, wer_error) = self.times, self.reference
        errors = raw = None
        if reference_text:
            errors = word_errors(reference_text, transcript.text, transcript.language)
            raw = word_errors(reference_text, transcript.text, transcript.language, normalise=False)
        result = RunResult(
            backend=config.backend,
            model=resident.weights.name,
            weights_sha256=backend.weights_sha256(resident.weights),
            device=config.device,
            dtype=config.dtype,
            beam_size=config.beam_size,
            batch_size=config.batch_size,
            # absolute, as typed otherwise: a result read back from history or a JSON file
            # elsewhere must still name its file
            audio=str(Path(self.audio.path).absolute()),
            clip_seconds=config.clip_seconds or None,
            audio_seconds=self.audio.seconds,
            load_s=resident.load_s,
            first_run_s=times[0],
            warm_runs_s=times[config.warmup :] if config.warmup else times,
            text=transcript.text,
            segments=transcript.segments,
            config_name=config.display_name,
            language=transcript.language,
            wer=errors.wer if errors else None,
            raw_wer=raw.wer if raw else None,
            normaliser=normaliser_name(transcript.language),
            substitutions=errors.substitutions if errors else None,
            deletions=errors.deletions if errors else None,
            insertions=errors.insertions if errors else None,
            reference_words=errors.reference_words if errors else None,
            reference=reference_origin,
            wer_error=wer_error,
            **asdict(Wholeness.of(transcript.text, reference_text or None, transcript.language)),
            rss_before_load_mb=resident.rss_before_load_mb,
            peak_rss_mb=self.peak_mb,
            peak_gpu_mb=backend.peak_gpu_memory_mb(),
            compile_s=self.first_stats.get("compile_s"),
            compile_cache_hits=self.first_stats.get("compile_cache_hits"),
            sampled_windows=transcript.stats.get("sampled_windows"),  # of the pass whose text is kept
            model_reused=self.reused,
            audio_decode_s=self.audio_decode_s,
            passes=self.passes,
            energy_sources=self.meter.sources,
            decoding=backend.decoding_settings(config),
            env=environment.describe(backend.packages(), resident.threads, backend.gpu_name())
            | {"weights_origin": resident.weights.origin,
               "throttle_events": energy.throttling(self.throttled_before, energy.throttle_counts())},
            contention=contention.summarize(self.busy, resident.threads,
                                            counted=[i for i, kind in enumerate(self.kinds) if kind == "warm"]),
            pass_started_at=self.started_at,
            interleaved=self.interleaved,
            finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        self.runner._emit(events.RunFinished(self.job.id, result))
        return result
