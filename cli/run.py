"""`asr-tui run`: a benchmark from the shell, for scripts and CI.

Progress goes to stderr and the timing table to stdout, so `> table.txt` captures
only results. Bad input ends with exit code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from asr_tui.cli import record
from asr_tui.core import audio, backends, corpus, decomposition, events, export, history, parity, paths, presets, sweeps, terminal, weights
from asr_tui.core import sources as corpus_sources
from asr_tui.core.config import BY_NAME, KNOBS, RUN_KNOBS, RunConfig, RunOptions, named_apart
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import invalid
from asr_tui.core.references import not_text, unlikely_match
from asr_tui.core.results import MARKS, RunResult
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE
from asr_tui.core.table_notes import ENERGY_COUNTERS, SPEEDS_HEADING, STAGES_TITLE, order_note, relative_speeds, stage_rows, wer_note


def parser() -> argparse.ArgumentParser:
    from asr_tui.cli.main import OneLineParser

    p = OneLineParser(prog="asr-tui run", description="Run a benchmark without the TUI.")
    p.add_argument("audio", nargs="*", type=Path, help="audio files (default: the preset's sources, else the bundled sample)")
    p.add_argument("--preset", help="preset name or TOML file; the configuration flags override each of its configs")
    p.add_argument("--reference", type=Path, help="reference transcript (default: a sibling AUDIO.txt)")
    p.add_argument("--json", type=Path, help="write the results document here (a .json file; --markdown writes a report)")
    p.add_argument("--markdown", type=Path, metavar="FILE.md",
                   help="write the results table as markdown at the end, with the length and batch curves as PNG beside it")
    p.add_argument("--mic", action="store_true", help="record from the microphone first, then run on the recording")
    record.add_arguments(p, device_flag="--mic-device")
    add_knob_flags(p.add_argument_group("the run (each overrides the preset's)"), RUN_KNOBS)
    knobs = p.add_argument_group("configuration (each overrides the preset's configs)")
    add_knob_flags(knobs, KNOBS)
    knobs.add_argument(
        "--sweep", action="append", default=[], metavar="KNOB=V1,V2",
        help="run each value of a knob (repeat for the cross product); a list-valued knob separates values with ';'",
    )
    return p


_METAVARS = {"int": "N", "float": "X", "floats": "T,T,..."}


def add_knob_flags(group, knobs) -> None:
    """One flag per knob, read as text and converted by the knob itself, so a flag,
    a preset and the form reject a value with the same words."""
    for knob in knobs:
        spellings = (knob.flag, *knob.aliases)
        text = f"{knob.help} (default: {knob.to_text(knob.default) or 'none'})"
        if knob.kind == "bool":
            group.add_argument(*spellings, dest=knob.name, action=argparse.BooleanOptionalAction, help=text)
        else:
            choices = knob.choice_list()
            metavar = "{" + ",".join(choices) + "}" if choices else _METAVARS.get(knob.kind)
            group.add_argument(*spellings, dest=knob.name, metavar=metavar, help=text)


def knob_overrides(args, knobs=KNOBS) -> dict:
    overrides = {}
    for knob in knobs:
        raw = getattr(args, knob.name)
        if raw is not None:
            overrides[knob.name] = raw if isinstance(raw, bool) else knob.from_text(raw)
    return overrides


def build_configs(args) -> tuple[list[RunConfig], list[str], list[sweeps.Skipped]]:
    """The configurations to run: the preset's (or the defaults) under the flags,
    expanded by --sweep, with the preset's sources and the refused sweep combinations
    (listed on stderr now, and kept for the JSON and markdown)."""
    overrides = knob_overrides(args)
    if overrides.get("backend") in backends.names():
        cls = backends.backend_class(overrides["backend"])
        if "strategy" not in overrides and len(cls.strategies) == 1:  # its one strategy, without being told
            overrides["strategy"] = cls.strategies[0]
        # what it decodes with only (whisper-jax: temperatures 0), where no flag says otherwise
        overrides |= {name: BY_NAME[name].from_text(text) for name, text in cls.needs.items() if name not in overrides}
    swept: dict[str, list] = {}
    for name, values in map(sweeps.parse_flag, args.sweep):
        if name in swept:  # the later list replaced the earlier without a word
            raise invalid(f"--sweep {name}=... is given twice: list every value in one")
        swept[name] = values
    # the sweep would win without a word; the flags as given, not the strategy a
    # one-strategy backend implies
    if both := sorted(set(swept) & set(knob_overrides(args))):
        flag = both[0].replace("_", "-")
        raise invalid(f"--{flag} and --sweep {both[0]}=... both set {both[0]}: give one of them")
    bases, sources, skipped = [overrides], [], []
    if args.preset is not None:
        preset = presets.find(args.preset)
        if hidden := presets.hides_bundled(preset):
            print(f"asr-tui: {hidden}", file=sys.stderr)
        bases = [_under_flags({k.name: getattr(c, k.name) for k in KNOBS}, overrides) for c in preset.configs]
        sources, skipped = preset.sources, list(preset.skipped)
    configs, refused = sweeps.expand_all(bases, swept)
    skipped += refused
    if not configs:
        raise invalid(f"no combination of the sweep is valid; the first, {skipped[0].label}: {skipped[0].reason}")
    for line in skipped:
        print(f"asr-tui: {line}", file=sys.stderr)
    for line in unread_settings(configs):
        print(f"asr-tui: warning: {line}", file=sys.stderr)
    return named_apart(configs), sources, skipped


def unread_settings(configs: list[RunConfig]) -> list[str]:
    """Each setting moved from its default that a configuration's backend does not
    read, once per backend: it changes nothing there (the TUI's form hides it), so a
    sweep over it measures the same work twice."""
    unread: dict[str, dict[str, None]] = {}  # backend -> the names, in order, once each
    for config in configs:
        cls = backends.backend_class(config.backend)
        unread.setdefault(config.backend, {}).update(
            dict.fromkeys(k.name for k in KNOBS if not cls.reads(k) and getattr(config, k.name) != k.default))
    return [f"{backend} does not read {', '.join(names)}: no effect there" for backend, names in unread.items() if names]


def _under_flags(settings: dict, overrides: dict) -> dict:
    """A preset's configuration under the flags. Its label goes where a flag changes a
    setting the generated name shows (as in the TUI's form): 'PyTorch fp32' run with
    --dtype bfloat16 is not PyTorch fp32; a --label flag is kept."""
    renamed = any(name in overrides and overrides[name] != settings[name] for name in RunConfig.NAMED_BY_SUMMARY)
    return settings | ({"label": ""} if renamed and "label" not in overrides else {}) | overrides


def build_options(args) -> RunOptions:
    """The run's own settings: the preset's, under the flags."""
    options = presets.find(args.preset).options if args.preset is not None else RunOptions()
    return replace(options, **knob_overrides(args, RUN_KNOBS))


class ConsoleReporter:
    """Turns runner events into a Rich progress display on stderr, and keeps each
    finished result at once: appended to the history and, with --json, in a document
    rewritten after every result, so a kill loses only the run in progress. A run
    that failed is kept too, with what was not run (`skipped`), and why."""

    def __init__(self, console: Console, json_path: Path | None, skipped: list[sweeps.Skipped]) -> None:
        self.console = console
        self.json_path, self.skipped = json_path, list(skipped)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeRemainingColumn(), console=console, transient=True,
        )
        self.task = None
        self.results: list[RunResult] = []
        self.warned: set[str] = set()

    def __call__(self, event: events.Event) -> None:
        match event:
            case events.ModelLoading(config=config):
                self.console.print(f"[dim]loading {escape(str(config.model))} on {config.backend}/{config.device} ({config.dtype})…[/]")
            case events.ModelLoaded(config=config, load_s=load_s, reused=False):
                # named: interleaved, every model loads before the first pass
                self.console.print(f"[dim]{escape(config.display_name)}: model loaded in {load_s:.2f} s[/]", highlight=False)
            case events.PassStarted(audio=audio, index=index, passes=passes, kind=kind):
                if self.task is not None:
                    self.progress.remove_task(self.task)
                self.task = self.progress.add_task(f"{escape(audio.name)} {kind} {index}/{passes}", total=1)
            case events.Progress(done_seconds=done, total_seconds=total):
                if self.task is not None:
                    self.progress.update(self.task, completed=done, total=total)
            case events.RunFinished(result=result):
                self.results.append(result)
                if result.wer_error:
                    self.warn(result.wer_error)
                if hint := unlikely_match(result.wer, result.reference):
                    self.warn(hint)
                for note in result.notes:
                    self.warn(f"{result.config_name} · {Path(result.audio).name}: {note}")
                try:
                    history.append(result)
                except OSError as exc:
                    self.warn(f"cannot append to history {history.history_file()}: {exc.strerror or exc}")
                self.keep()
            case events.RunFailed(config=config, audio=audio, message=message):
                print(f"asr-tui: error: {message}", file=sys.stderr)
                self.skipped.append(sweeps.Skipped.failed_run(config.display_name, audio, message))
                self.keep()
            case events.RunWarning(message=message):
                self.console.print(f"asr-tui: warning: {message}", markup=False, highlight=False, soft_wrap=True)

    @property
    def failed(self) -> bool:
        """Whether a run failed: it is listed among what was not measured."""
        return any(s.kind == "run" for s in self.skipped)

    def keep(self) -> None:
        """Rewrite the --json document, still incomplete, with every result and failure so far."""
        if self.json_path is not None:
            try:
                export.write_table(self.results, self.json_path, "json", complete=False, skipped=self.skipped)
            except AsrTuiError as exc:
                self.warn(str(exc))

    def warn(self, message: str) -> None:
        """One line per distinct problem: a full disk is not worth a line per result."""
        if message not in self.warned:
            self.warned.add(message)
            print(f"asr-tui: warning: {message}", file=sys.stderr)


# result column -> header short enough for an 80-column terminal
TABLE_COLUMNS = {
    "config": "config", "audio": "audio", "audio_s": "audio s", "load_s": "load s",
    "first_run_s": "first s", "warm_median_s": "warm s", "warm_range": "min-max s", "cv": "CV %",
    "rtfx": "RTFx", "wer": "WER", "raw_wer": "raw WER", "lost_words": "lost", "peak_rss_mb": "peak RSS MB", "peak_gpu_mb": "GPU MB",
}
# Below `WIDE` terminal columns the tables keep what a comparison is read by, so no
# figure is cut to an ellipsis; --json and --markdown always hold every column.
WIDE = 140
NARROW_COLUMNS = ("config", "warm_median_s", "cv", "rtfx", "wer", "lost_words", "peak_rss_mb")
CORPUS_COLUMNS = {
    "config_name": "config", "files": "files", "wer": "WER", "substitutions": "S", "deletions": "D",
    "insertions": "I", "reference_words": "ref words", "audio_seconds": "audio s",
    "compute_seconds": "compute s", "rtfx": "RTFx", "files_without_reference": "no ref",
}


def mark_notes(results: list[RunResult]) -> list[str]:
    """One line per mark, saying why a row deserves less trust."""
    names = paths.shown_names(r.audio for r in results)
    return [
        f"{note.mark} row {number} ({r.config_name}, {names[r.audio]}): {note.message}"
        for number, r in enumerate(results, start=1) for note in r.notes
    ]


def breakdown_table(results: list[RunResult], narrow: bool = False) -> Table | None:
    """Where each row's time went and its energy (not in a narrow terminal), when any
    row has one of them (`table_notes.stage_rows`)."""
    found = stage_rows(results, () if narrow else ENERGY_COUNTERS)
    if found is None:
        return None
    header, rows = found
    table = Table(title=STAGES_TITLE + ("" if narrow else " and energy"), box=box.SIMPLE_HEAD, pad_edge=False)
    for column in header:
        table.add_column(column, justify="left" if column == "config" else "right", no_wrap=column != "config")
    for row in rows:
        table.add_row(*map(_literal, row))
    return table


# decimals per column, so a column's figures line up (str() of 0.740 is "0.74")
CELL_FORMATS = {"audio_s": ".2f", "load_s": ".3f", "first_run_s": ".3f", "warm_median_s": ".3f", "rtfx": ".2f",
                "wer": ".4f", "raw_wer": ".4f", "peak_rss_mb": ".0f", "peak_gpu_mb": ".0f",
                "audio_seconds": ".2f", "compute_seconds": ".3f"}  # the last two: the corpus table's


def _cell(column: str, values: dict) -> str:
    if column == "warm_range":
        low, high = values["warm_min_s"], values["warm_max_s"]
        return "-" if low is None else f"{low:.2f}-{high:.2f}"
    if column == "load_s" and values["model_reused"]:
        return "reused"
    if column == "cv":
        return "-" if values["cv"] is None else f"{100 * values['cv']:.1f}"
    value = values[column]
    return "-" if value is None else format(value, CELL_FORMATS[column]) if column in CELL_FORMATS else str(value)


def _literal(cell):
    """A table cell shown as written: a Rich table reads a string as markup, which lost
    '[best]' from 'take[best].wav' and failed on a label holding '[/x]'."""
    return Text(cell) if isinstance(cell, str) else cell


def corpus_table(results: list[RunResult]) -> Table | None:
    """Corpus figures per configuration, when any configuration ran over several files."""
    summaries = [s.to_dict() for s in corpus.summarize(results)]
    if not any(s["files"] > 1 for s in summaries):
        return None
    table = Table(title="corpus (WER over all reference words, RTFx = total audio / total compute)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column, header in CORPUS_COLUMNS.items():
        table.add_column(header, justify="left" if column == "config_name" else "right")
    for summary in summaries:
        table.add_row(*(_literal(_cell(c, summary)) for c in CORPUS_COLUMNS))
    return table


def decomposition_table(results: list[RunResult]) -> Table | None:
    """The speedup split by factor, when some configurations differ in one."""
    found = decomposition.decompose(results)
    if not found.steps:
        return None
    table = Table(title="speedup decomposed (one factor per step, same files, model, device, beam, temperatures)",
                  caption=found.summary(), box=box.SIMPLE_HEAD, pad_edge=False)
    for header in decomposition.TABLE_HEADER:
        table.add_column(header, justify="right" if header in ("RTFx", "ratio", "WER Δ points") else "left")
    for row in decomposition.table_rows(found):
        table.add_row(*map(_literal, row))
    return table


def results_table(results: list[RunResult], width: int | None = None) -> Group:
    """What the configurations differ in beyond those compared (above the comparison),
    the per-file table (with a marks column), a line for every mark, the WER's
    normaliser, each configuration's speed against the first, and the corpus and
    decomposition tables when there are some. In a terminal narrower than `WIDE`
    the per-file and stage tables keep fewer columns, whole."""
    narrow = width is not None and width < WIDE
    columns = [c for c in TABLE_COLUMNS if not narrow or c in NARROW_COLUMNS]
    table = Table(title="asr-tui results" + (" (the terminal's width; --json has every column)" if narrow else ""),
                  box=box.SIMPLE_HEAD, pad_edge=False)
    names = [name for name, _ in export.COLUMNS]
    table.add_column(MARKS, justify="left")
    for column in columns:
        table.add_column(TABLE_COLUMNS[column], justify="left" if column in ("config", "audio") else "right",
                         no_wrap=column not in ("config", "audio"))
    for result, row in zip(results, export.rows(results)):
        values = dict(zip(names, row))
        table.add_row(_literal(result.marks), *(_literal(_cell(c, values)) for c in columns))
    unlike = parity.line(results)
    speeds = relative_speeds(results)
    parts = [Text(unlike, style="bold")] if unlike else []
    parts += [table, *(Text(note) for note in mark_notes(results))]
    parts += [Text(line) for line in filter(None, [order_note(results), wer_note(results)])]
    if speeds:
        parts.append(Text(SPEEDS_HEADING + "\n  " + "\n  ".join(speeds)))
    parts += [t for t in (breakdown_table(results, narrow), corpus_table(results), decomposition_table(results)) if t is not None]
    return Group(*parts)


def expand_sources(sources: list[Path]) -> tuple[list[Path], dict, list[sweeps.Skipped]]:
    """Folders, globs and manifests become their audio files and references; files a
    manifest names but that are missing are said, and the rest run."""
    expanded = corpus_sources.expand(sources)
    if expanded.missing:
        print(f"asr-tui: warning: {len(expanded.missing)} missing, skipped: {', '.join(expanded.missing)}", file=sys.stderr)
    if lines := expanded.unreferenced:
        listed = ", ".join(lines[:3]) + (f" and {len(lines) - 3} more" if len(lines) > 3 else "")
        print(f"asr-tui: warning: {len(lines)} manifest line{'s' if len(lines) > 1 else ''} give no reference "
              f"({', '.join(corpus_sources.REFERENCE_KEYS)}), timing only: {listed}", file=sys.stderr)
    if gone := expanded.missing_references:
        print(f"asr-tui: warning: {len(gone)} reference transcript{'s' if len(gone) > 1 else ''} missing, "
              f"their audio runs for timing only: {', '.join(gone)}", file=sys.stderr)
    return expanded.files, expanded.references, [sweeps.Skipped(m, "named by a manifest, not found", "file") for m in expanded.missing]


def readable_sources(sources: list[Path]) -> tuple[list[Path], list[sweeps.Skipped]]:
    """The files that decode, checked before a model loads. An unreadable one is left
    out and said, as the TUI leaves it out: one corrupt file in a folder of a hundred
    does not stop the rest. A path that does not exist, or none readable, is an error."""
    readable, unreadable = [], []
    for source in sources:
        try:
            audio.probe_seconds(source)
            readable.append(source)
        except AsrTuiError as exc:
            if not Path(source).exists():
                raise  # a path typed wrong stops the run, as one named alone always did
            unreadable.append(sweeps.Skipped(str(source), str(exc), "file"))
    if not readable:
        raise AsrTuiError(unreadable[0].reason)
    for line in unreadable:
        print(f"asr-tui: warning: left out, {line.reason}", file=sys.stderr)
    return readable, unreadable


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C is acted on after the block, not inside it: resolving weights can load
    native libraries (CTranslate2, torch), and a KeyboardInterrupt raised through their
    C++ code aborts the process instead of unwinding it."""
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


class Stopped(BaseException):
    """SIGTERM arrived: cancel like Ctrl-C does, and exit with the signal's status."""


def _raise_stopped(signum, frame) -> None:
    raise Stopped()


def _detach_on_hangup(signum, frame) -> None:
    """The terminal went away (a dropped SSH session): carry on without it; every
    result still reaches the history and the --json document."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    terminal.detach_hung_up()


def _print_table(results: list[RunResult]) -> None:
    """The results table on stdout, after the files are written: a reader that closes
    the pipe early (`| head`) ends the process there (Rich exits with status 1), and
    must not cost the complete JSON."""
    # Piped output is for scripts: no terminal width to fit, so never wrap rows.
    out = Console(width=None if sys.stdout.isatty() else 200)
    out.print(results_table(results, out.width))


def main(argv: list[str]) -> int:
    # from the start: a hang-up while the models are checked (seconds) ended the process
    signal.signal(signal.SIGHUP, _detach_on_hangup)
    args = parser().parse_args(argv)
    err = Console(stderr=True)
    try:
        if not args.mic and (args.seconds is not None or args.input_device is not None):
            raise AsrTuiError("--seconds and --mic-device are for recording: add --mic to record first")
        if args.mic and args.audio:
            raise AsrTuiError("--mic runs on the recording it makes: give no audio files with it")
        # before a minute of loading, not after an hour of measuring
        if args.markdown:
            if args.markdown.suffix.lower() not in (".md", ".markdown"):
                raise AsrTuiError(f"--markdown {args.markdown}: the file must end in .md")
            export.check_writable(args.markdown)
        if args.json:
            export.check_json_flag(args.json)
        configs, preset_sources, skipped = build_configs(args)
        options = build_options(args)
        with interrupts_deferred():
            for config in configs:  # before any recording: a bad configuration wastes none
                try:
                    backend = backends.create(config.backend)
                    backend.check(config)
                    backend.check_available(config)
                    weights.resolve(config.model)
                except AsrTuiError as exc:  # which of several it was: a preset's, a sweep's
                    raise AsrTuiError(f"{config.display_name}: {exc}" if len(configs) > 1 else str(exc)) from None
        if args.mic:
            args.audio = [record.capture(args.input_device, record.seconds(args), None)]
        sources = args.audio or [Path(s).expanduser() for s in preset_sources] or [SAMPLE]
        sources, references, not_found = expand_sources(sources)
        if args.reference and len(sources) > 1:
            raise AsrTuiError(f"--reference is one file's transcript, and {len(sources)} files would run: "
                              "give one audio file, or a .tsv/.jsonl manifest pairing each with its own")
        sources, unreadable = readable_sources(sources)
        skipped += not_found + unreadable  # in the JSON and the report's "Not run"
        if args.reference:
            paths.require_file(args.reference, "reference transcript")
            if problem := not_text(args.reference):
                raise AsrTuiError(problem)
            references = {s: args.reference for s in sources}
    except AsrTuiError as exc:
        print(f"asr-tui: error: {exc}", file=sys.stderr)
        return 2

    reporter = ConsoleReporter(err, args.json, skipped)
    runner = Runner(reporter)
    stopped_by = None
    signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        with reporter.progress:
            for job in runner.submit_all(configs, sources, references, interleave=options.interleave):
                while not runner.wait(job, timeout=0.2):
                    pass
    except KeyboardInterrupt:
        stopped_by = signal.SIGINT
    except Stopped:
        stopped_by = signal.SIGTERM
    finally:
        # Cancelling and the last writes below are not to be interrupted again.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        runner.close()
    # Written even without a result: a script finds why (stopped, or what failed).
    results, skipped = reporter.results, reporter.skipped
    export_failed = False
    if args.json:
        try:
            export.write_table(results, args.json, "json", complete=stopped_by is None, skipped=skipped)
            err.print(f"wrote {args.json}" + ("" if stopped_by is None else " (incomplete: the run was stopped)"), markup=False, highlight=False)
        except AsrTuiError as exc:
            print(f"asr-tui: error: {exc}", file=sys.stderr)
            export_failed = True
    if args.markdown:
        try:
            err.print(export.write_export(results, args.markdown, skipped, complete=stopped_by is None),
                      markup=False, highlight=False, soft_wrap=True)
        except AsrTuiError as exc:
            print(f"asr-tui: error: {exc}", file=sys.stderr)
            export_failed = True
    if results:
        _print_table(results)
    if stopped_by is not None:
        print("asr-tui: cancelled", file=sys.stderr)
        return 128 + stopped_by
    return 2 if reporter.failed or export_failed else 0
