"""Two runs side by side: speed, memory and WER ratios, and both transcripts against
the reference with the differing words highlighted."""

from __future__ import annotations

import difflib
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from asr_tui.core.metrics import normalizer
from asr_tui.core.results import RunResult


def highlighted_diff(reference: str, hypothesis: str, language: str | None) -> Text:
    """The hypothesis with words that differ from the reference in red (after
    Whisper's normaliser, as WER counts them) and missing words struck through."""
    normalize = normalizer(language)
    ref, hyp = normalize(reference).split(), normalize(hypothesis).split()
    text = Text()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ref, hyp, autojunk=False).get_opcodes():
        if op == "equal":
            text.append(" ".join(hyp[j1:j2]) + " ")
        if op in ("replace", "insert"):
            text.append(" ".join(hyp[j1:j2]) + " ", style="bold red")
        if op in ("replace", "delete"):
            text.append(" ".join(ref[i1:i2]) + " ", style="strike dim")
    return text


def ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


class CompareScreen(ModalScreen[None]):
    BINDINGS = [("escape,q", "dismiss", "Close")]

    def __init__(self, first: RunResult, second: RunResult) -> None:
        super().__init__()
        self.first, self.second = first, second

    def compose(self) -> ComposeResult:
        a, b = self.first, self.second
        with Vertical(classes="dialog wide"):
            yield Label(f"A: {a.config_name} · {Path(a.audio).name}\nB: {b.config_name} · {Path(b.audio).name}")
            yield DataTable(id="ratios")
            with Horizontal(id="transcripts"):
                for name, result in (("A", a), ("B", b)):
                    with VerticalScroll():
                        yield Label(f"{name}: WER {'-' if result.wer is None else f'{result.wer:.3f}'}", classes="title")
                        yield Static(self._transcript(result), classes="transcript")

    def _transcript(self, result: RunResult):
        if result.reference and Path(result.reference).is_file():
            return highlighted_diff(Path(result.reference).read_text(encoding="utf-8"), result.text, result.language)
        return result.text

    def on_mount(self) -> None:
        a, b = self.first, self.second
        table = self.query_one("#ratios", DataTable)
        table.add_columns("measure", "A", "B", "A / B")
        rows = [
            ("warm s", a.warm_median_s or a.first_run_s, b.warm_median_s or b.first_run_s),
            ("first s", a.first_run_s, b.first_run_s),
            ("RTFx", a.rtfx, b.rtfx),
            ("peak RSS MB", a.peak_rss_mb, b.peak_rss_mb),
            ("peak GPU MB", a.peak_gpu_mb, b.peak_gpu_mb),
        ]
        for name, x, y in rows:
            table.add_row(name, "-" if x is None else f"{x:.2f}", "-" if y is None else f"{y:.2f}", ratio(x, y))
        if a.wer is not None and b.wer is not None:
            table.add_row("WER", f"{a.wer:.3f}", f"{b.wer:.3f}", f"{(a.wer - b.wer) * 100:+.1f} points")
