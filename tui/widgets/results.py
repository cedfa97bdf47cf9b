"""The Results tab: every run of the session in one sortable table, a bar chart of
RTFx per configuration and file, marks for comparing two runs, and exports."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from asr_tui.core import export
from asr_tui.core.results import RunResult
from asr_tui.tui.widgets.tables import row_item

SORT_KEYS = [
    ("config", lambda r: r.config_name),
    ("file", lambda r: Path(r.audio).name),
    ("RTFx", lambda r: -r.rtfx),
    ("WER", lambda r: float("inf") if r.wer is None else r.wer),
    ("warm s", lambda r: r.warm_median_s or r.first_run_s),
    ("peak MB", lambda r: r.peak_gpu_mb or r.peak_rss_mb or 0),
]


class ResultsPane(Vertical):
    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("s", "sort", "Sort"),
        Binding("e", "export_table", "Export"),
        Binding("t", "export_transcript", "Transcript"),
        Binding("h", "app.load_history", "History", show=False),
    ]

    def __init__(self, results: list[RunResult], **kwargs) -> None:
        super().__init__(**kwargs)
        self.results = results
        self.marked: list[RunResult] = []
        self.sort_index = -1

    def compose(self) -> ComposeResult:
        yield Label("No runs yet.", id="results-status")
        yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="rtfx-chart")

    def on_mount(self) -> None:
        self.query_one("#results-table", DataTable).add_columns("", "config", "file", "load s", "first s", "warm s", "RTFx", "WER", "peak MB")
        self.refresh_results()

    def ordered(self) -> list[RunResult]:
        if self.sort_index < 0:
            return list(self.results)
        return sorted(self.results, key=SORT_KEYS[self.sort_index][1])

    def refresh_results(self) -> None:
        from asr_tui.tui.widgets.run_view import timing_row

        table = self.query_one("#results-table", DataTable)
        table.clear()
        for result in self.ordered():
            mark = "*" if any(result is m for m in self.marked) else ""
            table.add_row(mark, *timing_row(result))
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

        self.app.push_screen(InputDialog("Export the transcript to (.txt, .srt or .vtt)", export.default_transcript_name(result)), write)
