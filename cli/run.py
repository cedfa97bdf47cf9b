"""`asr-tui run`: a benchmark from the shell, for scripts and CI.

Progress goes to stderr and the timing table to stdout, so `> table.txt` captures
only results. Bad input ends with exit code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from asr_tui.cli import record
from asr_tui.core import audio, backends, config as config_mod, events, export, presets, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.results import RunResult
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE

OVERRIDABLE = (
    "backend", "model", "device", "dtype", "strategy", "beam_size", "batch_size", "temperatures", "language", "task", "threads",
    "warmup", "repeat", "vad_filter",
)


def _temperatures(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="asr-tui run", description="Run a benchmark without the TUI.")
    p.add_argument("audio", nargs="*", type=Path, help="audio files (default: the preset's sources, else the bundled sample)")
    p.add_argument("--preset", help="preset name or TOML file; flags below override each of its configs")
    p.add_argument("--backend", choices=backends.names())
    p.add_argument("--model", help="Whisper name, .pt checkpoint or CTranslate2 directory")
    p.add_argument("--device", choices=config_mod.DEVICES)
    p.add_argument("--dtype", choices=config_mod.DTYPES)
    p.add_argument("--strategy", choices=config_mod.STRATEGIES, help="sequential windows with previous text as prompt, or batched overlapping windows")
    p.add_argument("--beam-size", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--temperatures", type=_temperatures, help="comma-separated; 0 decodes greedily only, openai-whisper's fallback is 0,0.2,0.4,0.6,0.8,1")
    p.add_argument("--language")
    p.add_argument("--task", choices=config_mod.TASKS)
    p.add_argument("--threads", type=int)
    p.add_argument("--warmup", type=int, help="runs before the measured ones (the first is reported as first run)")
    p.add_argument("--repeat", type=int, help="measured warm runs")
    p.add_argument("--vad", dest="vad_filter", action="store_const", const=True, help="ctranslate2: filter silence with VAD (off by default, so all backends hear the same audio)")
    p.add_argument("--reference", type=Path, help="reference transcript (default: a sibling AUDIO.txt)")
    p.add_argument("--json", type=Path, help="write the results document here")
    p.add_argument("--mic", action="store_true", help="record from the microphone first, then run on the recording")
    record.add_arguments(p, device_flag="--mic-device")
    return p


def build_configs(args) -> tuple[list[RunConfig], list[str]]:
    overrides = {k: getattr(args, k) for k in OVERRIDABLE if getattr(args, k) is not None}
    if "backend" in overrides and "strategy" not in overrides:
        only = backends.backend_class(overrides["backend"]).strategies
        if len(only) == 1:  # a backend with one strategy runs it without being told
            overrides["strategy"] = only[0]
    if args.preset:
        preset = presets.find(args.preset)
        return [c.with_(**overrides) for c in preset.configs], preset.sources
    return [RunConfig(**overrides)], []


class ConsoleReporter:
    """Turns runner events into a Rich progress display on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeRemainingColumn(), console=console, transient=True,
        )
        self.task = None
        self.failures: list[str] = []
        self.results: list[RunResult] = []

    def __call__(self, event: events.Event) -> None:
        match event:
            case events.ModelLoading(config=config):
                self.console.print(f"[dim]loading {config.model} on {config.backend}/{config.device} ({config.dtype})…[/]")
            case events.ModelLoaded(load_s=load_s, reused=False):
                self.console.print(f"[dim]model loaded in {load_s:.2f} s[/]")
            case events.PassStarted(audio=audio, index=index, passes=passes, kind=kind):
                if self.task is not None:
                    self.progress.remove_task(self.task)
                self.task = self.progress.add_task(f"{audio.name} {kind} {index}/{passes}", total=1)
            case events.Progress(done_seconds=done, total_seconds=total):
                if self.task is not None:
                    self.progress.update(self.task, completed=done, total=total)
            case events.RunFinished(result=result):
                self.results.append(result)
            case events.RunFailed(message=message):
                self.failures.append(message)
                print(f"asr-tui: error: {message}", file=sys.stderr)


# result column -> header short enough for an 80-column terminal
TABLE_COLUMNS = {
    "config": "config", "audio": "audio", "audio_s": "audio s", "load_s": "load s",
    "first_run_s": "first s", "warm_median_s": "warm s", "rtfx": "RTFx", "wer": "WER",
    "peak_rss_mb": "RSS MB", "peak_gpu_mb": "GPU MB",
}


def results_table(results: list[RunResult]) -> Table:
    table = Table(title="asr-tui results", box=box.SIMPLE_HEAD, pad_edge=False)
    names = [name for name, _ in export.COLUMNS]
    for column, header in TABLE_COLUMNS.items():
        table.add_column(header, justify="left" if column in ("config", "audio") else "right")
    for row in export.rows(results):
        values = dict(zip(names, row))
        table.add_row(*("-" if values[c] is None else str(values[c]) for c in TABLE_COLUMNS))
    return table


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    err = Console(stderr=True)
    try:
        configs, preset_sources = build_configs(args)
        for config in configs:  # before any recording: a bad configuration wastes none
            backend = backends.create(config.backend)
            backend.check(config)
            backend.check_available(config)
            weights.resolve(config.model)
        if args.mic:
            args.audio = [record.capture(args.input_device, args.seconds, None)]
        sources = args.audio or [Path(s).expanduser() for s in preset_sources] or [SAMPLE]
        for source in sources:
            audio.probe_seconds(source)  # fail on unreadable files before loading a model
        references = {}
        if args.reference:
            if not args.reference.is_file():
                raise AsrTuiError(f"reference transcript {args.reference} does not exist")
            references = {s: args.reference for s in sources}
    except AsrTuiError as exc:
        print(f"asr-tui: error: {exc}", file=sys.stderr)
        return 2

    reporter = ConsoleReporter(err)
    runner = Runner(reporter)
    cancelled = False
    try:
        with reporter.progress:
            for config in configs:
                job = runner.submit(config, sources, references)
                while not runner.wait(job, timeout=0.2):
                    pass
    except KeyboardInterrupt:
        cancelled = True
        runner.cancel()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        runner.close()
    results = reporter.results
    if results:
        # Piped output is for scripts: no terminal width to fit, so never wrap rows.
        Console(width=None if sys.stdout.isatty() else 200).print(results_table(results))
    if args.json and results:
        export.write_table(results, args.json, "json")
        err.print(f"wrote {args.json}")
    if cancelled:
        print("asr-tui: cancelled", file=sys.stderr)
        return 130
    return 2 if reporter.failures else 0
