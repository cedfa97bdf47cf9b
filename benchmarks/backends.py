"""The study, on this machine: PyTorch (openai-whisper) against Whisper in JAX and
faster-whisper (CTranslate2), one long clip, the same weights and thread count, in
one process.

Prints, for each configuration, its decoding settings, then audio seconds, compile
seconds, first-run and warm-run seconds, RTFx and WER, and each JAX row's speed
ratio to PyTorch (warm median / warm median).

    .venv/bin/python -m benchmarks.backends [--model tiny.en] [--clip-repeats 2] [--device cpu]
"""

from __future__ import annotations

import importlib.util

from rich.console import Console
from rich.table import Table

from benchmarks import arguments
from benchmarks.long_clip import add_length, long_clip
from asr_tui.core import events
from asr_tui.core.config import RunConfig
from asr_tui.core.runner import Runner


def configs(model: str, device: str) -> list[RunConfig]:
    base = RunConfig(model=model, device=device, warmup=1, repeat=1)
    reference = base.with_(label="pytorch fp32 (openai-whisper defaults)")
    if device == "cuda":
        reference = reference.with_(dtype="float16", label="pytorch fp16 (openai-whisper defaults)")
    jax = base.with_(backend="jax")
    return [
        reference,
        jax.with_(label="jax fp32 sequential"),
        jax.with_(strategy="batched", batch_size=1, label="jax fp32 batched b1"),
        jax.with_(strategy="batched", batch_size=16, label="jax fp32 batched b16"),
        jax.with_(strategy="batched", batch_size=1, dtype="bfloat16", label="jax bf16 batched b1"),
        jax.with_(strategy="batched", batch_size=16, dtype="bfloat16", label="jax bf16 batched b16"),
    ] + [
        # the upstream pipeline, where a user installed it: greedy without fallback is all it does
        base.with_(backend="whisper-jax", strategy="batched", temperatures=(0.0,), dtype=dtype, batch_size=16, label=f"whisper-jax {dtype} b16")
        for dtype in (("float32", "bfloat16") if importlib.util.find_spec("whisper_jax") else ())
    ] + [
        base.with_(backend="ctranslate2", dtype=dtype, strategy=strategy, batch_size=batch, label=f"ctranslate2 {dtype} {strategy}{f' b{batch}' if batch > 1 else ''}")
        for dtype in ("float32", "int8")
        for strategy, batch in (("sequential", 1), ("batched", 8))
    ]


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where every backend runs")
    add_length(parser)
    args = parser.parse_args()
    path, _ = long_clip(args.clip_repeats)
    console = Console(width=160)
    results, failures = [], []

    def listen(event):
        if isinstance(event, events.RunFinished):
            results.append(event.result)
            r = event.result
            console.print(f"[dim]{r.config_name}: first {r.first_run_s:.2f} s, warm {r.warm_runs_s}[/]")
        elif isinstance(event, events.RunFailed):
            failures.append(event.message)
            console.print(f"[red]{event.config.display_name}: {event.message}[/]")

    runner = Runner(listen)
    for config in configs(args.model, args.device):
        runner.wait(runner.submit(config, [path]))
    runner.close()
    if not results:
        raise SystemExit("no run finished")

    reference = results[0]
    console.print(f"clip {path.name}: {reference.audio_seconds:.1f} s of speech; model {args.model}; "
                  f"{reference.env['threads']} threads; {reference.env['cpu']}")
    for r in results:
        d = r.decoding
        console.print(f"  {r.config_name}: temperatures {d['temperatures']}, beam {d['beam_size']}, "
                      f"strategy {d['strategy']}, condition_on_previous_text {d['condition_on_previous_text']}")
    table = Table(title="PyTorch vs JAX vs CTranslate2")
    for column in ("config", "audio s", "load s", "compile s", "first s", "warm s", "RTFx", "WER", "RSS MB", "speed vs PyTorch"):
        table.add_column(column, justify="left" if column == "config" else "right")
    for r in results:
        table.add_row(
            r.config_name, f"{r.audio_seconds:.1f}", f"{r.load_s:.2f}", "-" if r.compile_s is None else f"{r.compile_s:.2f}",
            f"{r.first_run_s:.2f}", f"{r.warm_median_s:.2f}", f"{r.rtfx:.1f}", f"{r.wer:.4f}", f"{r.peak_rss_mb:.0f}",
            f"{reference.warm_median_s / r.warm_median_s:.2f}x",
        )
    console.print(table)


if __name__ == "__main__":
    main()
