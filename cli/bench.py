"""`asr-tui bench`: time a model's encoder and decoder from its shape, with random
weights (`core.kernel_bench`), on this machine, before downloading it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from asr_tui.cli.whole_tables import print_whole
from asr_tui.core import backends, export, kernel_bench
from asr_tui.core import threads as thread_counts
from asr_tui.core.config import DEVICES, DTYPES
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.model_shapes import NAMES


def _numbers(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, got '{text}'") from None
    return values


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def _dtypes(text: str) -> tuple[str, ...]:
    names = _names(text)
    if unknown := [n for n in names if n not in DTYPES]:
        raise argparse.ArgumentTypeError(f"unknown dtype '{unknown[0]}' (choose {', '.join(DTYPES)})")
    return names


def parser() -> argparse.ArgumentParser:
    from asr_tui.cli.main import OneLineParser

    p = OneLineParser(
        prog="asr-tui bench",
        description=f"Time the encoder and the decoder of an official model's shape with random weights "
        f"({kernel_bench.NOTE}): no download. Every backend does the same work: a batch of 30 s windows, "
        f"a {kernel_bench.PROMPT_TOKENS}-token prompt, then a fixed number of decoder steps.",
    )
    p.add_argument("--model", default="tiny", choices=NAMES, metavar="NAME", help=f"model shape ({', '.join(NAMES)}; default: tiny)")
    p.add_argument("--device", default="cpu", choices=DEVICES, help="default: cpu")
    p.add_argument("--backends", type=_names, default=(), metavar="B,B",
                   help=f"backends to time (default: all of {', '.join(backends.names())}; "
                   "one without a kernel timer is listed as not timed)")
    p.add_argument("--dtypes", type=_dtypes, default=(), metavar="D,D",
                   help=f"dtypes to time, each where its backend runs it (default: all it runs; of {', '.join(DTYPES)})")
    p.add_argument("--batches", type=_numbers, default=(1, 4, 16), metavar="N,N", help="windows per call (default: 1,4,16)")
    p.add_argument("--steps", type=int, default=64, help="decoder steps after the prompt (default: 64)")
    p.add_argument("--repeat", type=int, default=3, help="measured calls per batch size, after one unmeasured (default: 3)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads; 0 (the default) is one per physical core")
    p.add_argument("--json", type=Path, help="write the document here")
    return p


def table(plan: kernel_bench.BenchPlan, rows: list[kernel_bench.KernelRow]) -> Table:
    threads = "/".join(str(n) for n in sorted({r.threads for r in rows}))
    out = Table(title=f"{plan.model} shape on {plan.device}, {threads} threads: {kernel_bench.NOTE}", title_justify="left",
                box=box.SIMPLE_HEAD, pad_edge=False)
    for header in ("backend", "dtype", "batch", "enc s/win", "prefill ms", "dec ms/step", "ms/token", "CV", "compile s"):
        out.add_column(header, justify="left" if header in ("backend", "dtype") else "right", no_wrap=True)
    for r in rows:
        out.add_row(r.backend, r.dtype, str(r.batch), f"{r.encoder_s_per_window:.4f}", f"{r.prefill_ms:.1f}",
                    f"{r.decoder_ms_per_step:.2f}", f"{r.decoder_ms_per_token:.3f}",
                    "-" if r.decoder_step_cv is None else f"{r.decoder_step_cv:.0%}",
                    "-" if r.compile_s is None else f"{r.compile_s:.1f}")
    return out


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    err = Console(stderr=True)
    if args.json:
        export.check_json_flag(args.json)  # before the weights are made, not after the timing
    plan = kernel_bench.BenchPlan(
        model=args.model, device=args.device, backends=args.backends, dtypes=args.dtypes, batches=args.batches,
        steps=args.steps, repeat=args.repeat, threads=args.threads,
    )
    for name in plan.backends:
        backends.backend_class(name)  # an unknown name fails here, before any weights are made

    finished: list[kernel_bench.KernelRow] = []

    def write(complete: bool) -> None:
        if args.json:
            export.write_file(args.json, json.dumps(kernel_bench.document(plan, finished, complete), indent=2) + "\n")

    def report(item: kernel_bench.KernelRow) -> None:
        err.print(f"{item.backend} {item.dtype} batch {item.batch}: encoder {item.encoder_s_per_window:.4f} s/window, "
                  f"decoder {item.decoder_ms_per_step:.2f} ms/step", highlight=False)
        finished.append(item)
        write(complete=False)  # each row as it finishes: a bench cut short keeps what it measured

    err.print(f"{plan.model} shape, {kernel_bench.NOTE}; making random weights ...", highlight=False)
    if warning := thread_counts.oversubscribed(thread_counts.resolve(args.threads)):
        err.print(f"asr-tui: warning: {warning}", highlight=False)
    rows = kernel_bench.run(plan, report)
    if not rows:
        raise AsrTuiError("nothing was timed: " + kernel_bench.skipped_reasons(plan.skipped))
    print_whole(Console(), table(plan, rows))
    if plan.skipped:
        err.print("not timed: " + kernel_bench.skipped_reasons(plan.skipped), markup=False, highlight=False)
    write(complete=True)
    if args.json:
        err.print(f"wrote {args.json}", markup=False, highlight=False)
    return 0
