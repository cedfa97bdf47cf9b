"""Peer fidelity on a long clip: every backend beside its library's own call.

For each backend and strategy, runs asr-tui's adapter through the runner, then the
reference call (`core.reference_calls`: the library's public API with the settings
the adapter's result records as applied) on the same loaded audio, and prints their
WER and RTFx side by side, and whether the transcripts are the same. A faithful
adapter has the same WER and about the same RTFx as its library. faster-whisper's
batched pipeline is shown twice: as asr-tui runs it by default (VAD off, every
backend hears the same audio) and with VAD, its own default.

    .venv/bin/python -m benchmarks.peers [--clip-repeats 2] [--model tiny.en] [--sample]
"""

from __future__ import annotations

import importlib.util
import time

from rich.console import Console
from rich.table import Table

from benchmarks import arguments
from benchmarks.long_clip import add_length, long_clip
from asr_tui.core import audio, events, reference_calls
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import median, rtfx, wer
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE


def configs(model: str, batch_size: int, warmup: int, repeat: int) -> list[RunConfig]:
    base = RunConfig(model=model, warmup=warmup, repeat=repeat)
    ct2 = base.with_(backend="ctranslate2", dtype="int8")
    batched = {"strategy": "batched", "batch_size": batch_size}
    rows = [
        base.with_(label="pytorch sequential"),
        ct2.with_(label="ctranslate2 int8 sequential"),
        ct2.with_(**batched, label=f"ctranslate2 int8 batched b{batch_size}"),
        ct2.with_(**batched, vad_filter=True, label=f"ctranslate2 int8 batched b{batch_size} vad"),
        base.with_(backend="jax", label="jax sequential"),
        base.with_(backend="jax", **batched, label=f"jax batched b{batch_size}"),
    ]
    if importlib.util.find_spec("whisper_jax"):  # greedy without fallback is all it does
        rows.append(base.with_(backend="whisper-jax", temperatures=(0.0,), **batched, label=f"whisper-jax b{batch_size}"))
    return rows


def reference_seconds(call, samples, applied: dict, warmup: int, repeat: int) -> tuple[str, float]:
    """The reference call's text and its median time over `repeat` passes after `warmup`."""
    times, text = [], ""
    for index in range(warmup + repeat):
        start = time.perf_counter()
        text = call(samples, applied)
        if index >= warmup:
            times.append(time.perf_counter() - start)
    return text, median(times)


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    add_length(parser)
    parser.add_argument("--batch-size", type=arguments.positive, default=8, help="windows per call where a backend batches")
    parser.add_argument("--warmup", type=arguments.at_least_zero, default=1, help="unmeasured passes first")
    parser.add_argument("--repeat", type=arguments.positive, default=1, help="measured passes")
    parser.add_argument("--sample", action="store_true", help="the bundled 24 s sample instead: a quick check that it runs")
    args = parser.parse_args()
    path, text = (SAMPLE, SAMPLE.with_suffix(".txt").read_text()) if args.sample else long_clip(args.clip_repeats)
    samples = audio.load(path).samples
    console = Console(width=160)

    table = Table(title=f"adapter vs its library's own call: {path.name}, {len(samples) / 16_000:.0f} s, {args.model}")
    for column in ("backend", "reference call", "WER", "ref WER", "RTFx", "ref RTFx", "same text"):
        table.add_column(column, justify="left" if column in ("backend", "reference call") else "right")
    for config in configs(args.model, args.batch_size, args.warmup, args.repeat):
        finished, failed = [], []
        runner = Runner(lambda e: finished.append(e.result) if isinstance(e, events.RunFinished)
                        else failed.append(e.message) if isinstance(e, events.RunFailed) else None)
        runner.wait(runner.submit(config, [path]))
        runner.close()  # one resident model at a time: the reference loads its own
        if failed:
            console.print(f"[red]{config.display_name}: {failed[0]}[/]")
            continue
        result = finished[0]
        call = reference_calls.load(config)
        reference_text, seconds = reference_seconds(call, samples, result.decoding, args.warmup, args.repeat)
        table.add_row(
            config.display_name, reference_calls.describe(config),
            f"{wer(text, result.text):.4f}", f"{wer(text, reference_text):.4f}",
            f"{result.rtfx:.1f}", f"{rtfx(result.audio_seconds, seconds):.1f}",
            "yes" if result.text == reference_text else "no",
        )
        applied = {name: value for name, value in result.decoding.items() if value is not None}
        console.print(f"[dim]{config.display_name}: applied {applied}[/]")
    console.print(table)


if __name__ == "__main__":
    main()
