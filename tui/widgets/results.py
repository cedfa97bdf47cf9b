"""The Results tab: every run of the session in one sortable table (failed
measurements included, at the bottom), a bar chart of RTFx in the table's order,
marks for comparing two runs, and exports.

Rows whose timing deserves less trust are marked (`!` other processes were busy, `~`
warm passes spread 10% or more, `^` an outlier pass or a first pass not yet warm, `+` a
warm pass that compiled, from `core.stability`), and so are rows whose transcript is
not whole (`-` a run of ten or more reference words lost, `=` a phrase repeated back
to back or a run of ten words the reference lacks, from `core.wholeness`; the "lost" column is the longest run lost; `?`
a window decoded by sampling, from `core.sampling`); the line
under the table says why for the highlighted row, with the normaliser its WER was counted after (raw WER,
beside it, counts the words as written), its stage seconds and energy. Above the
table, the settings the runs' configurations differ in beyond those compared
(`core.parity`). The stages column is a stacked bar of where the counted passes' time
went (`core.stages`). When the results hold a clip-length or batch-size sweep, their
curves are drawn under the RTFx chart (`core.curves`). A configuration that ran over several files gets a corpus row at
the end. When configurations differ one factor at a time (the decomposed-study
presets), the speedup is split into strategy, dtype and framework under the table
(`core.decomposition`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from rich.text import Text

from asr_tui.core import corpus, curves, decomposition, export, parity, references, stages
from asr_tui.core.results import RunResult
from asr_tui.tui.widgets.tables import LiteralTable, TableNote, compare_marked, marks_cell, number, row_item, short_reason, toggle_mark


@dataclass(frozen=True)
class FailedRun:
    """A measurement that produced no result: kept in the session's table so a failure
    is not lost once its toast is gone."""

    config_name: str
    audio: Path | None  # None: the whole configuration failed (e.g. its model did not load)
    message: str
    at: datetime


def local_time(iso: str) -> str:
    """A result's finish time (stored in UTC) as the local clock showed it."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return "-"


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[RunResult], str]
    # Sorting puts the best first (fastest, fewest errors, least memory); S reverses.
    sort_key: Callable[[RunResult], object] | None = None
    order: tuple[str, str] = ("best first", "worst first")  # what the sort puts first, in words; then reversed (S)


def _missing_last(value: float | None) -> float:
    return float("inf") if value is None else value


STAGE_COLOURS = {
    "log_mel": "magenta", "encoder": "blue", "decoder": "green", "compile": "red", "post": "yellow", "other": "bright_black",
}
STAGE_BAR_WIDTH = 16


def stage_bar(result: RunResult) -> Text | str:
    """The counted passes' median stages as one bar of `STAGE_BAR_WIDTH` cells, each
    stage's share in its colour (largest remainders get the cells left by rounding)."""
    timed = result.stages_s
    if not timed:
        return "n/a"
    total = sum(timed.values()) or 1.0
    exact = {name: STAGE_BAR_WIDTH * seconds / total for name, seconds in timed.items()}
    cells = {name: int(share) for name, share in exact.items()}
    for name in sorted(exact, key=lambda n: exact[n] - cells[n], reverse=True)[: STAGE_BAR_WIDTH - sum(cells.values())]:
        cells[name] += 1
    bar = Text()
    for name, count in cells.items():
        bar.append("█" * count, style=STAGE_COLOURS[name])
    return bar


def stage_legend() -> Text:
    legend = Text("stages: ")
    for name, colour in STAGE_COLOURS.items():
        legend.append("█", style=colour).append(f" {name}  ")
    return legend


COLUMNS = [
    Column("time", lambda r: local_time(r.finished_at), lambda r: r.finished_at, ("oldest first", "newest first")),
    Column("config", lambda r: r.config_name, lambda r: r.config_name, ("A to Z", "Z to A")),
    Column("file", lambda r: Path(r.audio).name, lambda r: Path(r.audio).name, ("A to Z", "Z to A")),
    # a clip of a file shares its name, and a short clip's RTFx pays for a whole window
    Column("audio s", lambda r: number(r.audio_seconds, ".1f"), lambda r: r.audio_seconds, ("shortest first", "longest first")),
    Column("RTFx", lambda r: number(r.rtfx, ".1f"), lambda r: -r.rtfx),
    Column("WER", lambda r: number(r.wer, ".3f"), lambda r: _missing_last(r.wer)),
    Column("raw WER", lambda r: number(r.raw_wer, ".3f"), lambda r: _missing_last(r.raw_wer)),
    Column("lost", lambda r: number(r.lost_words, "d"), lambda r: _missing_last(r.lost_words)),
    Column("warm s", lambda r: number(r.warm_median_s, ".2f"), lambda r: _missing_last(r.warm_median_s)),
    Column("stages", stage_bar),
    Column("CV %", lambda r: number(None if r.cv is None else 100 * r.cv, ".1f"), lambda r: _missing_last(r.cv)),
    Column("first s", lambda r: number(r.first_run_s, ".2f"), lambda r: r.first_run_s),
    Column("compile s", lambda r: number(r.compile_s, ".2f"), lambda r: _missing_last(r.compile_s)),
    # a model kept resident from an earlier run was not loaded again: its load time is that run's
    Column("load s", lambda r: "reused" if r.model_reused else number(r.load_s, ".2f"), lambda r: 0 if r.model_reused else r.load_s),
    Column("peak RSS MB", lambda r: number(r.peak_rss_mb, ".0f"), lambda r: _missing_last(r.peak_rss_mb)),
    Column("GPU MB", lambda r: number(r.peak_gpu_mb, ".0f"), lambda r: _missing_last(r.peak_gpu_mb)),
    # last: a failure's reason is long; highlighting its row shows the whole message above
    Column("status", lambda r: "ok"),
]
# marks, run number, then COLUMNS; the first four stay put when the table scrolls sideways
FIXED_COLUMNS = 4


def failed_cells(failure: FailedRun) -> list[str]:
    known = {
        "time": failure.at.strftime("%H:%M:%S"),
        "config": failure.config_name,
        "file": failure.audio.name if failure.audio else "all files",
        "status": f"failed: {short_reason(failure.message)}",
    }
    return [known.get(column.header, "-") for column in COLUMNS]


def corpus_cells(summary: corpus.CorpusSummary, rows: list[int]) -> list[str]:
    """A configuration's corpus row, saying which of the table's rows it sums: a file
    measured again counts at its latest run, so the row can mix runs."""
    known = {
        "config": summary.config_name,
        # which rows it sums, where it is seen: a rerun counts at its latest, so it can mix runs
        "file": f"{summary.files} files: {row_ranges(rows)}",
        "audio s": number(summary.audio_seconds, ".1f"),
        "RTFx": number(summary.rtfx, ".1f"),
        "WER": number(summary.wer, ".3f"),
        "warm s": number(summary.compute_seconds, ".2f"),
    }
    return [known.get(column.header, "") for column in COLUMNS]


def row_ranges(rows: list[int]) -> str:
    """Row numbers as ranges: [1, 2, 3, 7] is '#1-3, 7'."""
    spans: list[list[int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return "#" + ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)


def details(result: RunResult) -> str:
    """What the highlighted row's marks mean, its spread, and its WER's normaliser."""
    parts = []
    if result.warm_runs_s and len(result.warm_runs_s) > 1:
        parts.append(f"warm {result.warm_min_s:.2f}-{result.warm_max_s:.2f} s over {len(result.warm_runs_s)} passes")
    parts += [str(note) for note in result.notes]
    if hint := references.unlikely_match(result.wer, result.reference):
        parts.append(hint)
    if result.wer is not None and result.normaliser:
        parts.append(f"WER after {result.normaliser}")
    if result.passes:
        timed = result.stages_s
        parts.append("stages " + (", ".join(f"{name} {seconds:.2f} s" for name, seconds in timed.items()) if timed else stages.NOT_AVAILABLE))
    if result.energy:
        parts.append("energy " + ", ".join(
            f"{counter.upper()} {result.energy[f'{counter}_j']} J, {result.energy[f'{counter}_j_per_audio_hour']} J/audio h"
            if result.energy[f"{counter}_j"] != stages.NOT_AVAILABLE else f"{counter.upper()} {result.energy['sources'][counter]}"
            for counter in ("cpu", "gpu")
        ))
    return "; ".join(parts)


class ResultsPane(VerticalScroll):
    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("e", "export_table", "Export"),
        Binding("t", "export_transcript", "Transcript", show=False),
        # the tab's charts lie below its tables, which keep the arrows and page keys
        Binding("ctrl+down", "scroll_tab(1)", "Charts", show=False),
        Binding("ctrl+up", "scroll_tab(-1)", "Back up", show=False),
    ]

    def __init__(self, results: list[RunResult], failures: list[FailedRun] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.results = results
        self.failures = failures if failures is not None else []
        self.marked: list[RunResult] = []
        self.sort_column: Column | None = None  # None: run order
        self.reverse = False

    def compose(self) -> ComposeResult:
        yield Label("No runs yet.", id="results-status")
        # a comparison across backends can differ in many settings: three lines, then it
        # scrolls, so that the table keeps its rows on a small terminal
        yield TableNote("results-parity", id="results-parity-box")
        yield LiteralTable(id="results-table", cursor_type="row", zebra_stripes=True, fixed_columns=FIXED_COLUMNS)
        yield TableNote("results-detail", id="results-detail-box")
        yield Label(stage_legend(), id="stage-legend")
        yield Label("", id="decomposition-summary")
        yield LiteralTable(id="decomposition-table", cursor_type="none", zebra_stripes=True)
        yield PlotextPlot(id="rtfx-chart")
        yield PlotextPlot(id="length-chart", classes="curve-chart")
        yield PlotextPlot(id="batch-chart", classes="curve-chart")

    def on_mount(self) -> None:
        self.query_one("#results-table", DataTable).add_columns("", "#", *(c.header for c in COLUMNS))
        self.query_one("#decomposition-table", DataTable).add_columns(*decomposition.TABLE_HEADER)
        self.refresh_results()

    def action_scroll_tab(self, pages: int) -> None:
        """A page of the tab down (1) or up (-1), wherever the focus is in it."""
        (self.scroll_page_down if pages > 0 else self.scroll_page_up)(animate=False)

    def run_numbers(self) -> dict[int, int]:
        """Each run's number in the session (by object id): stable whatever the table's order."""
        return {id(r): i for i, r in enumerate(self.results, start=1)}

    def ordered(self) -> list[RunResult]:
        if self.sort_column is None:
            rows = list(self.results)
        else:
            rows = sorted(self.results, key=self.sort_column.sort_key)
        return rows[::-1] if self.reverse else rows

    def rows(self) -> list[RunResult | FailedRun]:
        """The table's rows in order: results as sorted, then failures as they came."""
        return [*self.ordered(), *self.failures]

    def refresh_results(self) -> None:
        table = self.query_one("#results-table", DataTable)
        row = table.cursor_row
        table.clear()
        numbers = self.run_numbers()
        for item in self.rows():
            if isinstance(item, FailedRun):
                table.add_row("", "", *failed_cells(item))
                continue
            mark = marks_cell(item, any(item is m for m in self.marked))
            table.add_row(mark, str(numbers[id(item)]), *(c.cell(item) for c in COLUMNS))
        # after every item, so a row number still picks a run or failure (`row_item`)
        for files in corpus.by_configuration(self.results):
            if len(files) > 1:
                table.add_row("Σ", "", *corpus_cells(corpus.summary(files), [numbers[id(r)] for r in files]))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_status()
        unlike = parity.line(self.results)
        box = self.query_one("#results-parity-box", TableNote)
        box.show(Text(unlike, style="bold") if unlike else "")
        box.display = unlike is not None
        self._show_decomposition()
        self._draw_chart()
        self._draw_curves()
        self.query_one("#stage-legend").display = any(r.stages_s for r in self.results)

    def _show_decomposition(self) -> None:
        """The speedup split by factor, shown only when some configurations differ in one."""
        found = decomposition.decompose(self.results)
        table = self.query_one("#decomposition-table", DataTable)
        table.clear()
        for row in decomposition.table_rows(found):
            table.add_row(*row)
        summary = found.summary()
        label = self.query_one("#decomposition-summary", Label)
        label.update(f"[b]speedup decomposed[/] {escape(summary or '') or '(no chain of one-factor steps from pytorch sequential float32)'}")
        table.display = label.display = bool(found.steps)

    def _show_status(self, failure: FailedRun | None = None) -> None:
        status = self.query_one("#results-status", Label)
        if failure is not None:
            status.update(f"[b red]{escape(failure.config_name)} failed:[/] {escape(failure.message)}")
            return
        if not self.results and not self.failures:
            status.update("No runs yet.")
            return
        if self.sort_column is None:
            order = "run order, last first" if self.reverse else "run order"
        else:
            order = f"{self.sort_column.header}, {self.sort_column.order[self.reverse]}"
        failed = f", {len(self.failures)} failed" if self.failures else ""
        summed = {frozenset(r.audio for r in files) for files in corpus.by_configuration(self.results) if len(files) > 1}
        apart = "; the Σ rows sum different files (see each one's file column)" if len(summed) > 1 else ""
        runs = f"{len(self.results)} run{'s' if len(self.results) != 1 else ''}"
        status.update(f"{runs}{failed}; sorted by {order} (s, S); marked {len(self.marked)}/2 (space), "
                      f"c compares{apart}")

    def chart_bars(self) -> tuple[list[str], list[float]]:
        """The chart's bars: run numbers and RTFx, in the table's order."""
        ordered, numbers = self.ordered(), self.run_numbers()
        return [f"#{numbers[id(r)]}" for r in ordered], [r.rtfx for r in ordered]

    def _draw_chart(self) -> None:
        plot = self.query_one(PlotextPlot).plt
        plot.clear_data()
        plot.clear_figure()
        labels, values = self.chart_bars()
        if labels:
            plot.bar(labels, values, width=0.6)
            plot.title("RTFx by run # in the table's order (higher is faster)")
        self.query_one(PlotextPlot).refresh()

    def _draw_curves(self) -> None:
        """RTFx by clip length, and RTFx with peak memory (right axis) by batch size,
        each shown only when the results hold such a sweep."""
        numbers = self.run_numbers()
        for kind, chart_id in ((curves.LENGTH, "#length-chart"), (curves.BATCH, "#batch-chart")):
            widget = self.query_one(chart_id, PlotextPlot)
            series = curves.curves(self.results, kind)
            widget.display = bool(series)
            plot = widget.plt
            plot.clear_data()
            plot.clear_figure()
            for curve in series:
                xs = [p.x for p in curve.points]
                drawn = row_ranges([numbers[id(r)] for r in curve.results])  # another label's run can be a point
                plot.plot(xs, [p.rtfx for p in curve.points], label=f"{curve.name} RTFx ({drawn})", marker="dot")
                for p in curve.points:  # slowest to fastest warm pass: what a step must exceed to be a trend
                    plot.plot([p.x, p.x], list(p.rtfx_range), marker="│", color="gray")
                if kind == curves.BATCH:
                    memory = [p.peak_mb or 0.0 for p in curve.points]
                    gpu = curve.results[0].device == "cuda"
                    # one process's RSS peak only grows: a later point holds the earlier ones'
                    plot.plot(xs, memory, label=f"{curve.name} {'GPU MB' if gpu else 'RSS MB, peak so far'}", marker="x",
                              yside="right")
            if series:
                # from zero: a zoomed axis makes noise look like a trend; a fifth more at
                # the top, where the legend sits, so it hides no point
                top = max(max(p.rtfx_range[1] for p in c.points) for c in series)
                plot.ylim(0, top * 1.2)
                plot.title(curves.TITLES[kind])
                plot.xticks(sorted({p.x for c in series for p in c.points}))
            widget.refresh()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "results-table":
            return
        item = row_item(event.data_table, self.rows())
        self._show_status(item if isinstance(item, FailedRun) else None)
        self.query_one("#results-detail-box", TableNote).show(details(item) if isinstance(item, RunResult) else "")

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's header sorts by it; a second click reverses."""
        index = event.column_index - 2
        column = COLUMNS[index] if 0 <= index < len(COLUMNS) else None
        if column is None or column.sort_key is None:
            if event.column_index == 1:  # "#": back to run order
                self.sort_column, self.reverse = None, False
                self.refresh_results()
            return
        if column is self.sort_column:
            self.reverse = not self.reverse
        else:
            self.sort_column, self.reverse = column, False
        self.refresh_results()

    def highlighted(self) -> RunResult | None:
        item = row_item(self.query_one("#results-table", DataTable), self.rows())
        return item if isinstance(item, RunResult) else None

    def action_mark(self) -> None:
        result = self.highlighted()
        if result is None:
            return
        self.marked = toggle_mark(self.marked, result)
        self.refresh_results()

    def action_sort(self) -> None:
        """The next sortable column, best first; after the last, back to run order."""
        sortable = [c for c in COLUMNS if c.sort_key is not None]
        at = sortable.index(self.sort_column) + 1 if self.sort_column is not None else 0
        self.sort_column = sortable[at] if at < len(sortable) else None
        self.reverse = False
        self.refresh_results()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.refresh_results()

    def action_compare(self) -> None:
        compare_marked(self, self.marked)

    def action_export_table(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        if not self.results:
            self.notify("nothing to export yet", severity="warning", markup=False)
            return

        def write(value: str | None) -> None:
            if value:
                self.app.export_table(Path(value))

        self.app.push_screen(InputDialog("Export the results table to (.json, .csv or .md)", "asr-tui-results.json"), write)

    def action_export_transcript(self) -> None:
        from asr_tui.tui.screens.dialogs import InputDialog

        result = self.highlighted()
        if result is None:
            self.notify("highlight a run to export its transcript (a failure or a Σ row has none)", severity="warning", markup=False)
            return

        def write(value: str | None) -> None:
            if value:
                self.app.export_transcript(result, Path(value))

        self.app.push_screen(InputDialog("Export the transcript to (.txt, .srt or .vtt)", export.default_transcript_name(result)), write)
