"""The Run tab: what the runner is doing right now (loading, compiling, which pass),
a progress bar per file and configuration, segments as they decode, and a timing
table that fills in as runs finish."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, ProgressBar, RichLog

from asr_tui.core import backends, events
from asr_tui.core.results import RunResult

TIMING_COLUMNS = ("config", "file", "load s", "first s", "warm s", "RTFx", "WER", "peak MB")


def timing_row(result: RunResult) -> tuple[str, ...]:
    warm = result.warm_median_s
    peak = result.peak_gpu_mb if result.peak_gpu_mb is not None else result.peak_rss_mb
    return (
        result.config_name,
        result.audio.rsplit("/", 1)[-1],
        f"{result.load_s:.2f}",
        f"{result.first_run_s:.2f}",
        "-" if warm is None else f"{warm:.2f}",
        f"{result.rtfx:.1f}",
        "-" if result.wer is None else f"{result.wer:.3f}",
        "-" if peak is None else f"{peak:.0f}",
    )


class ProgressRow(Horizontal):
    """One (configuration, file) measurement: all its passes on one bar. Its widgets
    are built here, not found by query, because events can arrive before it mounts."""

    def __init__(self, title: str, audio_seconds: float, passes: int) -> None:
        super().__init__(classes="progress-row")
        self.audio_seconds, self.passes = audio_seconds, passes
        self.pass_index = 1
        self.title = Label(title, classes="progress-title")
        self.bar = ProgressBar(total=audio_seconds * passes, show_eta=True)
        self.state = Label("waiting", classes="progress-pass")
        self.finished = False

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.bar
        yield self.state

    def start_pass(self, index: int, kind: str, compiles: bool) -> None:
        self.pass_index = index
        what = "first run (compiling)" if kind == "first" and compiles else f"{kind} run"
        self.state.update(f"{what} {index}/{self.passes}")

    def advance(self, done_seconds: float) -> None:
        self.bar.update(progress=(self.pass_index - 1) * self.audio_seconds + done_seconds)

    def finish(self, text: str) -> None:
        self.finished = True
        if text != "cancelled":
            self.bar.update(progress=self.audio_seconds * self.passes)
        self.state.update(text)


class RunPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Idle: press r to run every configuration over the selected sources.", id="phase")
        yield VerticalScroll(id="progress-rows")
        yield RichLog(id="segments", wrap=True, markup=True, max_lines=2000)
        yield DataTable(id="timings", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#timings", DataTable).add_columns(*TIMING_COLUMNS)
        self._rows: dict[tuple[int, str], ProgressRow] = {}
        self._configs: dict[int, object] = {}

    def set_phase(self, text: str) -> None:
        self.query_one("#phase", Label).update(text)

    def clear(self) -> None:
        self.query_one("#progress-rows").remove_children()
        self.query_one("#segments", RichLog).clear()
        self._rows.clear()

    def handle(self, event: events.Event) -> None:
        log = self.query_one("#segments", RichLog)
        key = (event.job_id, str(getattr(event, "audio", "")))
        match event:
            case events.JobStarted(config=config):
                self._configs[event.job_id] = config
                self.set_phase(f"Running {config.display_name}")
            case events.ModelLoading(config=config):
                self.set_phase(f"Loading {config.model} for {config.backend} on {config.device} ({config.dtype})…")
            case events.ModelLoaded(config=config, load_s=load_s, reused=reused):
                state = "resident (reused)" if reused else f"loaded in {load_s:.2f} s"
                self.set_phase(f"{config.display_name}: model {state}")
            case events.RunStarted(config=config, audio=audio, audio_seconds=seconds, passes=passes):
                row = ProgressRow(f"{config.display_name} · {audio.name}", seconds, passes)
                self._rows[key] = row
                self.query_one("#progress-rows").mount(row)
            case events.PassStarted(index=index, kind=kind, audio=audio):
                config = self._configs.get(event.job_id)
                if key in self._rows:
                    compiles = config is not None and backends.backend_class(config.backend).compiles
                    self._rows[key].start_pass(index, kind, compiles=compiles)
                log.write(f"[b]{audio.name}[/] {kind} run {index}")
            case events.Progress(done_seconds=done):
                if key in self._rows:
                    self._rows[key].advance(done)
            case events.SegmentDecoded(segment=segment):
                log.write(f"[dim]{segment.start:7.2f} → {segment.end:7.2f}[/] {segment.text.strip()}")
            case events.RunFinished(result=result):
                row = self._rows.get((event.job_id, result.audio))
                if row is not None:
                    row.finish(f"done: RTFx {result.rtfx:.1f}")
                self.query_one("#timings", DataTable).add_row(*timing_row(result))
            case events.RunFailed(config=config, audio=audio, message=message):
                if key in self._rows:
                    self._rows[key].finish("failed")
                name = audio.name if audio else "-"
                self.query_one("#timings", DataTable).add_row(config.display_name, name, "error:", message[:60], "", "", "", "")
            case events.JobCancelled():
                for row in self._rows.values():
                    if not row.finished:
                        row.finish("cancelled")
