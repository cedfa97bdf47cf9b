"""The asr-tui application: state (sources, configurations, results), the bridge from
the runner's worker thread, and the actions every tab shares.

Signals end a session without losing a measurement: SIGTERM (and a SIGINT sent with
`kill`; Ctrl-C in the app is a key) cancels within one chunk and exits non-zero, and
SIGHUP, a dropped SSH session, closes the screen but lets the runner finish every
queued run. Results reach the history from the runner's own thread, screen or not.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, TabbedContent, TabPane

from asr_tui.core import events, export, history, presets, terminal
from asr_tui.core.config import RunConfig, named_apart
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.presets import Preset
from asr_tui.core.results import RunResult
from asr_tui.core.runner import Runner
from asr_tui.core.samples import SAMPLE
from asr_tui.core.sweeps import Skipped
from asr_tui.tui.messages import RunnerEvent
from asr_tui.tui.widgets.configure import ConfigurePane
from asr_tui.tui.widgets.history import HistoryPane
from asr_tui.tui.widgets.results import FailedRun, ResultsPane
from asr_tui.tui.widgets.run_view import RunPane
from asr_tui.tui.widgets.sources import Source, SourcesPane
from asr_tui.tui.widgets.tables import short_reason


FOCUS_ON_TAB = {
    "sources": "#sources-pane",
    "configure": "#config-list",
    "run": "#timings",
    "results": "#results-table",
    "history": "#history-table",
}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class HistoryNotWritten(Message):
    """The runner's thread could not append a result to the history."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason



class AsrTuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "asr-tui"
    SUB_TITLE = "Whisper backends, same audio, same weights"
    # The tab titles show 1-5; the footer keeps room for the focused pane's own keys.
    BINDINGS = [
        Binding("1", "show_tab('sources')", "Sources", show=False),
        Binding("2", "show_tab('configure')", "Configure", show=False),
        Binding("3", "show_tab('run')", "Run tab", show=False),
        Binding("4", "show_tab('results')", "Results", show=False),
        Binding("5", "show_tab('history')", "History", show=False),
        Binding("r", "run", "Run"),
        Binding("escape", "cancel", "Cancel run"),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, preset: Preset, sources: list[Path], root: Path | None = None) -> None:
        super().__init__()
        self.preset = preset
        self.configs = list(preset.configs)
        self.sources = [Source.probe(p) for p in sources]
        self.results: list[RunResult] = []
        self.failures: list[FailedRun] = []
        self.root = root or Path.cwd()
        self.running: set[int] = set()
        self.runner: Runner | None = None
        # quick A/B: job id -> result (None until it finishes), shown side by side when both are in
        self.quick_ab_jobs: dict[int, RunResult | None] = {}
        self.quitting = False
        self.stopped_by: signal.Signals | None = None  # the signal that ended the session
        self._held_signal: signal.Signals | None = None  # one that came before the app could act
        self.closing = False  # set by exit(): runner events no longer reach the screen

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs", initial="sources"):
            with TabPane("1 Sources", id="sources"):
                yield SourcesPane(self.root, self.sources, id="sources-pane")
            with TabPane("2 Configure", id="configure"):
                yield ConfigurePane(self.configs, id="configure-pane")
            with TabPane("3 Run", id="run"):
                yield RunPane(id="run-pane")
            with TabPane("4 Results", id="results"):
                yield ResultsPane(self.results, self.failures, id="results-pane")
            with TabPane("5 History", id="history"):
                yield HistoryPane(id="history-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.runner = Runner(self._from_runner)
        self.query_one(ConfigurePane).reload(self.preset.name, self.preset.options)
        self.query_one(SourcesPane).focus()  # not the tab bar: the Sources keys work at once
        if hidden := presets.hides_bundled(self.preset):
            self.notify(hidden, severity="warning", timeout=8, markup=False)
        self._handle_signals(True)
        if self._held_signal is not None:
            self._on_signal(self._held_signal)

    def on_unmount(self) -> None:
        if self.runner is not None and self.stopped_by != signal.SIGHUP:
            self.runner.close()  # after a hang-up, launch() lets it finish the queue
        self._handle_signals(False)

    def exit(self, *args, **kwargs) -> None:
        """Stop showing runner events as the app closes: a progress row mounted into a
        pane being torn down crashes the exit (a run keeps going until the runner stops)."""
        self.closing = True
        super().exit(*args, **kwargs)

    def hold_signal(self, signum: int, frame) -> None:
        """The handler until the app is mounted: a signal during Textual's start-up is
        acted on at mount, not raised as a KeyboardInterrupt inside Textual."""
        self._held_signal = signal.Signals(signum)

    def _handle_signals(self, install: bool) -> None:
        """Textual leaves SIGHUP and SIGTERM at their defaults, which end the process
        mid-run with the screen in application mode; handle them on the event loop."""
        try:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, *STOP_SIGNALS):
                if install:
                    loop.add_signal_handler(signum, self._on_signal, signum)
                else:
                    loop.remove_signal_handler(signum)
        except (RuntimeError, ValueError):
            pass  # not the main thread (an app driven from a test's thread): no signals here

    def _on_signal(self, signum: signal.Signals) -> None:
        if signum == signal.SIGHUP:
            self._hang_up(signum)
        else:
            self._stop(signum)

    def _stop(self, signum: signal.Signals) -> None:
        self.stopped_by = signum
        if self.runner is not None:
            self.runner.cancel()
        self.exit(return_code=128 + signum)

    def _hang_up(self, signum: signal.Signals) -> None:
        self.stopped_by = signum
        # A second hang-up (the shell passes its own on) must not end the process while
        # the queue finishes; nor may Textual's SIGCONT handler reopen a screen.
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        if not terminal.attached():
            terminal.detach()  # the tty is gone: Textual's last writes go to /dev/null
        self.exit()

    def _from_runner(self, event: events.Event) -> None:
        """The runner's listener, on the runner's thread: a finished result is appended to
        the history here, so it is kept even when the screen is gone or busy."""
        if isinstance(event, events.RunFinished):
            try:
                history.append(event.result)
            except OSError as exc:
                problem = HistoryNotWritten(f"could not append to history: {exc.strerror or exc}")
                self._show(problem)
        self._show(RunnerEvent(event))

    def _show(self, message: Message) -> None:
        """Post from the runner's thread to the screen, while there is one."""
        if self.closing:
            return
        try:
            self.post_message(message)
        except RuntimeError:
            pass  # the app has exited and its loop is closed

    # --- actions ---------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        """Switch tab and focus its main widget, so the tab's own keys work at once."""
        self.query_one("#tabs", TabbedContent).active = tab
        self.query_one(FOCUS_ON_TAB[tab]).focus()

    def action_help(self) -> None:
        from asr_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_run(self) -> None:
        if self.running:
            self.notify("a run is in progress (escape cancels it)", severity="warning", markup=False)
            return
        usable = [s for s in self.sources if not s.error]
        if not usable:
            self.notify("no readable source selected: add a file on the Sources tab", severity="error", markup=False)
            return
        if (configs := self._configs_to_run(self.configs)) is None:
            return
        run_pane = self.query_one(RunPane)
        run_pane.begin()
        self.action_show_tab("run")
        references = {s.path: s.reference for s in usable if s.reference}
        interleave = self.query_one(ConfigurePane).options.interleave
        jobs = self.runner.submit_all(configs, [s.path for s in usable], references, interleave=interleave)
        for job, config in zip(jobs, configs):
            self.running.add(job)
            run_pane.expect(job, config, [(s.path, s.seconds) for s in usable])
        self.refresh_bindings()
        order = ", passes interleaved" if interleave and len(jobs) > 1 else ""
        if skipped := [s.path.name for s in self.sources if s.error]:
            self.notify(f"left out, unreadable: {', '.join(skipped)} (the Sources tab says why)", severity="warning", timeout=8, markup=False)
        run_pane.set_phase(f"Queued {len(self.configs)} configurations × {len(usable)} files{order}")

    def quick_ab(self, recording: Path) -> None:
        """Transcribe one recording with the first two configurations, then compare."""
        if self.running:
            self.notify("a run is in progress (escape cancels it)", severity="warning", markup=False)
            return
        if len(self.configs) < 2:
            self.notify("quick A/B needs two configurations (Configure: n adds one)", severity="warning", markup=False)
            return
        if (named := self._configs_to_run(self.configs)) is None:  # named as the Configure list names them
            return
        pair = named[:2]
        self.query_one(RunPane).begin()
        self.quick_ab_jobs = {}
        for config in pair:
            job = self.runner.submit(config, [recording])
            self.running.add(job)
            self.quick_ab_jobs[job] = None
            self.query_one(RunPane).expect(job, config, [(recording, None)])
        self.refresh_bindings()
        self.query_one(RunPane).set_phase(f"Quick A/B on {recording.name}: {pair[0].display_name} vs {pair[1].display_name}")

    def _configs_to_run(self, configs: list[RunConfig]) -> list[RunConfig] | None:
        """The configurations a run submits, each under a name of its own
        (`config.named_apart`), or None, having said why there is no run."""
        if self._refuse_invalid_configs():
            return None
        try:
            return named_apart(configs)
        except AsrTuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.action_show_tab("configure")
            return None

    def _refuse_invalid_configs(self) -> bool:
        """The app holds the last valid copy of a configuration whose form is invalid:
        a run or a save would use what the form no longer shows."""
        if self.query_one(ConfigurePane).refuse_invalid():
            self.action_show_tab("configure")
            return True
        return False

    def _quick_ab_finished(self, job_id: int, result: RunResult) -> None:
        from asr_tui.tui.screens.compare import CompareScreen

        if job_id not in self.quick_ab_jobs:
            return
        self.quick_ab_jobs[job_id] = result
        done = list(self.quick_ab_jobs.values())
        if all(done):
            self.quick_ab_jobs = {}
            self.push_screen(CompareScreen(*done))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """escape is in the footer, and acts, only while a run can be cancelled."""
        return bool(self.running) if action == "cancel" else True

    def action_cancel(self) -> None:
        if self.running:
            self.runner.cancel()
            self.query_one(RunPane).stopping("Cancelling (stops within one chunk)…")

    def action_quit(self) -> None:
        """Mid-run, ask; then cancel and exit once the worker has stopped (within one
        chunk), so the exit never waits on a worker with the screen already gone."""
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        if not self.running or self.quitting:
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes and self.running:
                self.quitting = True
                self.action_cancel()
                self.query_one(RunPane).stopping("Quitting: cancelling the run (stops within one chunk; q quits now)…")
            elif yes:
                self.exit()

        self.push_screen(ConfirmDialog("A run is in progress. Cancel it and quit?"), answer)

    def action_load_preset(self) -> None:
        from asr_tui.tui.screens.presets import PresetScreen

        def load(preset: Preset | None) -> None:
            if preset is None:
                return
            self.preset = preset
            self.configs[:] = preset.configs
            self.query_one(ConfigurePane).reload(preset.name, preset.options)
            for source in preset.sources:
                self.query_one(SourcesPane).add(Path(source))
            self.notify(f"loaded preset '{preset.name}'", markup=False)

        self.push_screen(PresetScreen(), load)

    def action_save_preset(self) -> None:
        from asr_tui.tui.screens.dialogs import ConfirmDialog
        from asr_tui.tui.screens.presets import SavePresetDialog

        if self._refuse_invalid_configs():
            return

        def save(answer: tuple[str, str] | None, confirmed: bool = False) -> None:
            if not answer:
                return
            name, description = answer
            loaded = self.preset
            try:
                target = presets.target_for(loaded, name)
                replaced = None if confirmed else presets.clash(target)
            except AsrTuiError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            except OSError as exc:  # a config dir that cannot be looked in
                self.notify(f"could not save preset: {exc.strerror or exc}", severity="error", markup=False)
                return
            if replaced:
                # no: back to the dialog as typed, for another name
                self.push_screen(ConfirmDialog(f"{replaced}. Save?"),
                                 lambda yes: save(answer, True) if yes else self.push_screen(SavePresetDialog(self.preset, answer), save))
                return
            # the sources the loaded preset names go with its configurations
            preset = Preset(name, list(self.configs), description, list(loaded.sources), options=self.query_one(ConfigurePane).options)
            try:
                self.preset = presets.save(preset, overwrite=confirmed, target=target)
            except AsrTuiError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            except OSError as exc:  # an unwritable or full config dir: the edits stay in the app
                where = exc.filename or presets.user_dir()
                self.notify(f"could not save preset to {where}: {exc.strerror or exc}", severity="error", timeout=8, markup=False)
                return
            self.query_one(ConfigurePane).reload(self.preset.name)
            self.notify(f"saved preset to {self.preset.path}", markup=False)

        self.push_screen(SavePresetDialog(self.preset), save)

    def _write_asking_first(self, path: Path, check, write) -> None:
        """Run `write` now, or after a yes when `path` already holds a file; what
        `check` refuses (a folder, a format not written) is said at once, not asked about."""
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        try:
            check(path)
        except AsrTuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return

        def go(confirmed: bool | None = True) -> None:
            if not confirmed:
                return
            try:
                done = write()
            except AsrTuiError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(done, markup=False)

        if Path(path).expanduser().exists():
            self.push_screen(ConfirmDialog(f"{path} exists. Overwrite it?"), go)
        else:
            go()

    def export_table(self, path: Path, results: list[RunResult] | None = None) -> None:
        """Write this session's results and the runs that failed in it, as the CLI's
        --json does, or the results given (e.g. the History tab's)."""
        failed = [Skipped.failed_run(f.config_name, f.audio, f.message) for f in self.failures] if results is None else []
        results = self.results if results is None else results
        self._write_asking_first(path, export.check_table_path, lambda: export.write_export(results, path, failed))

    def export_transcript(self, result: RunResult, path: Path) -> None:
        self._write_asking_first(path, export.check_transcript_path,
                                 lambda: f"wrote transcript to {export.write_transcript(result, path).absolute()}")

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Run benchmark", "Run every configuration over the selected sources", self.action_run)
        yield SystemCommand("Cancel run", "Stop the run in progress within one chunk", self.action_cancel)
        yield SystemCommand("Load preset", "Replace the configurations with a preset's", self.action_load_preset)
        yield SystemCommand("Save preset", "Save the configurations as a preset", self.action_save_preset)
        yield SystemCommand("Show results", "All runs of this session", lambda: self.action_show_tab("results"))
        yield SystemCommand("Export results", "Write this session's results table (.json, .csv, .md)", lambda: self.query_one(ResultsPane).action_export_table())
        yield SystemCommand("Export transcript", "The highlighted run's transcript on the Results tab (.txt, .srt, .vtt)", lambda: self.query_one(ResultsPane).action_export_transcript())
        yield SystemCommand("Compare marked runs", "The two runs marked on the Results tab, side by side", lambda: self.query_one(ResultsPane).action_compare())
        yield SystemCommand("Add a file or folder", "Type a path on the Sources tab (~ and completion)", self._open_path)
        yield SystemCommand("Microphone", "Record, then add recordings or run a quick A/B", self._show_microphone)
        yield SystemCommand("History", "Results of earlier sessions and other machines", lambda: self.action_show_tab("history"))
        yield SystemCommand("Keys", "Every key binding", self.action_help)

    def _open_path(self) -> None:
        self.action_show_tab("sources")
        self.query_one("#source-tabs", TabbedContent).active = "files-tab"
        self.query_one("#files-pane").action_open_path()

    def _show_microphone(self) -> None:
        self.action_show_tab("sources")
        self.query_one("#source-tabs", TabbedContent).active = "mic-tab"

    # --- runner events ------------------------------------------------------------------

    def on_history_not_written(self, message: HistoryNotWritten) -> None:
        self.notify(message.reason, severity="warning", timeout=8, markup=False)

    def on_runner_event(self, message: RunnerEvent) -> None:
        if self.closing:
            return
        event = message.event
        self.query_one(RunPane).handle(event)
        match event:
            case events.RunFinished(result=result):
                self.results.append(result)
                self._quick_ab_finished(event.job_id, result)
                if result.wer_error:
                    self.notify(result.wer_error, severity="warning", timeout=8, markup=False)
                self.query_one(ResultsPane).refresh_results()
            case events.RunFailed(config=config, audio=audio, message=text):
                self.failures.append(FailedRun(config.display_name, audio, text, datetime.now()))
                self.query_one(ResultsPane).refresh_results()
                self.notify(f"{config.display_name} failed: {short_reason(text)} (details on the Run tab)", severity="error", markup=False)
            case events.RunWarning(message=text):
                self.notify(text, severity="warning", timeout=8, markup=False)
            case events.JobFinished() | events.JobCancelled():
                self.running.discard(event.job_id)
                self.refresh_bindings()
                if not self.running and self.quitting:
                    self.exit()
                elif not self.running:
                    cancelled = isinstance(event, events.JobCancelled)
                    self.query_one(RunPane).set_phase(
                        "Cancelled; the model used last stays loaded. Press r to run again." if cancelled
                        else f"Done: {len(self.results)} results this session (4 shows them all)."
                    )


def finish_without_terminal(app: AsrTuiApp) -> int:
    """After a hang-up: the runner finishes the run in progress and the queued ones,
    its thread appending each result to the history; SIGTERM (or SIGINT) still cancels."""
    pending = sorted(app.running)
    if terminal.attached():  # `kill -HUP` with the terminal still there: say what happens
        print(f"asr-tui: hung up; finishing the queued runs without a screen as {terminal.HUNG_UP_NAME} "
              f"(pid {os.getpid()}), results go to {history.history_file()}", file=sys.stderr)
    terminal.detach_hung_up()  # the terminal may go at any moment: nothing may write to it
    stopped = []

    def stop(signum, frame) -> None:
        stopped.append(signum)
        app.runner.cancel()

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    for job in pending:
        while not app.runner.wait(job, timeout=1):
            pass
    app.runner.close()
    return 128 + stopped[0] if stopped else 0


def launch(preset: str | None = None, audio: list[str] | None = None) -> int:
    """Run the app; after a hang-up finish the queue headless, otherwise leave at once
    (`exit_without_teardown`)."""
    chosen = presets.find(presets.DEFAULT_PRESET if preset is None else preset)
    sources = [Path(a) for a in audio or []] or [Path(s).expanduser() for s in chosen.sources] or [SAMPLE]
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        # Textual reads keys from stdin and draws on stderr (stdout may go to a file):
        # without a terminal there it would wait, out of sight, for keys that never come
        raise AsrTuiError("the TUI needs a terminal on stdin and stderr; "
                          "'asr-tui run' measures without one (asr-tui run --help)")
    app = AsrTuiApp(chosen, sources)
    for signum in (signal.SIGHUP, *STOP_SIGNALS):
        signal.signal(signum, app.hold_signal)
    app.run()
    if app.stopped_by == signal.SIGHUP:
        return finish_without_terminal(app)
    if app.stopped_by is not None:
        print("asr-tui: cancelled", file=sys.stderr)
    # Non-zero after a crash (Textual has printed the traceback and restored the terminal)
    # or a stop signal.
    exit_without_teardown(app.return_code or 0)


def exit_without_teardown(code: int) -> NoReturn:
    """Leave as soon as the screen is gone: with torch and JAX loaded, the
    interpreter's teardown takes seconds with the terminal already handed back. The
    worker has stopped and every result is on disk (history appends are fsynced)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
