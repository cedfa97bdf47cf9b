"""Does the batched strategy hear everything the sequential one does? On every long
clip of `benchmarks.clips` (and the 8.3-minute clip of `benchmarks.long_clip`), or on
clips of your own, each backend's sequential fp32 against its batched fp32 and bf16
(JAX by default, PyTorch too with `--backends`): WER, the longest run of reference
words lost, the longest lost where sequential kept them (what batching itself
lost), the longest run of words added that the reference lacks (a seam kept twice,
the copies heard differently), and the words repeating a phrase back to back (a
decoding loop or a seam kept twice; counted in the summary where it is ten or more,
past the reference's own).

Sequential is not a fixed yardstick on these clips: its seek loop starts each window
where the last one's transcript ended, so a small change anywhere moves every later
window, and tiny.en's errors with it. `--shifts` measures that: each clip is also
decoded with that much silence put before it (the same speech and reference, every
window moved), and the table shows how far sequential's own WER moves. Where tiny.en
fails a window at temperature 0, the fallback samples, and `--seeds` measures what
that alone moves: each clip decoded with each seed of that sampling (on the rustc
book read by a Lancashire voice, sequential's WER went from 0.43 with seed 0 to 0.63
with seed 1, and it lost 80 words in a row that it kept with seed 0).

A run is a clip at one shift and seed, and each row is held to sequential at the same
shift and seed. Sequential's own row shows in brackets, where the others show what
they lost that sequential kept, the longest run it lost that it kept at another shift
or seed of the same clip: how far that yardstick moves. The summary gives each
configuration's corpus WER over every run (errors over reference words), the runs
where it is within a point of sequential, those within a point of sequential's worst
WER on that clip over the shifts and seeds, those within a point of sequential
unprompted, and the runs losing 10 or more words that sequential kept (for
sequential itself, in brackets, kept at another shift or seed). Every row is held to
its own backend's sequential rows.

A clip of your own (`--wav`) is any audio file PyAV reads, with its reference text
beside it under the same name ending in `.txt`, so a probe on a new text or voice
only has to make its clips.

Sequential unprompted is openai-whisper's loop without the previous window's text as
a prompt (`condition_on_previous_text` off), as batched windows are decoded (all but
those that fail at every temperature, shout, or pass unsure of their words): the gap
between the two sequential rows is what the prompt is worth on a clip, and the gap
between it and batched is what batching itself costs.

Accuracy only: the machine's load does not change a transcript, so no timing here.

    .venv/bin/python -m benchmarks.long_form [--batch-size 16] [--model tiny.en] [--clip NAME ...]
        [--wav PATH ...] [--backends jax,pytorch] [--no-unprompted] [--dtypes float32,bfloat16]
        [--shifts 0,0.5,1] [--seeds 0,1,2] [--save DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import ADDED_RUN, DROPPED_RUN, Alignment, align
from asr_tui.core.decomposition import ACCURACY_POINTS
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import WordErrors, word_errors
from asr_tui.core.transcript import SAMPLE_RATE
from asr_tui.core.wholeness import REPEATED_RUN, longest_repetition, loops
from benchmarks import arguments
from benchmarks.clips import CLIPS, TEST_CLIP, available, make
from benchmarks.long_clip import long_clip

SEQUENTIAL = "sequential fp32"
UNPROMPTED = "sequential fp32 unprompted"
WER_POINT = ACCURACY_POINTS / 100


BATCHED_DTYPES = {"float32": "fp32", "bfloat16": "bf16"}  # dtype: its short name in a label
LOOP_BACKENDS = ("jax", "pytorch")  # the backends whose long form is `longform.loops`: the seek loop and batched windows


@dataclasses.dataclass(frozen=True)
class Row:
    """One configuration of the table, and the sequential rows of its own backend that it
    is held to (a JAX row is not held to PyTorch's seek loop)."""

    config: RunConfig
    sequential: str  # the label of its backend's sequential row
    unprompted: str | None  # the label of its backend's unprompted row, where one runs


def rows(backend_names: list[str], model: str, batch_size: int, dtypes: list[str], unprompted: bool) -> list[Row]:
    """Each backend's rows in turn: sequential, unprompted where asked, batched in each dtype."""
    found = []
    for name in backend_names:
        base = RunConfig(backend=name, model=model, warmup=0, repeat=1)
        sequential, without_prompt = f"{name} {SEQUENTIAL}", f"{name} {UNPROMPTED}" if unprompted else None
        configs = [base.with_(label=sequential)]
        if without_prompt:
            configs.append(base.with_(condition_on_previous_text=False, label=without_prompt))
        configs += [base.with_(strategy="batched", batch_size=batch_size, dtype=dtype,
                               label=f"{name} batched {BATCHED_DTYPES[dtype]} b{batch_size}") for dtype in dtypes]
        found += [Row(config, sequential, without_prompt) for config in configs]
    return found


def own_clip(text: str) -> tuple[str, Path, str]:
    """(name, audio, reference) of a clip of the user's: its reference is the UTF-8
    text file beside it. A missing, unreadable or empty one is a usage error, not a
    row of every word lost."""
    path = Path(text)
    reference = path.with_suffix(".txt")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"'{path}': no such file")
    try:
        said = reference.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"'{path}': its reference text {reference} cannot be read ({exc})") from None
    if not said.strip():
        raise argparse.ArgumentTypeError(f"'{path}': its reference text {reference} is empty")
    return path.stem, path, said


Run = tuple[str, float, int]  # a clip, the seconds of silence put before it, and the fallback's seed


def lost_where_kept(aligned: dict[tuple[str, float, int, str], Alignment], sequential_of: dict[str, str]) -> dict:
    """By (clip, shift, seed, row): the longest run the row lost where its backend's
    sequential row kept it at the same run: what batching itself lost. For a
    sequential row itself, the longest it lost that it kept at another shift or seed
    of the clip (None where it ran only once): how far that yardstick moves."""
    found: dict[tuple[str, float, int, str], int | None] = {}
    for (name, shift, seed, label), alignment in aligned.items():
        if label != sequential_of[label]:
            found[name, shift, seed, label] = len(alignment.longest_lost(kept_by=aligned[name, shift, seed, sequential_of[label]]))
            continue
        others = [other for key, other in aligned.items() if key[0] == name and key[3] == label and key[1:3] != (shift, seed)]
        found[name, shift, seed, label] = max((len(alignment.longest_lost(kept_by=other)) for other in others), default=None)
    return found


@contextlib.contextmanager
def shifted(path: Path, seconds: float) -> Iterator[audio.Decoded]:
    """The clip decoded, behind `seconds` of silence: the same float samples as the clip
    itself (not re-encoded), every window moved."""
    with audio.decoded(path) as original:
        if not seconds:
            yield original
            return
        silence = np.zeros(round(seconds * SAMPLE_RATE), np.float32)
        with tempfile.TemporaryFile() as scratch:
            scratch.write(silence.tobytes() + original.samples().tobytes())
            scratch.flush()
            yield dataclasses.replace(original, fd=scratch.fileno(), length=silence.size + original.length)


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    parser.add_argument("--batch-size", type=arguments.positive, default=16, help="windows per batched call")
    parser.add_argument("--clip", action="append", help="only these clips (by name; 'long' is the 8.3-minute clip)")
    parser.add_argument("--wav", action="append", type=own_clip, default=[], metavar="PATH",
                        help="a clip of your own, its reference beside it as NAME.txt (then only these, and any --clip)")
    parser.add_argument("--backends", default="jax", help=f"comma-separated, of {', '.join(LOOP_BACKENDS)}")
    parser.add_argument("--unprompted", action=argparse.BooleanOptionalAction, default=True,
                        help="also each backend's sequential row without the previous window's text")
    parser.add_argument("--dtypes", default=",".join(BATCHED_DTYPES),
                        help="the batched rows' dtypes, comma-separated")
    parser.add_argument("--shifts", type=arguments.seconds_from_zero, default="0", help="seconds of silence put before each clip, comma-separated")
    parser.add_argument("--seeds", type=arguments.seeds, default="0",
                        help="seeds of the temperature fallback's sampling, comma-separated: each clip decoded with each")
    parser.add_argument("--save", type=Path, help="write each transcript here, as CLIP+SHIFT.CONFIG.txt (CONFIG-sSEED for a seed other than 0)")
    args = parser.parse_args()
    shifts, seeds = list(dict.fromkeys(args.shifts)), list(dict.fromkeys(args.seeds))
    dtypes = args.dtypes.split(",")
    if unknown := set(dtypes) - set(BATCHED_DTYPES):
        parser.error(f"--dtypes: unknown {', '.join(sorted(unknown))} (one of {', '.join(BATCHED_DTYPES)})")
    backend_names = list(dict.fromkeys(args.backends.split(",")))
    if unknown := sorted(set(backend_names) - set(LOOP_BACKENDS)):
        parser.error(f"--backends: unknown {', '.join(unknown)} (one of {', '.join(LOOP_BACKENDS)})")
    known = [c.name for c in CLIPS + [TEST_CLIP]] + ["long"]
    if unknown := sorted(set(args.clip or []) - set(known)):
        parser.error(f"--clip: unknown {', '.join(unknown)} (one of {', '.join(known)})")
    table_rows = rows(backend_names, args.model, args.batch_size, dtypes, args.unprompted)
    for seed in seeds:  # refused before any clip is made or model loaded
        try:
            table_rows[0].config.with_(seed=seed)
        except AsrTuiError as exc:
            parser.error(f"--seeds: {exc}")
    wanted = set(args.clip or ([] if args.wav else [c.name for c in CLIPS] + ["long"]))
    clips = [(c.name, *make(c)) for c in available(CLIPS + [TEST_CLIP]) if c.name in wanted]
    if "long" in wanted:
        clips.append(("long", *long_clip(2)))
    clips += args.wav
    if len({name for name, _, _ in clips}) < len(clips):
        parser.error("two clips have the same name: rename one of the --wav files")
    console = Console(width=160)
    labels = [row.config.label for row in table_rows]
    texts: dict[tuple[str, float, int, str], str] = {}  # by clip, shift, seed and row
    inputs = [(name, shift, seed, path) for name, path, _ in clips for shift in shifts for seed in seeds]
    for config in (row.config for row in table_rows):
        backend = backends.create(config.backend)
        backend.load(config, weights.resolve(config.model))
        for name, shift, seed, path in inputs:
            with shifted(path, shift) as decoded:
                transcript = backend.transcribe(decoded, config.with_(seed=seed), lambda *_: None, threading.Event())
            texts[name, shift, seed, config.label] = transcript.text
            console.print(f"[dim]{name} +{shift:g} s seed {seed}: {config.label} done[/]")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                saved = config.label.replace(" ", "-") + (f"-s{seed}" if seed else "")
                (args.save / f"{name}+{shift:g}.{saved}.txt").write_text(transcript.text)
        backend.release()

    references = {name: reference for name, _, reference in clips}
    errors = {key: word_errors(references[key[0]], text) for key, text in texts.items()}
    aligned = {key: align(references[key[0]], text) for key, text in texts.items()}  # once per transcript
    lost = {key: len(a.longest_lost()) for key, a in aligned.items()}
    held_to = {row.config.label: row for row in table_rows}
    runs: list[Run] = [(name, shift, seed) for name, shift, seed, _ in inputs]
    lost_kept = lost_where_kept(aligned, {label: row.sequential for label, row in held_to.items()})
    added = {key: len(a.longest_added()) for key, a in aligned.items()}
    # words repeating a phrase back to back (`core.wholeness`): a loop, or a seam kept twice
    repeated = {key: longest_repetition(text).words for key, text in texts.items()}
    own_repetition = {name: longest_repetition(reference).words for name, reference in references.items()}
    table = Table(title=f"long form, {args.model}: what batching loses, and how far sequential itself moves")
    for column in ("clip", "shift s", "seed", "config", "WER", "vs sequential", "longest lost",
                   "lost where sequential kept", "longest added", "repeated"):
        table.add_column(column, justify="left" if column in ("clip", "config") else "right")
    for run in runs:
        for label in labels:
            key, wer, sequential = (*run, label), errors[*run, label].wer, held_to[label].sequential
            delta = wer - errors[*run, sequential].wer
            kept = "-" if lost_kept[key] is None else f"({lost_kept[key]})" if label == sequential else str(lost_kept[key])
            table.add_row(run[0], f"{run[1]:g}", str(run[2]), label, f"{wer:.3f}", "-" if label == sequential else f"{100 * delta:+.1f}",
                          str(lost[key]), kept, str(added[key]), str(repeated[key]))
    console.print(table)

    summary = Table(title="each configuration over every run (clip, shift and seed)", title_justify="left")
    for column in ("config", "corpus WER", "vs sequential", "runs within a point", "within a point of sequential's worst",
                   "within a point of unprompted", f"runs losing {DROPPED_RUN}+ words sequential kept",
                   f"runs adding {ADDED_RUN}+ words", f"runs repeating {REPEATED_RUN}+ words"):
        summary.add_column(column, justify="left" if column == "config" else "right")
    for row in table_rows:
        label, sequential, unprompted = row.config.label, row.sequential, row.unprompted
        worst = {n: max(errors[n, s, seed, sequential].wer for s in shifts for seed in seeds)
                 for n in dict.fromkeys(n for n, _, _ in runs)}
        corpus = _corpus([errors[*run, label] for run in runs]).wer
        base = _corpus([errors[*run, sequential] for run in runs]).wer
        close = sum(errors[*run, label].wer <= errors[*run, sequential].wer + WER_POINT for run in runs)
        under_worst = sum(errors[*run, label].wer <= worst[run[0]] + WER_POINT for run in runs)
        near_unprompted = (f"{sum(errors[*run, label].wer <= errors[*run, unprompted].wer + WER_POINT for run in runs)}"
                           f"/{len(runs)}" if unprompted else "-")
        dropped = sum((lost_kept[*run, label] or 0) >= DROPPED_RUN for run in runs)
        looped = sum(loops(repeated[*run, label], own_repetition[run[0]]) for run in runs)
        adding = sum(added[*run, label] >= ADDED_RUN for run in runs)
        own = f"({dropped})" if len(shifts) * len(seeds) > 1 else "-"
        summary.add_row(label, f"{corpus:.4f}", f"{100 * (corpus - base):+.1f}", f"{close}/{len(runs)}",
                        f"{under_worst}/{len(runs)}", near_unprompted, own if label == sequential else str(dropped),
                        str(adding), str(looped))
    console.print(summary)


def _corpus(found: list[WordErrors]) -> WordErrors:
    return sum(found, start=WordErrors(0, 0, 0, 0))


if __name__ == "__main__":
    main()
