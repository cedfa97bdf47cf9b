"""Two runs side by side: speed, memory and WER with the direction spelled out ("B is
1.80 ± 0.05x faster than A", the uncertainty from both runs' warm spread), what their
configurations differ in beyond the compared settings above it (`core.parity`), and
both transcripts as the backends produced them, with the
words that differ highlighted: against the reference where there is one, else A
against B. Words are matched after Whisper's normaliser, as WER counts them, but shown
as produced.

Two runs of different audio, or runs whose timing deserves less trust (the marks of
the Results table), are said to be so above the table: seconds of different audio
are no speed verdict (RTFx, per second of audio, still is), and their transcripts
are not set against each other."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from asr_tui.core import parity, paths, references, stability
from asr_tui.core.metrics import normalizer, normalizers
from asr_tui.core.results import RunResult
from asr_tui.core.transcript import WINDOW_SECONDS
from asr_tui.tui.widgets.tables import LiteralTable, number

CHANGED = "bold red"
MISSED = "strike dim"


@dataclass(frozen=True)
class Word:
    """A word as produced, with the words before it that the normaliser drops (fillers
    such as "uh"), which WER does not count and the diff does not match."""

    dropped: str
    text: str
    key: str


def words(text: str, normalize) -> tuple[list[Word], str]:
    """The counted words of a transcript and the dropped words after the last one."""
    found, dropped = [], []
    for raw in text.split():
        key = normalize(raw).strip()
        if key:
            found.append(Word(" ".join(dropped), raw, key))
            dropped = []
        else:
            dropped.append(raw)
    return found, " ".join(dropped)


def _append(text: Text, items: list[Word], style: str | None) -> None:
    for word in items:
        if word.dropped:
            text.append(word.dropped + " ", style="dim")
        text.append(word.text + " ", style=style)


def _opcodes(a: list[Word], b: list[Word]):
    return difflib.SequenceMatcher(None, [w.key for w in a], [w.key for w in b], autojunk=False).get_opcodes()


def against_reference(reference: str, hypothesis: str, language: str | None) -> Text:
    """The hypothesis as produced: words that differ from the reference in red,
    reference words it missed struck through where they belong."""
    for_reference, for_transcript = normalizers(language)
    ref, _ = words(reference, for_reference)
    hyp, tail = words(hypothesis, for_transcript)
    text = Text()
    for op, i1, i2, j1, j2 in _opcodes(ref, hyp):
        _append(text, hyp[j1:j2], None if op == "equal" else CHANGED)
        if op in ("replace", "delete"):
            text.append(" ".join(w.text for w in ref[i1:i2]) + " ", style=MISSED)
    text.append(tail, style="dim")
    return text


def against_each_other(first: str, second: str, language: str | None) -> tuple[Text, Text]:
    """Both transcripts as produced, each with the words the other lacks in red."""
    normalize = normalizer(language)
    (a, a_tail), (b, b_tail) = words(first, normalize), words(second, normalize)
    texts = Text(), Text()
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        style = None if op == "equal" else CHANGED
        _append(texts[0], a[i1:i2], style)
        _append(texts[1], b[j1:j2], style)
    texts[0].append(a_tail, style="dim")
    texts[1].append(b_tail, style="dim")
    return texts


def how_much(a: float | None, b: float | None, lower_is_better: bool, better: str, worse: str,
             spread: float | None = None) -> str:
    """B against A in words, e.g. 'B is 1.80x faster than A'; with `spread`, the
    ratio's relative uncertainty, 'B is 1.80 ± 0.05x faster than A', and no verdict
    where 1 lies within one uncertainty of the ratio."""
    if not a or not b:
        return "-"
    factor = a / b if lower_is_better else b / a  # above 1: B is better
    if round(factor, 2) == 1 and spread is None:
        return "about the same"
    shown = factor if factor >= 1 else 1 / factor
    uncertainty = None if spread is None else shown * spread
    amount = stability.plus_minus(shown, uncertainty)
    if uncertainty is not None and shown - uncertainty <= 1:
        return f"no clear difference: {amount}x, within the spread"  # not a verdict either way
    return f"B is {amount}x {better if factor >= 1 else worse} than A"


SAME_PROCESS = "one process: later holds earlier"  # whole in an 80-column Compare, beside marked timings


def memory_change(a: float | None, b: float | None, same_process: bool = False) -> str:
    """B's peak against A's, unless both ran in one process: a peak there is the
    process's so far, so the later run's holds the earlier one's (run order, not the
    configuration)."""
    if not a or not b:
        return "-"
    if same_process:
        return SAME_PROCESS
    change = (b - a) / a * 100
    return "about the same" if abs(change) < 0.5 else f"B uses {abs(change):.0f}% {'more' if change > 0 else 'less'} than A"


def error_change(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    points = (b - a) * 100
    return "the same" if abs(points) < 0.05 else f"B has {abs(points):.1f} points {'more' if points > 0 else 'fewer'} errors than A"


def words_change(a: int | None, b: int | None) -> str:
    if a is None or b is None:
        return "-"
    return "the same" if a == b else f"B has {abs(b - a)} {'more' if b > a else 'fewer'}"


DIFFERENT_AUDIO = "different audio"  # a ratio of seconds that is no verdict
MIN_VERDICT_WIDTH = 10  # columns a verdict keeps however narrow the terminal (the table scrolls then)
DIALOG_CHROME = 6  # columns the dialog's border and padding and its scroll bar take


def timed(figure: str, result: RunResult) -> str:
    """A timing figure with its run's timing marks (a busy machine, unstable passes ...),
    whose reasons are listed above the table, as the results table shows them beside its
    rows: a verdict from a busy run's seconds (a PyTorch pass 30 s instead of 0.9 s beside
    another process) reads as plainly as any other."""
    marks = stability.timing_marks([result])
    return f"{figure} {marks}" if marks and figure != "-" else figure


def same_audio(a: RunResult, b: RunResult) -> bool:
    return a.audio_heard == b.audio_heard  # the same file, and as much of it


def speeds_compare(a: RunResult, b: RunResult) -> bool:
    """Whether the two RTFx say which is faster: on the same audio, or on audio of a
    whole window at least. Shorter audio is padded to a 30 s window, so its RTFx
    counts the padding's work: a 2 s clip reads ten times slower than its file."""
    return same_audio(a, b) or min(a.audio_seconds, b.audio_seconds) >= WINDOW_SECONDS


def same_process(a: RunResult, b: RunResult) -> bool:
    return a.env.get("process") is not None and a.env.get("process") == b.env.get("process")


SITTING_MINUTES = 10  # passes further apart than this ran in different sittings


def minutes_apart(a: RunResult, b: RunResult) -> float | None:
    """Minutes between the two runs' passes (0 where they overlap, interleaved); None
    where either has no pass times (a result written before they were kept)."""
    if not a.pass_started_at or not b.pass_started_at:
        return None
    gap = max(min(b.pass_started_at) - max(a.pass_started_at), min(a.pass_started_at) - max(b.pass_started_at), 0.0)
    return gap / 60


def trust_warnings(a: RunResult, b: RunResult) -> list[str]:
    """What to keep in mind before reading the table: different audio, different
    machines or sittings (History compares any two runs, and a machine's speed
    drifts: a quiet VM ran the same passes at half speed a quarter of an hour later),
    and each run's reasons for less trust in its numbers (busy machine, unstable
    passes ...)."""
    found = []
    hosts = a.env.get("hostname"), b.env.get("hostname")
    if all(hosts) and hosts[0] != hosts[1]:
        found.append(f"A and B ran on different machines ({hosts[0]}, {hosts[1]}): their timings measure the machines too")
    elif (apart := minutes_apart(a, b)) is not None and apart > SITTING_MINUTES:
        found.append(f"A and B ran {apart:.0f} minutes apart: a machine's speed drifts between sittings, so their "
                     "timings compare best from one run (--interleave alternates their passes)")
    if not same_audio(a, b):
        names = paths.shown_names((a.audio, b.audio))
        heard = "; ".join(f"{names[r.audio]}, {r.audio_seconds:.1f} s" for r in (a, b))  # another clip of one file too
        if speeds_compare(a, b):
            found.append(f"A and B transcribed different audio ({heard}): only RTFx, WER and the marks compare")
        else:
            found.append(f"A and B transcribed different audio ({heard}): only WER and the marks compare "
                         f"(audio under {WINDOW_SECONDS:g} s is padded to a window, which RTFx counts)")
    for name, result in (("A", a), ("B", b)):
        found += [f"{name}: {note}" for note in result.notes]
    return found


def _reference_text(result: RunResult) -> str | None:
    """The run's reference as WER read it (UTF-16 with its mark too); None if gone or unreadable."""
    return references.read(Path(result.reference) if result.reference else None)[0]


def titles(a: RunResult, b: RunResult) -> list[str]:
    """Each run's configuration and file; a rerun of the same (History) also when it
    finished, or A and B would read alike."""
    names = paths.shown_names((a.audio, b.audio))
    found = [f"{r.config_name} · {names[r.audio]}" for r in (a, b)]
    if found[0] != found[1]:
        return found
    return [f"{title} · finished {finished_local(r.finished_at)}" for title, r in zip(found, (a, b))]


def finished_local(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "at an unknown time"


class CompareScreen(ModalScreen[None]):
    """Two runs side by side. The whole of it scrolls (the arrows and page keys, from
    the start): at 80x24 the ratios and the warnings leave no room for the transcripts."""

    BINDINGS = [("escape,q", "dismiss", "Close")]
    AUTO_FOCUS = "#compare-body"

    def __init__(self, first: RunResult, second: RunResult) -> None:
        super().__init__()
        self.first, self.second = first, second
        self.rows = self.ratio_rows()
        self.verdict_width = 0  # the verdict column's, as last laid out (`fill_ratios`)

    def compose(self) -> ComposeResult:
        a, b = self.first, self.second
        with VerticalScroll(classes="dialog wide", id="compare-body"):
            yield Label(Text("\n".join(f"{name}: {title}" for name, title in zip("AB", titles(a, b)))))
            unlike = parity.line([a, b])
            if unlike:
                yield Label(Text(unlike), id="compare-parity")
            if warnings := trust_warnings(a, b):
                yield Label(Text("\n".join(warnings)), id="compare-trust")
            yield LiteralTable(id="ratios", cursor_type="none")
            yield Label("Comparing the transcripts…", id="diff-legend")
            with Horizontal(id="transcripts"):
                for name, result in (("A", a), ("B", b)):
                    with VerticalScroll():
                        yield Label(f"{name}: WER {number(result.wer, '.3f')}", classes="title")
                        yield Static(Text(result.text), id=f"transcript-{name.lower()}", classes="transcript")

    def on_mount(self) -> None:
        self.fill_ratios(self.app.size.width)
        self.diff()

    def on_resize(self, event: events.Resize) -> None:
        self.fill_ratios(event.size.width)

    def fill_ratios(self, screen_width: int) -> None:
        """The ratios, each verdict wrapped in the width the other columns leave it: a
        table cell does not wrap, and at 60x20 "B is 11.54 ± 7.83x slower than A" was
        cut to "B is 11.54 ±". Every column's width is set before the rows come (a
        header drawn while its columns were still growing stayed narrow)."""
        titles = ("measure", "A", "B", "B against A")
        widths = [max(len(cell) for cell in column) for column in zip(titles, *self.rows)]
        table = self.query_one("#ratios", DataTable)
        room = screen_width - DIALOG_CHROME - sum(widths[:3]) - 2 * table.cell_padding * len(titles)
        verdict_width = max(MIN_VERDICT_WIDTH, min(widths[3], room))
        if verdict_width == self.verdict_width:
            return
        self.verdict_width = verdict_width
        table.clear(columns=True)
        for title, width in zip(titles, widths[:3] + [verdict_width]):
            table.add_column(title, width=width)
        for row in self.rows:
            table.add_row(*row, height=None)

    def ratio_rows(self) -> list[tuple[str, str, str, str]]:
        a, b = self.first, self.second
        warm_a, warm_b = a.warm_median_s or a.first_run_s, b.warm_median_s or b.first_run_s
        spread = stability.ratio_spread(a.warm_runs_s, b.warm_runs_s)
        same = same_audio(a, b)
        return [
            ("warm s", timed(number(warm_a, ".2f"), a), timed(number(warm_b, ".2f"), b),
             how_much(warm_a, warm_b, True, "faster", "slower", spread) if same else DIFFERENT_AUDIO),
            ("first s", timed(number(a.first_run_s, ".2f"), a), timed(number(b.first_run_s, ".2f"), b),
             how_much(a.first_run_s, b.first_run_s, True, "faster", "slower") if same else DIFFERENT_AUDIO),
            ("RTFx", timed(number(a.rtfx, ".1f"), a), timed(number(b.rtfx, ".1f"), b),
             how_much(a.rtfx, b.rtfx, False, "faster", "slower", spread) if speeds_compare(a, b) else DIFFERENT_AUDIO),
            ("peak RSS MB", number(a.peak_rss_mb, ".0f"), number(b.peak_rss_mb, ".0f"),
             memory_change(a.peak_rss_mb, b.peak_rss_mb, same_process(a, b))),
            ("peak GPU MB", number(a.peak_gpu_mb, ".0f"), number(b.peak_gpu_mb, ".0f"),
             memory_change(a.peak_gpu_mb, b.peak_gpu_mb)),  # the framework's peak, reset for each run
            ("WER", number(a.wer, ".3f"), number(b.wer, ".3f"), error_change(a.wer, b.wer)),
            ("raw WER", number(a.raw_wer, ".3f"), number(b.raw_wer, ".3f"), error_change(a.raw_wer, b.raw_wer)),
            # the longest run of reference words lost, of words added, and words repeating a
            # phrase: a faster row that skipped, looped or kept a seam twice is not faster
            ("words lost in a row", number(a.lost_words, "d"), number(b.lost_words, "d"), words_change(a.lost_words, b.lost_words)),
            ("words added in a row", number(a.added_words, "d"), number(b.added_words, "d"),
             words_change(a.added_words, b.added_words)),
            ("words repeated", number(a.repeated_words, "d"), number(b.repeated_words, "d"),
             words_change(a.repeated_words, b.repeated_words)),
        ]

    @work(thread=True, exclusive=True)
    def diff(self) -> None:
        """Normalising word by word takes a while on an hour's transcript: off the UI thread."""
        a, b = self.first, self.second
        reference_a, reference_b = _reference_text(a), _reference_text(b)
        if not same_audio(a, b):
            legend = ("Different audio, so the transcripts are not set against each other; each against its own "
                      "reference where it has one: [b red]red[/] differs, [strike dim]struck[/] missed")
            texts = tuple(against_reference(reference, r.text, r.language) if reference is not None else Text(r.text)
                          for reference, r in ((reference_a, a), (reference_b, b)))
        elif reference_a is not None and reference_b is not None:
            legend = "[b red]red[/]: differs from the reference (as WER counts, after Whisper's normaliser); [strike dim]struck[/]: reference words missed"
            texts = against_reference(reference_a, a.text, a.language), against_reference(reference_b, b.text, b.language)
        else:
            missing = "these runs" if reference_a is None and reference_b is None else "A" if reference_a is None else "B"
            legend = f"No reference for {missing}: words where A and B differ in [b red]red[/] (after Whisper's normaliser)"
            texts = against_each_other(a.text, b.text, a.language or b.language)
        self.app.call_from_thread(self._show_diff, legend, texts)

    def _show_diff(self, legend: str, texts: tuple[Text, Text]) -> None:
        self.query_one("#diff-legend", Label).update(legend)
        self.query_one("#transcript-a", Static).update(texts[0])
        self.query_one("#transcript-b", Static).update(texts[1])
