"""Does the batched strategy hear everything the sequential one does? On every long
clip of `benchmarks.clips` (and the 8.3-minute clip of `benchmarks.long_clip`), JAX
sequential fp32 against batched fp32 and bf16: WER, the longest run of reference
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

Sequential unprompted is openai-whisper's loop without the previous window's text as
a prompt (`condition_on_previous_text` off), as batched windows are decoded (all but
one that fails at every temperature): the gap between the two sequential rows is what
the prompt is worth on a clip, and the gap between it and batched is what batching
itself costs.

Accuracy only: the machine's load does not change a transcript, so no timing here.

    .venv/bin/python -m benchmarks.long_form [--batch-size 16] [--model tiny.en] [--clip NAME ...]
        [--dtypes float32,bfloat16] [--shifts 0,0.5,1] [--save DIR]
"""

from __future__ import annotations

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


def configs(model: str, batch_size: int, dtypes: list[str]) -> list[RunConfig]:
    jax = RunConfig(backend="jax", model=model, warmup=0, repeat=1)
    return [
        jax.with_(label=SEQUENTIAL),
        jax.with_(condition_on_previous_text=False, label=UNPROMPTED),
        *(jax.with_(strategy="batched", batch_size=batch_size, dtype=dtype, label=f"batched {BATCHED_DTYPES[dtype]} b{batch_size}")
          for dtype in dtypes),
    ]


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
    parser.add_argument("--dtypes", default=",".join(BATCHED_DTYPES),
                        help="the batched rows' dtypes, comma-separated")
    parser.add_argument("--shifts", type=arguments.seconds_from_zero, default="0", help="seconds of silence put before each clip, comma-separated")
    parser.add_argument("--save", type=Path, help="write each transcript here, as CLIP+SHIFT.CONFIG.txt")
    args = parser.parse_args()
    shifts = args.shifts
    dtypes = args.dtypes.split(",")
    if unknown := set(dtypes) - set(BATCHED_DTYPES):
        parser.error(f"--dtypes: unknown {', '.join(sorted(unknown))} (one of {', '.join(BATCHED_DTYPES)})")
    known = [c.name for c in CLIPS + [TEST_CLIP]] + ["long"]
    if unknown := sorted(set(args.clip or []) - set(known)):
        parser.error(f"--clip: unknown {', '.join(unknown)} (one of {', '.join(known)})")
    wanted = set(args.clip) if args.clip else {c.name for c in CLIPS} | {"long"}
    clips = [(c.name, *make(c)) for c in available(CLIPS + [TEST_CLIP]) if c.name in wanted]
    if "long" in wanted:
        clips.append(("long", *long_clip(2)))
    console = Console(width=160)
    configurations = configs(args.model, args.batch_size, dtypes)
    labels = [c.label for c in configurations]
    texts: dict[tuple[str, float, str], str] = {}
    inputs = [(name, shift, path) for name, path, _ in clips for shift in shifts]
    for config in configurations:
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
    # what batching itself lost: the longest run lost where sequential (same clip and shift) kept it
    lost_kept = {
        (n, s, label): len(a.longest_lost(kept_by=aligned[n, s, SEQUENTIAL]))
        for (n, s, label), a in aligned.items() if label != SEQUENTIAL
    }
    added = {key: len(a.longest_added()) for key, a in aligned.items()}
    # words repeating a phrase back to back (`core.wholeness`): a loop, or a seam kept twice
    repeated = {key: longest_repetition(text).words for key, text in texts.items()}
    own_repetition = {name: longest_repetition(reference).words for name, reference in references.items()}
    table = Table(title=f"JAX long form, {args.model}: what batching loses, and how far sequential itself moves")
    for column in ("clip", "shift s", "config", "WER", "vs sequential", "longest lost", "lost where sequential kept",
                   "longest added", "repeated"):
        table.add_column(column, justify="left" if column in ("clip", "config") else "right")
    for name, shift, _ in inputs:
        for label in labels:
            key, wer = (name, shift, label), errors[name, shift, label].wer
            delta = wer - errors[name, shift, SEQUENTIAL].wer
            table.add_row(name, f"{shift:g}", label, f"{wer:.3f}", "-" if label == SEQUENTIAL else f"{100 * delta:+.1f}",
                          str(lost[key]), str(lost_kept.get(key, "-")), str(added[key]), str(repeated[key]))
    console.print(table)

    summary = Table(title="each configuration over every clip and shift", title_justify="left")
    for column in ("config", "corpus WER", "vs sequential", "runs within a point", "within a point of sequential's worst",
                   "within a point of unprompted", f"runs losing {DROPPED_RUN}+ words sequential kept",
                   f"runs adding {ADDED_RUN}+ words", f"runs repeating {REPEATED_RUN}+ words"):
        summary.add_column(column, justify="left" if column == "config" else "right")
    names = list(dict.fromkeys(name for name, _, _ in inputs))
    runs = [(n, s) for n in names for s in shifts]
    sequential_worst = {n: max(errors[n, s, SEQUENTIAL].wer for s in shifts) for n in names}
    base = _corpus([errors[n, s, SEQUENTIAL] for n, s in runs]).wer
    for label in labels:
        corpus = _corpus([errors[n, s, label] for n, s in runs]).wer
        close = sum(errors[n, s, label].wer <= errors[n, s, SEQUENTIAL].wer + WER_POINT for n, s in runs)
        under_worst = sum(errors[n, s, label].wer <= sequential_worst[n] + WER_POINT for n, s in runs)
        unprompted = sum(errors[n, s, label].wer <= errors[n, s, UNPROMPTED].wer + WER_POINT for n, s in runs)
        dropped = sum(lost_kept.get((n, s, label), 0) >= DROPPED_RUN for n, s in runs)
        looped = sum(loops(repeated[n, s, label], own_repetition[n]) for n, s in runs)
        adding = sum(added[n, s, label] >= ADDED_RUN for n, s in runs)
        summary.add_row(label, f"{corpus:.4f}", f"{100 * (corpus - base):+.1f}", f"{close}/{len(runs)}",
                        f"{under_worst}/{len(runs)}", f"{unprompted}/{len(runs)}", "-" if label == SEQUENTIAL else str(dropped),
                        str(adding), str(looped))
    console.print(summary)


def _corpus(found: list[WordErrors]) -> WordErrors:
    return sum(found, start=WordErrors(0, 0, 0, 0))


if __name__ == "__main__":
    main()
