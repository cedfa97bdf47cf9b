"""The Run tab: what the runner is doing right now (loading, compiling, which pass),
the whole run's progress and time left, a bar per (configuration, file) measurement
kept in view, segments as they decode, and this run's timing table, with a failed
measurement's full message in a details panel."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, ProgressBar, RichLog

from asr_tui.core import backends, events
from asr_tui.core.config import RunConfig
from asr_tui.core.results import RunResult
from asr_tui.core.runner import pass_kinds
from asr_tui.tui.widgets.tables import LiteralTable, TableNote, number, short_reason

# status last: a failure's reason is long, and the numbers of every other row come first
# the figures next to the configuration, the file after them: at 80 columns a long
# configuration name (a sweep's) left the WER cut at the edge, "0.0" for 0.047
TIMING_COLUMNS = ("config", "RTFx", "WER", "warm s", "first s", "file", "status")


def timing_row(result: RunResult) -> tuple[str, ...]:
    return (
        result.config_name,
        number(result.rtfx, ".1f"),
        number(result.wer, ".3f"),
        number(result.warm_median_s, ".2f"),
        number(result.first_run_s, ".2f"),
        Path(result.audio).name,
        "ok",
    )


def failed_row(config_name: str, audio: Path | None, message: str) -> tuple[str, ...]:
    return (config_name, "-", "-", "-", "-", audio.name if audio else "all files", f"failed: {short_reason(message)}")


def duration(seconds: float) -> str:
    """A human span: '40 s', '3 min 5 s', '1 h 2 min'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class ProgressRow(Horizontal):
    """One (configuration, file) measurement: all its passes on one bar. Its widgets
    are built here, not found by query, because events can arrive before it mounts."""

    def __init__(self, title: str, audio_seconds: float, passes: int) -> None:
        super().__init__(classes="progress-row")
        self.audio_seconds, self.passes = audio_seconds, passes
        self.pass_index = 1
        self.title = Label(title, classes="progress-title", markup=False)
        self.bar = ProgressBar(total=max(audio_seconds * passes, 1e-9), show_eta=False)
        self.state = Label("waiting", classes="progress-pass", markup=False)
        self.started = False
        self.finished = False
        self.failed = False
        self.cancelled = False

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.bar
        yield self.state

    @property
    def work(self) -> float:
        """Audio seconds this measurement transcribes over all its passes."""
        return self.audio_seconds * self.passes

    @property
    def completed(self) -> bool:
        """Measured to the end: not failed, not cancelled."""
        return self.finished and not (self.failed or self.cancelled)

    @property
    def done(self) -> float:
        return self.work if self.completed else min(self.bar.progress, self.work)

    def begin(self, audio_seconds: float) -> None:
        """The runner read the file: its length replaces the probed one."""
        self.started = True
        self.audio_seconds = audio_seconds
        self.bar.update(total=max(self.work, 1e-9), progress=0)
        self.state.update("starting")

    def start_pass(self, index: int, kind: str, compiles: bool) -> None:
        self.pass_index = index
        what = "first (compiling)" if kind == "first" and compiles else kind
        # the pass's number among all of them, then its kind: "2/4 warm" is the second
        # of four passes, the first warm one
        self.state.update(f"{index}/{self.passes} {what}")

    def wait_turn(self) -> None:
        """Interleaved, another measurement's pass has begun: this one's pass is over
        and its next one waits. Said so, rather than naming the pass that has ended
        as if it still ran."""
        self.bar.update(progress=self.pass_index * self.audio_seconds)
        self.state.update(f"{self.pass_index}/{self.passes} done, waiting")

    def advance(self, done_seconds: float) -> None:
        self.bar.update(progress=(self.pass_index - 1) * self.audio_seconds + done_seconds)

    def finish(self, text: str, failed: bool = False, cancelled: bool = False) -> None:
        self.started = self.finished = True
        self.failed, self.cancelled = failed, cancelled
        if self.completed:
            self.bar.update(progress=self.work)
        self.state.update(text)


@dataclass
class _Run:
    """One press of r (or one quick A/B): what it will measure and when it began."""

    number: int
    started: float
    jobs: set[int]
    finished_at: float | None = None


class RunPane(Vertical):
    clock = staticmethod(time.monotonic)  # the time left is measured on this clock

    def compose(self) -> ComposeResult:
        yield Label("Idle: press r to run every configuration over the selected sources.", id="phase", markup=False)
        with Horizontal(id="overall"):
            yield Label("", id="overall-text", markup=False)
            yield ProgressBar(total=1, show_eta=False, id="overall-bar")
        yield VerticalScroll(id="progress-rows")
        yield RichLog(id="segments", wrap=True, markup=True, max_lines=2000)
        yield LiteralTable(id="timings", cursor_type="row", zebra_stripes=True)
        yield TableNote("run-details", id="run-details-box")

    def on_mount(self) -> None:
        self.query_one("#timings", DataTable).add_columns(*TIMING_COLUMNS)
        self.query_one("#overall").display = False
        self.query_one(TableNote).display = False
        self._rows: dict[tuple[int, str], ProgressRow] = {}
        self._configs: dict[int, RunConfig] = {}
        self._failures: list[Text | None] = []  # per timing row: the full message of a failure
        self._run: _Run | None = None
        self._runs = 0
        self._stopping = False  # a cancel was asked for: progress no longer replaces the phase
        self._logged: tuple | None = None  # the (job, file) the segment log's last pass line belongs to
        self._turn: ProgressRow | None = None  # the measurement whose pass began last
        self._ticker = self.set_interval(1.0, self._show_overall, pause=True)

    def stopping(self, text: str) -> None:
        """A cancel was asked for: `text` stays until the run ends (a model that
        finishes loading meanwhile must not read as the run going on)."""
        self._stopping = True
        self.set_phase(text)

    def _step(self, text: str) -> None:
        """The run's progress, unless it is being stopped."""
        if not self._stopping:
            self.set_phase(text)

    def set_phase(self, text: str) -> None:
        self.query_one("#phase", Label).update(text)

    # --- one run ---------------------------------------------------------------------

    def begin(self) -> None:
        """A new run: the bars, segments and timing table start empty (earlier runs
        stay in Results)."""
        self.query_one("#progress-rows").remove_children()
        self.query_one("#segments", RichLog).clear()
        self.query_one("#timings", DataTable).clear()
        self._failures.clear()
        self._show_details(None)
        self._rows.clear()
        self._turn = None
        self._runs += 1
        self._stopping = False
        self._run = _Run(self._runs, self.clock(), set())
        self.query_one("#overall").display = True
        self._ticker.resume()
        self._show_overall()

    def expect(self, job_id: int, config: RunConfig, sources: list[tuple[Path, float | None]]) -> None:
        """A submitted job: a waiting bar for each of its files, so the whole run's
        size (and its time left) is known from the start."""
        self._configs[job_id] = config
        if self._run is not None:
            self._run.jobs.add(job_id)
        passes = len(pass_kinds(config))
        rows = []
        for path, seconds in sources:
            row = ProgressRow(f"{config.display_name} · {path.name}", seconds or 0.0, passes)
            self._rows[(job_id, str(path))] = row
            rows.append(row)
        self.query_one("#progress-rows").mount_all(rows)
        self._show_overall()

    def _show_overall(self) -> None:
        run = self._run
        if run is None:
            return
        rows = list(self._rows.values())
        total = sum(r.work for r in rows if not r.failed)
        done = sum(r.done for r in rows if not r.failed)
        elapsed = (run.finished_at or self.clock()) - run.started
        bar = self.query_one("#overall-bar", ProgressBar)
        bar.update(total=max(total, 1e-9), progress=done)
        failed = sum(r.failed for r in rows)
        failures = f" · {failed} failed" if failed else ""
        cancelled = sum(r.cancelled for r in rows)
        completed = sum(r.completed for r in rows)  # done, not started: interleaved, all start on a file at once
        if run.finished_at is not None and cancelled:
            text = f"Run {run.number}: cancelled after {duration(elapsed)}, {completed} of {len(rows)} measurements done{failures}"
        elif run.finished_at is not None:
            text = f"Run {run.number}: {len(rows)} measurement{'s' if len(rows) != 1 else ''} in {duration(elapsed)}{failures}"
        else:
            # the time left goes first, so a narrow screen cuts the words rather than the figure
            left = f"about {duration(elapsed * (total - done) / done)} left" if done > 0 else "estimating time left…"
            text = f"Run {run.number} · {left} · {completed} of {len(rows)} done{failures}"
        self.query_one("#overall-text", Label).update(text)

    def _job_over(self, job_id: int) -> None:
        run = self._run
        if run is None or job_id not in run.jobs:
            return
        run.jobs.discard(job_id)
        if not run.jobs:
            run.finished_at = self.clock()
            self._ticker.pause()
            self._show_overall()

    def _keep_in_view(self, row: ProgressRow) -> None:
        container = self.query_one("#progress-rows", VerticalScroll)
        self.call_after_refresh(container.scroll_to_widget, row, animate=False)

    def on_resize(self) -> None:
        """A smaller window keeps the running bar in view, not the first ones."""
        running = [row for row in self._rows.values() if row.started and not row.finished]
        if running:
            self._keep_in_view(running[-1])

    # --- timing table and details --------------------------------------------------------

    def _add_timing(self, cells: tuple[str, ...], failure: Text | None) -> None:
        table = self.query_one("#timings", DataTable)
        table.add_row(*cells)
        self._failures.append(failure)
        table.move_cursor(row=table.row_count - 1)

    def _show_details(self, message: Text | None) -> None:
        details = self.query_one(TableNote)
        details.display = message is not None
        details.show(message or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "timings" and 0 <= event.cursor_row < len(self._failures):
            self._show_details(self._failures[event.cursor_row])

    # --- runner events -------------------------------------------------------------------

    def handle(self, event: events.Event) -> None:
        log = self.query_one("#segments", RichLog)
        key = (event.job_id, str(getattr(event, "audio", "")))
        row = self._rows.get(key)
        match event:
            case events.JobStarted(config=config):
                self._configs[event.job_id] = config
                self._step(f"Running {config.display_name}")
            case events.ModelLoading(config=config):
                self._step(f"Loading {config.model} for {config.backend} on {config.device} ({config.dtype})…")
            case events.ModelLoaded(config=config, load_s=load_s, reused=reused):
                state = "resident (reused)" if reused else f"loaded in {load_s:.2f} s"
                self._step(f"{config.display_name}: model {state}")
            case events.RunStarted(config=config, audio=audio, audio_seconds=seconds, passes=passes):
                if row is None:  # a job the pane was not told about beforehand
                    row = self._rows[key] = ProgressRow(f"{config.display_name} · {audio.name}", seconds, passes)
                    self.query_one("#progress-rows").mount(row)
                row.begin(seconds)
                self._keep_in_view(row)
                log.write(f"[b]{escape(config.display_name)} · {escape(audio.name)}[/]")
                self._logged = key
                self._show_overall()
            case events.PassStarted(audio=audio, index=index, kind=kind, passes=passes):
                config = self._configs.get(event.job_id)
                if row is not None:
                    compiles = config is not None and backends.backend_class(config.backend).compiles
                    row.start_pass(index, kind, compiles=compiles)
                    if self._turn not in (None, row) and not self._turn.finished:
                        self._turn.wait_turn()
                    self._turn = row
                # interleaved passes take turns: each says whose it is where the last line was another's
                whose = "" if key == self._logged or config is None else f"{escape(config.display_name)} · {escape(audio.name)} · "
                self._logged = key
                log.write(f"[dim]{whose}pass {index}/{passes} ({kind})[/]")
            case events.Progress(done_seconds=done):
                if row is not None:
                    row.advance(done)
                    self._show_overall()
            case events.SegmentDecoded(segment=segment):
                log.write(f"[dim]{segment.start:7.2f} → {segment.end:7.2f}[/] {escape(segment.text.strip())}")
            case events.RunFinished(result=result):
                row = self._rows.get((event.job_id, result.audio))
                if row is not None:
                    row.finish(f"done: RTFx {result.rtfx:.1f}")
                self._add_timing(timing_row(result), None)
                self._show_overall()
            case events.RunFailed(config=config, audio=audio, message=message):
                reason = f"failed: {short_reason(message)}"
                failed = [row] if audio is not None else [r for (job, _), r in self._rows.items() if job == event.job_id and not r.finished]
                for each in failed:
                    if each is not None:
                        each.finish(reason, failed=True)
                self._add_timing(failed_row(config.display_name, audio, message), Text.assemble(
                    (f"{config.display_name} · {audio.name if audio else 'all files'}", "bold"), f" failed:\n{message}"))
                self._show_details(self._failures[-1])
                self._show_overall()
            case events.JobCancelled():
                for (job, _), each in self._rows.items():
                    if job == event.job_id and not each.finished:
                        each.finish("cancelled", cancelled=True)
                self._job_over(event.job_id)
            case events.JobFinished():
                self._job_over(event.job_id)
