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
window moved), and the table shows how far sequential's own WER moves. The summary
gives each configuration's corpus WER over every clip and shift (errors over
reference words), the runs (clip and shift) where it is within a point of sequential
at the same shift, those within a point of sequential's worst WER on that clip
over the shifts, and those within a point of sequential unprompted at the same shift.
Every row is held to its own backend's sequential rows.

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
        [--shifts 0,0.5,1] [--save DIR]
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
from asr_tui.core.alignment import ADDED_RUN, DROPPED_RUN, align
from asr_tui.core.decomposition import ACCURACY_POINTS
from asr_tui.core.config import RunConfig
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
    parser.add_argument("--save", type=Path, help="write each transcript here, as CLIP+SHIFT.CONFIG.txt")
    args = parser.parse_args()
    shifts = args.shifts
    dtypes = args.dtypes.split(",")
    if unknown := set(dtypes) - set(BATCHED_DTYPES):
        parser.error(f"--dtypes: unknown {', '.join(sorted(unknown))} (one of {', '.join(BATCHED_DTYPES)})")
    backend_names = list(dict.fromkeys(args.backends.split(",")))
    if unknown := sorted(set(backend_names) - set(LOOP_BACKENDS)):
        parser.error(f"--backends: unknown {', '.join(unknown)} (one of {', '.join(LOOP_BACKENDS)})")
    known = [c.name for c in CLIPS + [TEST_CLIP]] + ["long"]
    if unknown := sorted(set(args.clip or []) - set(known)):
        parser.error(f"--clip: unknown {', '.join(unknown)} (one of {', '.join(known)})")
    wanted = set(args.clip or ([] if args.wav else [c.name for c in CLIPS] + ["long"]))
    clips = [(c.name, *make(c)) for c in available(CLIPS + [TEST_CLIP]) if c.name in wanted]
    if "long" in wanted:
        clips.append(("long", *long_clip(2)))
    clips += args.wav
    if len({name for name, _, _ in clips}) < len(clips):
        parser.error("two clips have the same name: rename one of the --wav files")
    console = Console(width=160)
    table_rows = rows(backend_names, args.model, args.batch_size, dtypes, args.unprompted)
    labels = [row.config.label for row in table_rows]
    texts: dict[tuple[str, float, str], str] = {}
    inputs = [(name, shift, path) for name, path, _ in clips for shift in shifts]
    for config in (row.config for row in table_rows):
        backend = backends.create(config.backend)
        backend.load(config, weights.resolve(config.model))
        for name, shift, path in inputs:
            with shifted(path, shift) as decoded:
                transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
            texts[name, shift, config.label] = transcript.text
            console.print(f"[dim]{name} +{shift:g} s: {config.label} done[/]")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{name}+{shift:g}.{config.label.replace(' ', '-')}.txt").write_text(transcript.text)
        backend.release()

    references = {name: reference for name, _, reference in clips}
    errors = {key: word_errors(references[key[0]], text) for key, text in texts.items()}
    aligned = {key: align(references[key[0]], text) for key, text in texts.items()}  # once per transcript
    lost = {key: len(a.longest_lost()) for key, a in aligned.items()}
    held_to = {row.config.label: row for row in table_rows}
    # what batching itself lost: the longest run lost where its backend's sequential (same clip and shift) kept it
    lost_kept = {
        (n, s, label): len(a.longest_lost(kept_by=aligned[n, s, held_to[label].sequential]))
        for (n, s, label), a in aligned.items() if label != held_to[label].sequential
    }
    added = {key: len(a.longest_added()) for key, a in aligned.items()}
    # words repeating a phrase back to back (`core.wholeness`): a loop, or a seam kept twice
    repeated = {key: longest_repetition(text).words for key, text in texts.items()}
    own_repetition = {name: longest_repetition(reference).words for name, reference in references.items()}
    table = Table(title=f"long form, {args.model}: what batching loses, and how far sequential itself moves")
    for column in ("clip", "shift s", "config", "WER", "vs sequential", "longest lost", "lost where sequential kept",
                   "longest added", "repeated"):
        table.add_column(column, justify="left" if column in ("clip", "config") else "right")
    for name, shift, _ in inputs:
        for label in labels:
            key, wer, sequential = (name, shift, label), errors[name, shift, label].wer, held_to[label].sequential
            delta = wer - errors[name, shift, sequential].wer
            table.add_row(name, f"{shift:g}", label, f"{wer:.3f}", "-" if label == sequential else f"{100 * delta:+.1f}",
                          str(lost[key]), str(lost_kept.get(key, "-")), str(added[key]), str(repeated[key]))
    console.print(table)

    summary = Table(title="each configuration over every clip and shift", title_justify="left")
    for column in ("config", "corpus WER", "vs sequential", "runs within a point", "within a point of sequential's worst",
                   "within a point of unprompted", f"runs losing {DROPPED_RUN}+ words sequential kept",
                   f"runs adding {ADDED_RUN}+ words", f"runs repeating {REPEATED_RUN}+ words"):
        summary.add_column(column, justify="left" if column == "config" else "right")
    names = list(dict.fromkeys(name for name, _, _ in inputs))
    runs = [(n, s) for n in names for s in shifts]
    for row in table_rows:
        label, sequential, unprompted = row.config.label, row.sequential, row.unprompted
        worst = {n: max(errors[n, s, sequential].wer for s in shifts) for n in names}
        corpus = _corpus([errors[n, s, label] for n, s in runs]).wer
        base = _corpus([errors[n, s, sequential] for n, s in runs]).wer
        close = sum(errors[n, s, label].wer <= errors[n, s, sequential].wer + WER_POINT for n, s in runs)
        under_worst = sum(errors[n, s, label].wer <= worst[n] + WER_POINT for n, s in runs)
        near_unprompted = (f"{sum(errors[n, s, label].wer <= errors[n, s, unprompted].wer + WER_POINT for n, s in runs)}"
                           f"/{len(runs)}" if unprompted else "-")
        dropped = sum(lost_kept.get((n, s, label), 0) >= DROPPED_RUN for n, s in runs)
        looped = sum(loops(repeated[n, s, label], own_repetition[n]) for n, s in runs)
        adding = sum(added[n, s, label] >= ADDED_RUN for n, s in runs)
        summary.add_row(label, f"{corpus:.4f}", f"{100 * (corpus - base):+.1f}", f"{close}/{len(runs)}",
                        f"{under_worst}/{len(runs)}", near_unprompted, "-" if label == sequential else str(dropped),
                        str(adding), str(looped))
    console.print(summary)


def _corpus(found: list[WordErrors]) -> WordErrors:
    return sum(found, start=WordErrors(0, 0, 0, 0))


if __name__ == "__main__":
    main()
