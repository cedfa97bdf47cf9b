"""The kernel bench: a model's speed from its shape alone, with random weights.

A user can time large-v2 on their own hardware before downloading 3 GB of weights,
and compare backends stage by stage on exactly the same work: every backend runs the
encoder on a batch of random 30 s log-mels, a prompt of `PROMPT_TOKENS` tokens
(prefill, with the cross-attention keys and values), then `steps` single-token
decoder steps, each feeding back its own argmax. The end-of-text token is never
looked for, so the number of steps is fixed whatever the random weights say.

Random weights make transcripts meaningless: every table and document says
"random weights: timing only". A backend takes part by returning a timer from
`Backend.kernel_timer`; one without is listed as not timed.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from asr_tui.core import backends, environment, metrics
from asr_tui.core import threads as thread_counts
from asr_tui.core.backends.base import Backend
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.model_shapes import dims as shape_of

NOTE = "random weights: timing only"
PROMPT_TOKENS = 3  # <|startoftranscript|><|en|><|transcribe|>
SCHEMA = "asr-tui/kernel-bench/1"


@dataclass(frozen=True)
class KernelTimes:
    """Seconds one timer call spent in each stage, for the whole batch."""

    encode_s: float
    prefill_s: float
    decode_s: float
    compile_s: float | None = None  # None: the backend compiles nothing


# (batch, steps) -> the stages' seconds of one call
KernelTimer = Callable[[int, int], KernelTimes]


@dataclass
class KernelRow:
    backend: str
    dtype: str
    device: str
    batch: int
    steps: int
    threads: int
    encoder_s_per_window: float
    prefill_ms: float
    decoder_ms_per_step: float
    decoder_ms_per_token: float
    decoder_step_cv: float | None  # as every result's CV (`metrics`): None from one measured call
    compile_s: float | None  # the first, unmeasured call's; None where nothing compiles
    repeat: int
    gpu: str | None = None
    note: str = NOTE

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Skipped:
    backend: str
    dtype: str
    reason: str


@dataclass
class BenchPlan:
    model: str
    device: str = "cpu"
    backends: tuple[str, ...] = ()
    dtypes: tuple[str, ...] = ()
    batches: tuple[int, ...] = (1, 4, 16)
    steps: int = 64
    repeat: int = 3
    threads: int = 0
    seed: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 1 <= self.steps <= shape_of(self.model)["n_text_ctx"] - PROMPT_TOKENS:
            raise AsrTuiError(f"steps must be 1..{shape_of(self.model)['n_text_ctx'] - PROMPT_TOKENS} (the text context)")
        if self.repeat < 1 or not self.batches or min(self.batches) < 1:
            raise AsrTuiError("repeat and every batch size must be at least 1")
        if self.threads < 0:
            raise AsrTuiError(f"threads {self.threads}: 0 (one per physical core) or more")


def random_state(dims: dict, seed: int) -> dict[str, np.ndarray]:
    """A float16 state dict of openai-whisper's shape for `dims` (small normal values,
    so no activation overflows in float16), the same for every backend."""
    from asr_tui.core.weights.checkpoint import expected_shapes

    rng = np.random.default_rng(seed)
    return {
        name: (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)
        for name, shape in expected_shapes(dims).items()
    }


def _row(name: str, dtype: str, plan: BenchPlan, batch: int, threads: int, first: KernelTimes,
         runs: list[KernelTimes], gpu: str | None) -> KernelRow:
    median = {stage: metrics.median([getattr(r, stage) for r in runs]) for stage in ("encode_s", "prefill_s", "decode_s")}
    step_ms = median["decode_s"] / plan.steps * 1000
    return KernelRow(
        backend=name, dtype=dtype, device=plan.device, batch=batch, steps=plan.steps, threads=threads,
        encoder_s_per_window=median["encode_s"] / batch, prefill_ms=median["prefill_s"] * 1000,
        decoder_ms_per_step=step_ms, decoder_ms_per_token=step_ms / batch,
        decoder_step_cv=metrics.coefficient_of_variation([r.decode_s for r in runs]),
        compile_s=first.compile_s, repeat=plan.repeat, gpu=gpu,
    )


def _config(plan: BenchPlan, name: str, dtype: str) -> RunConfig:
    """The run configuration a backend's timer is made for (greedy, its first strategy)."""
    strategy = backends.backend_class(name).strategies[0]
    return RunConfig(backend=name, device=plan.device, dtype=dtype, threads=plan.threads,
                     strategy=strategy, temperatures=(0.0,))


def configurations(plan: BenchPlan) -> Iterable[tuple[str, str]]:
    """(backend, dtype) pairs to time: those asked for that the backend runs on the
    device; the rest are recorded in `plan.skipped` with the backend's reason."""
    for name in plan.backends or backends.names():
        cls = backends.backend_class(name)
        if cls.kernel_timer is Backend.kernel_timer:
            plan.skipped.append(Skipped(name, ",".join(plan.dtypes) or "any", "this backend has no kernel timer"))
            continue
        dtypes = plan.dtypes or cls.dtypes.get(plan.device, ())
        for dtype in dtypes:
            try:
                cls().check(_config(plan, name, dtype))
            except AsrTuiError as exc:
                plan.skipped.append(Skipped(name, dtype, str(exc)))
                continue
            yield name, dtype


def skipped_reasons(skipped: list[Skipped]) -> str:
    """Each reason once, with the configurations it stopped: one GPU missing stops
    every backend and dtype for the same reason."""
    by_reason: dict[str, list[str]] = {}
    for s in skipped:
        by_reason.setdefault(s.reason, []).append(f"{s.backend} {s.dtype}")
    return "; ".join(f"{reason} ({', '.join(which)})" for reason, which in by_reason.items())


def run(plan: BenchPlan, report: Callable[[KernelRow], None]) -> list[KernelRow]:
    """Time every configuration of the plan at every batch size, one backend's model
    resident at a time: one call per shape first (compiling, where the backend does),
    then `repeat` measured calls whose medians make the row (each `report`ed as it is
    made). What cannot be timed is added to `plan.skipped`."""
    dims = shape_of(plan.model)
    pairs = list(configurations(plan))
    state = random_state(dims, plan.seed)
    rows: list[KernelRow] = []
    for name, dtype in pairs:
        backend = backends.backend_class(name)()
        config = _config(plan, name, dtype)
        try:
            backend.check_available(config)
            threads = backend.set_threads(thread_counts.resolve(plan.threads))
            timer = backend.kernel_timer(dims, state, config)
        except AsrTuiError as exc:
            plan.skipped.append(Skipped(name, dtype, str(exc)))
            continue
        for batch in plan.batches:
            try:
                first = timer(batch, plan.steps)
                runs = [timer(batch, plan.steps) for _ in range(plan.repeat)]
            except AsrTuiError as exc:  # this backend cannot do this work: the others still run
                plan.skipped.append(Skipped(name, dtype, f"batch {batch}: {exc}"))
                break
            rows.append(_row(name, dtype, plan, batch, threads, first, runs, backend.gpu_name()))
            report(rows[-1])
        del timer
        backend.release()
        gc.collect()
    return rows


def document(plan: BenchPlan, rows: list[KernelRow], complete: bool = True) -> dict:
    """The JSON document; `complete` is false while rows are still to come, so a bench
    stopped midway (a timeout, a lost machine) still leaves every finished row."""
    packages = sorted({p for name in {r.backend for r in rows} for p in backends.backend_class(name)().packages()})
    return {
        "schema": SCHEMA,
        "note": NOTE,
        "complete": complete,
        "model_shape": plan.model,
        "dims": shape_of(plan.model),
        "prompt_tokens": PROMPT_TOKENS,
        "steps": plan.steps,
        "env": environment.describe(packages, thread_counts.resolve(plan.threads), next((r.gpu for r in rows if r.gpu), None)),
        "rows": [r.to_dict() for r in rows],
        "skipped": [asdict(s) for s in plan.skipped],
    }
