"""A study's table from the result documents of separate runs (one process per
configuration, as on a lent GPU machine): speed beside accuracy for every row.

For each document in the folder: RTFx, WER with substitutions/deletions/insertions,
the longest run of reference words the transcript lost, and the longest it lost
where the baseline row (the first `pytorch float32 sequential` row, else the first
row) kept them, the longest run of words it added that the reference lacks, the
words in which it repeats a phrase back to back (a decoding loop or a seam kept
twice; `core.wholeness`, the reference's own count in the title), then peak GPU and RSS memory, compile, first and warm seconds and
the warm passes' spread. A row that transcribes less is not faster: the lost-span
columns say when that happened. Then each backend's best row: its fastest within a
WER point of the baseline that loses no run of 10 words the baseline kept, adds
none and does not loop (its fastest of all, marked, where none is). Where the rows differ one factor at a time (the
study-decomposed presets), the speed-up split into strategy, dtype and framework
(`core.decomposition`) follows the table.

    .venv/bin/python -m benchmarks.study_table benchmarks/results/gpu-h100-2026-11-25 [--markdown OUT.md]
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from asr_tui.cli.whole_tables import print_whole
from asr_tui.core import decomposition, export, wholeness
from asr_tui.core.alignment import DROPPED_RUN, align
from asr_tui.core.results import RunResult
from asr_tui.core.wholeness import Wholeness, longest_repetition
from benchmarks import arguments

BEST_COLUMNS = ("backend", "config", "RTFx", "WER", "lost vs base", "RSS MB", "GPU MB", "note")
COLUMNS = ("config", "RTFx", "WER", "S/D/I", "lost", "lost vs base", "added", "repeated", "GPU MB", "RSS MB", "compile s",
           "first s", "warm s", "CV %")


def _label(r: RunResult) -> str:
    strategy = r.decoding.get("strategy") or "sequential"
    batch = f" b{r.batch_size}" if strategy == "batched" else ""
    greedy = " t0" if r.decoding.get("temperatures") == [0.0] and r.backend != "whisper-jax" else ""
    return f"{r.backend} {r.dtype} {strategy}{batch}{greedy}"


def load(folder: Path) -> list[RunResult]:
    results = []
    if not folder.is_dir():
        raise SystemExit(f"no folder {folder}")
    for path in sorted(p for p in folder.glob("*.json") if p.is_file()):
        try:
            results += [RunResult.from_dict(run) for run in json.loads(path.read_text())["runs"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SystemExit(f"{path}: not a results document written by `asr-tui run --json` ({error!r})") from None
    # one clip's table: a row on other audio would be judged against this clip's reference
    clips = sorted({(Path(r.audio).name, round(r.audio_seconds, 1)) for r in results})
    if len(clips) > 1:
        raise SystemExit(f"the documents in {folder} ran on different audio: "
                         + "; ".join(f"{name} ({seconds:g} s)" for name, seconds in clips))
    base = [r for r in results if _label(r) == "pytorch float32 sequential"]
    return base[:1] + [r for r in results if r not in base[:1]]


def judged(results: list[RunResult], reference: str) -> list[RunResult]:
    """The results with their transcripts' lost and added runs and repetitions (`core.wholeness`),
    worked out here for documents written before results carried them, so that the
    decomposition marks them too."""
    return [r if r.added_words is not None
            else dataclasses.replace(r, **dataclasses.asdict(Wholeness.of(r.text, reference, r.language)))
            for r in results]


def lost_runs(results: list[RunResult], reference: str) -> dict[int, tuple[int, int]]:
    """Per result (by id): the longest run of reference words it lost, and the longest
    it lost where the baseline (first row) kept them."""
    aligned = {id(r): align(reference, r.text) for r in results}  # once per transcript
    base = aligned[id(results[0])]
    return {key: (len(a.longest_lost()), len(a.longest_lost(kept_by=base))) for key, a in aligned.items()}


def rows(results: list[RunResult], lost: dict[int, tuple[int, int]]) -> list[list[str]]:
    out = []
    for r in sorted(results, key=lambda r: -(r.rtfx or 0)):
        out.append([
            _label(r), f"{r.rtfx:.1f}", f"{r.wer:.4f}", f"{r.substitutions}/{r.deletions}/{r.insertions}",
            str(lost[id(r)][0]), str(lost[id(r)][1]), str(r.added_words), str(r.repeated_words),
            f"{r.peak_gpu_mb:.0f}" if r.peak_gpu_mb is not None else "-",
            f"{r.peak_rss_mb:.0f}", "-" if r.compile_s is None else f"{r.compile_s:.1f}",
            f"{r.first_run_s:.1f}", f"{r.warm_median_s:.2f}", f"{100 * (r.cv or 0):.1f}",
        ])
    return out


def best_rows(results: list[RunResult], lost: dict[int, tuple[int, int]]) -> list[list[str]]:
    """Each backend's fastest row that transcribes as much as the baseline (first
    row): within `decomposition.ACCURACY_POINTS` of its WER, losing no run of
    `DROPPED_RUN` words it kept, adding no run of `ADDED_RUN` words
    (`wholeness.adds_text`), repeating no phrase past the reference
    (`wholeness.loops`). A backend without one shows its fastest row, marked."""
    base = results[0]
    out = []
    for backend in dict.fromkeys(r.backend for r in results):
        own = sorted((r for r in results if r.backend == backend), key=lambda r: -(r.rtfx or 0))
        fair = [r for r in own if r.wer <= base.wer + decomposition.ACCURACY_POINTS / 100 and lost[id(r)][1] < DROPPED_RUN
                and not wholeness.adds_text(r.added_words) and not wholeness.loops(r.repeated_words, r.reference_repeated_words)]
        best = (fair or own)[0]
        out.append([
            backend, _label(best), f"{best.rtfx:.1f}", f"{best.wer:.4f}", str(lost[id(best)][1]), f"{best.peak_rss_mb:.0f}",
            f"{best.peak_gpu_mb:.0f}" if best.peak_gpu_mb is not None else "-",
            "" if fair else f"none within a point that kept every {DROPPED_RUN}-word run, added none and did not loop",
        ])
    return sorted(out, key=lambda row: -float(row[2]))


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("folder", type=Path, help="a folder of `asr-tui run --json` documents and reference.txt")
    parser.add_argument("--reference", type=Path, help="the clip's text, if not FOLDER/reference.txt")
    parser.add_argument("--markdown", type=Path, help="also write the table here as Markdown")
    args = parser.parse_args()
    results = load(args.folder)
    if not results:
        raise SystemExit(f"no result documents (*.json) in {args.folder}")
    reference_path = args.reference or args.folder / "reference.txt"
    if not reference_path.is_file():
        raise SystemExit(f"no reference text at {reference_path}: put the clip's text there or pass --reference")
    reference = reference_path.read_text(encoding="utf-8")
    results = judged(results, reference)
    env = results[0].env
    own = longest_repetition(reference).words
    table = Table(title=f"{env.get('gpu') or env.get('cpu')}; {results[0].audio_seconds / 60:.1f} min clip; "
                  f"baseline: {_label(results[0])}; the reference repeats {own} word{'' if own == 1 else 's'}",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "config" else "right")
    lost = lost_runs(results, reference)
    body = rows(results, lost)
    for row in body:
        table.add_row(*row)
    console = Console()
    print_whole(console, table)
    best = best_rows(results, lost)
    best_table = Table(title=f"each backend's best row: fastest within {decomposition.ACCURACY_POINTS:g} WER point of the "
                       f"baseline, no {DROPPED_RUN}-word run lost that it kept, none added, no loop", title_justify="left",
                       box=box.SIMPLE_HEAD, pad_edge=False)
    for column in BEST_COLUMNS:
        best_table.add_column(column, justify="left" if column in ("backend", "config", "note") else "right")
    for row in best:
        best_table.add_row(*row)
    print_whole(console, best_table)
    found = decomposition.decompose(results)
    if found.steps:
        print(f"speed-up decomposed: {found.summary() or 'no chain from pytorch sequential float32'}\n")
        print(export.markdown_table(decomposition.TABLE_HEADER, decomposition.table_rows(found)))
    if args.markdown:
        args.markdown.write_text(export.markdown_table(list(COLUMNS), body) + "\n"
                                 + export.markdown_table(list(BEST_COLUMNS), best), encoding="utf-8")


if __name__ == "__main__":
    main()
