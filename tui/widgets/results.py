"""The Results tab: every run of the session in one sortable table, a bar chart of
RTFx per configuration and file, marks for comparing two runs, and exports.

Rows whose timing deserves less trust are marked (`!` other processes were busy, `~`
warm passes spread over 10%) and the line under the table says why for the
highlighted row. A configuration that ran over several files gets a corpus row at
the end."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from asr_tui.core import corpus
from asr_tui.core.metrics import UNSTABLE_CV
from asr_tui.core.results import RunResult
from asr_tui.tui.widgets.tables import row_item

COLUMNS = ("", "config", "file", "load s", "first s", "warm s", "CV %", "RTFx", "WER", "peak RSS MB", "GPU MB")

SORT_KEYS = [
    ("config", lambda r: r.config_name),
    ("file", lambda r: Path(r.audio).name),
    ("RTFx", lambda r: -r.rtfx),
    ("WER", lambda r: float("inf") if r.wer is None else r.wer),
    ("warm s", lambda r: r.warm_median_s or r.first_run_s),
    ("peak MB", lambda r: r.peak_gpu_mb or r.peak_rss_mb or 0),
]


def _number(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def result_row(result: RunResult, marked: bool) -> tuple[str, ...]:
    marks = ("*" if marked else "") + ("!" if result.contended else "") + ("~" if result.unstable else "")
    return (
        marks, result.config_name, result.audio.rsplit("/", 1)[-1], f"{result.load_s:.2f}",
        f"{result.first_run_s:.2f}", _number(result.warm_median_s, ".2f"),
        _number(None if result.cv is None else 100 * result.cv, ".1f"), f"{result.rtfx:.1f}",
        _number(result.wer, ".3f"), _number(result.peak_rss_mb, ".0f"), _number(result.peak_gpu_mb, ".0f"),
    )


def corpus_row(summary: corpus.CorpusSummary) -> tuple[str, ...]:
    return (
        "Σ", summary.config_name, f"corpus: {summary.files} files", "", "", f"{summary.compute_seconds:.2f}", "",
        f"{summary.rtfx:.1f}", _number(summary.wer, ".3f"), "", "",
    )


def details(result: RunResult) -> str:
    """What the highlighted row's marks mean, and its spread."""
    parts = []
    if result.warm_runs_s and len(result.warm_runs_s) > 1:
        parts.append(f"warm {result.warm_min_s:.2f}-{result.warm_max_s:.2f} s over {len(result.warm_runs_s)} passes")
    if result.unstable:
        parts.append(f"~ unstable: CV {100 * result.cv:.0f}% is over {100 * UNSTABLE_CV:.0f}%")
    if result.contended:
        parts.append(f"! {result.contention.get('reason')}")
    return "; ".join(parts)


class ResultsPane(Vertical):
    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("s", "sort", "Sort"),
        Binding("e", "export_table", "Export"),
        Binding("t", "export_transcript", "Transcript"),
    ]

    def __init__(self, results: list[RunResult], **kwargs) -> None:
        super().__init__(**kwargs)
        self.results = results
        self.marked: list[RunResult] = []
        self.sort_index = -1

    def compose(self) -> ComposeResult:
        yield Label("No runs yet.", id="results-status")
        yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="results-detail")
        yield PlotextPlot(id="rtfx-chart")

    def on_mount(self) -> None:
        self.query_one("#results-table", DataTable).add_columns(*COLUMNS)
        self.refresh_results()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        result = self.highlighted()
        self.query_one("#results-detail", Label).update(details(result) if result else "")

    def ordered(self) -> list[RunResult]:
        if self.sort_index < 0:
            return list(self.results)
        return sorted(self.results, key=SORT_KEYS[self.sort_index][1])

    def refresh_results(self) -> None:
        table = self.query_one("#results-table", DataTable)
        table.clear()
        for result in self.ordered():
            table.add_row(*result_row(result, any(result is m for m in self.marked)))
        # after the runs, so a row number still picks a run (`highlighted`)
        for summary in corpus.summarize(self.results):
            if summary.files > 1:
                table.add_row(*corpus_row(summary))
        sort = f", sorted by {SORT_KEYS[self.sort_index][0]}" if self.sort_index >= 0 else ""
        self.query_one("#results-status", Label).update(
            f"{len(self.results)} runs{sort}; marked {len(self.marked)}/2 (space), c compares" if self.results else "No runs yet."
        )
        self._draw_chart()

    def _draw_chart(self) -> None:
        plot = self.query_one(PlotextPlot).plt
        plot.clear_data()
        plot.clear_figure()
        if self.results:
            names = [f"{i}" for i in range(1, len(self.results) + 1)]
            plot.bar(names, [r.rtfx for r in self.results])
            plot.title("RTFx per run (numbers follow the table's run order)")
        self.query_one(PlotextPlot).refresh()

    def highlighted(self) -> RunResult | None:
        return row_item(self.query_one("#results-table", DataTable), self.ordered())

    def action_mark(self) -> None:
        result = self.highlighted()
        if result is None:
            return
        if any(result is m for m in self.marked):
            self.marked = [m for m in self.marked if m is not result]
        else:
            self.marked = (self.marked + [result])[-2:]
        row = self.query_one("#results-table", DataTable).cursor_row
        self.refresh_results()
        self.query_one("#results-table", DataTable).move_cursor(row=row)

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORT_KEYS)
        self.refresh_results()

    def action_compare(self) -> None:
        from asr_tui.tui.screens.compare import CompareScreen

        if len(self.marked) != 2:
            self.notify("mark two runs with space first", severity="warning")
            return
        self.app.push_screen(CompareScreen(*self.marked))

    def action_export_table(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        if not self.results:
            self.notify("nothing to export yet", severity="warning")
            return

        def write(value: str | None) -> None:
            if value:
                self.app.export_table(Path(value))

        self.app.push_screen(InputDialog("Export the results table to (.json, .csv or .md)", "asr-tui-results.json"), write)

    def action_export_transcript(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        result = self.highlighted()
        if result is None:
            self.notify("no run highlighted", severity="warning")
            return

        def write(value: str | None) -> None:
            if value:
                self.app.export_transcript(result, Path(value))

        default = f"{Path(result.audio).stem}.{result.backend}.srt"
        self.app.push_screen(InputDialog("Export the transcript to (.txt, .srt or .vtt)", default), write)
