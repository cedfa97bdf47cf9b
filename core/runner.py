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
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from asr_tui.core import audio as audio_io
from asr_tui.core import backends, contention, energy, environment, events, stages, weights
from asr_tui.core import threads as thread_counts
from asr_tui.core.backends.base import Backend
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError, Cancelled
from asr_tui.core import references
from asr_tui.core.metrics import PeakRss, rss_mb, word_errors
from asr_tui.core.results import RunResult
from asr_tui.core.sources import InlineReference, Reference
from asr_tui.core.transcript import Segment

log = logging.getLogger(__name__)
Listener = Callable[[events.Event], None]
_job_ids = itertools.count(1)


@dataclass(frozen=True)
class Job:
    config: RunConfig
    sources: tuple[Path, ...]
    # Reference transcripts chosen by hand or given by a manifest; otherwise a
    # sibling NAME.txt is used.
    references: dict[Path, Reference] = field(default_factory=dict)
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


def _reference(job: Job, source: Path) -> tuple[str | None, str | None, str | None]:
    """(text, where it came from, why it could not be read) of the file's reference
    transcript; all None when it has none. An unreadable one costs the WER, not the run."""
    reference = job.references.get(source) or references.find(source)
    if reference is None:
        return None, None, None
    if isinstance(reference, InlineReference):
        return reference.text, reference.origin, None
    text, error = references.read(reference)
    return text, str(reference), error


def _clip(audio: audio_io.Decoded, seconds: float) -> tuple[audio_io.Decoded, str | None]:
    """The first `seconds` of the decoded file (cut outside the timed passes), and a
    note when the file is shorter than that."""
    note = None
    if seconds > audio.seconds:
        note = f"{audio.path.name} is {audio.seconds:.1f} s long: a {seconds:g} s clip runs all of it"
    return audio.cut(seconds), note


class Runner:
    def __init__(self, listener: Listener) -> None:
        self._listener = listener
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._cancel = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()
        self._finished: dict[int, threading.Event] = {}
        self._resident: _Resident | None = None
        self._thread = threading.Thread(target=self._work, name="asr-tui-runner", daemon=True)
        self._thread.start()

    # --- API for the UI thread -------------------------------------------------------

    def submit(self, config: RunConfig, sources, references: dict | None = None) -> int:
        with self._lock:
            job = Job(config, tuple(Path(s) for s in sources), dict(references or {}), generation=self._generation)
            self._finished[job.id] = threading.Event()
        self._queue.put(job)
        return job.id

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
        """The backend holding the loaded model (for benchmarks that call it directly)."""
        return self._resident.backend if self._resident else None

    # --- the worker ------------------------------------------------------------------

    def _emit(self, event: events.Event) -> None:
        self._listener(event)

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                with self._lock:
                    stale = job.generation != self._generation
                    if not stale:
                        self._cancel.clear()
                if stale:
                    self._emit(events.JobCancelled(job.id))
                else:
                    self._run_job(job)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any bug
                log.exception("runner job %s failed", job.id)
                self._emit(events.RunFailed(job.id, job.config, None, f"internal error: {type(exc).__name__}: {exc}"))
                self._emit(events.JobFinished(job.id, ()))
            finally:
                self._finished[job.id].set()
        self._release()

    def _release(self) -> None:
        if self._resident is not None:
            self._resident.backend.release()
            self._resident = None

    def _ensure_model(self, job: Job) -> tuple[_Resident, bool]:
        config = job.config
        threads = thread_counts.resolve(config.threads)
        # CTranslate2 takes its thread count at load: a new count is a new model.
        key = (*config.model_key, threads)
        if self._resident is not None and self._resident.key == key:
            return self._resident, True
        backend = backends.create(config.backend)
        backend.check(config)
        backend.check_available(config)
        resolved = weights.resolve(config.model)
        self._release()
        self._emit(events.ModelLoading(job.id, config))
        rss_before = rss_mb()
        in_force = backend.set_threads(threads)
        start = time.perf_counter()
        backend.load(config, resolved)
        self._resident = _Resident(key, backend, resolved, time.perf_counter() - start, rss_before, in_force)
        return self._resident, False

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

    def _run_job(self, job: Job) -> None:
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
                results.append(self._measure(job, resident, reused, source))
            except Cancelled:
                self._emit(events.JobCancelled(job.id))
                return
            except AsrTuiError as exc:
                self._emit(events.RunFailed(job.id, job.config, source, str(exc)))
        self._emit(events.JobFinished(job.id, tuple(results)))

    def _measure(self, job: Job, resident: _Resident, reused: bool, source: Path) -> RunResult:
        config, backend = job.config, resident.backend
        if self._cancel.is_set():
            raise Cancelled()
        peak_rss = PeakRss()
        peak_rss.start()
        meter = energy.Meter(gpu=config.device == "cuda")
        throttled_before = energy.throttle_counts()
        decode_start = time.perf_counter()
        with audio_io.decoded(source) as audio:
            audio_decode_s = time.perf_counter() - decode_start
            reference_text, reference_origin, wer_error = _reference(job, source)
            if config.clip_seconds:
                audio, clip_note = _clip(audio, config.clip_seconds)
                if clip_note:
                    self._emit(events.RunWarning(job.id, clip_note))
                if reference_text is not None:  # it covers the whole file, not the clip
                    reference_text, wer_error = None, f"no WER on a {config.clip_seconds:g} s clip: the reference covers the whole file"
            kinds = pass_kinds(config)
            self._emit(events.RunStarted(job.id, config, source, audio.seconds, len(kinds)))

            def progress(done_seconds: float, segments: list[Segment]) -> None:
                self._emit(events.Progress(job.id, source, min(done_seconds, audio.seconds), audio.seconds))
                for segment in segments:
                    self._emit(events.SegmentDecoded(job.id, source, segment))

            backend.reset_peak_gpu_memory()
            times, transcript, first_stats, busy, passes = [], None, {}, [], []
            for index, kind in enumerate(kinds, start=1):
                self._emit(events.PassStarted(job.id, source, index, len(kinds), kind))
                backend.set_threads(resident.threads)
                sampler = contention.Sampler()
                sampler.start()
                meter.start()
                start = time.perf_counter()
                try:
                    transcript = backend.transcribe(audio, config, progress, self._cancel)
                finally:
                    seconds = time.perf_counter() - start
                    joules = meter.stop()
                    busy.append(sampler.stop())
                times.append(seconds)
                passes.append({
                    "kind": kind, "seconds": round(seconds, 6),
                    "stages": stages.breakdown(transcript.stats.get("stages"), seconds),
                    "compiled": transcript.stats.get("compiled"), "energy_j": joules,
                })
                # Backends count progress in their own units (mel frames, windows): close at 100%.
                self._emit(events.Progress(job.id, source, audio.seconds, audio.seconds))
                if index == 1:
                    first_stats = transcript.stats
                self._emit(events.PassFinished(job.id, source, index, kind, seconds))

        errors = word_errors(reference_text, transcript.text, transcript.language) if reference_text else None
        result = RunResult(
            backend=config.backend,
            model=resident.weights.name,
            weights_sha256=backend.weights_sha256(resident.weights),
            device=config.device,
            dtype=config.dtype,
            beam_size=config.beam_size,
            batch_size=config.batch_size,
            audio=str(source),
            clip_seconds=config.clip_seconds or None,
            audio_seconds=audio.seconds,
            load_s=resident.load_s,
            first_run_s=times[0],
            warm_runs_s=times[config.warmup :] if config.warmup else times,
            text=transcript.text,
            segments=transcript.segments,
            config_name=config.display_name,
            language=transcript.language,
            wer=errors.wer if errors else None,
            substitutions=errors.substitutions if errors else None,
            deletions=errors.deletions if errors else None,
            insertions=errors.insertions if errors else None,
            reference_words=errors.reference_words if errors else None,
            reference=reference_origin,
            wer_error=wer_error,
            rss_before_load_mb=resident.rss_before_load_mb,
            peak_rss_mb=peak_rss.peak_mb(),
            peak_gpu_mb=backend.peak_gpu_memory_mb(),
            compile_s=first_stats.get("compile_s"),
            compile_cache_hits=first_stats.get("compile_cache_hits"),
            model_reused=reused,
            audio_decode_s=audio_decode_s,
            passes=passes,
            energy_sources=meter.sources,
            decoding=backend.decoding_settings(config),
            env=environment.describe(backend.packages(), resident.threads, backend.gpu_name())
            | {"weights_origin": resident.weights.origin,
               "throttle_events": energy.throttling(throttled_before, energy.throttle_counts())},
            contention=contention.summarize(busy, resident.threads),
            finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        self._emit(events.RunFinished(job.id, result))
        return result
