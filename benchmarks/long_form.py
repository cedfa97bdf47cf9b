"""Does the batched strategy hear everything the sequential one does? On every long
clip of `benchmarks.clips` (and the 8.3-minute clip of `benchmarks.long_clip`), JAX
sequential fp32 against batched fp32 and bf16: WER, the longest run of reference
words lost, and the longest lost where sequential kept them (what batching itself
lost).

Sequential is not a fixed yardstick on these clips: its seek loop starts each window
where the last one's transcript ended, so a small change anywhere moves every later
window, and tiny.en's errors with it. `--shifts` measures that: each clip is also
decoded with that much silence put before it (the same speech and reference, every
window moved), and the table shows how far sequential's own WER moves. The summary
gives each configuration's corpus WER over every clip and shift (errors over
reference words), the clips where it is within a point of sequential at the same
shift, and those within sequential's own range over the shifts.

Accuracy only: the machine's load does not change a transcript, so no timing here.

    .venv/bin/python -m benchmarks.long_form [--batch-size 16] [--model tiny.en] [--clip NAME ...]
        [--shifts 0,0.5,1] [--save DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import longest_dropped_span
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import WordErrors, word_errors
from asr_tui.core.microphone import write_wav
from asr_tui.core.transcript import SAMPLE_RATE
from benchmarks.clips import CLIPS, TEST_CLIP, make
from benchmarks.long_clip import long_clip

SEQUENTIAL = "sequential fp32"
WER_POINT = 0.01
LOST_RUN = 10  # consecutive reference words: a run this long lost where sequential kept it is dropped speech


def configs(model: str, batch_size: int) -> list[RunConfig]:
    jax = RunConfig(backend="jax", model=model, warmup=0, repeat=1)
    return [
        jax.with_(label=SEQUENTIAL),
        jax.with_(strategy="batched", batch_size=batch_size, label=f"batched fp32 b{batch_size}"),
        jax.with_(strategy="batched", batch_size=batch_size, dtype="bfloat16", label=f"batched bf16 b{batch_size}"),
    ]


def shifted(path: Path, seconds: float, folder: Path) -> Path:
    """The clip with `seconds` of silence before it, or the clip itself for 0."""
    if not seconds:
        return path
    samples = audio.load(path).samples
    silence = np.zeros(round(seconds * SAMPLE_RATE), np.float32)
    return write_wav(folder / f"{path.stem}+{seconds:g}s.wav", np.concatenate([silence, samples]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--clip", action="append", help="only these clips (by name; 'long' is the 8.3-minute clip)")
    parser.add_argument("--shifts", default="0", help="seconds of silence put before each clip, comma-separated")
    parser.add_argument("--save", type=Path, help="write each transcript here, as CLIP+SHIFT.CONFIG.txt")
    args = parser.parse_args()
    shifts = [float(s) for s in args.shifts.split(",")]
    clips = [(c.name, *make(c)) for c in CLIPS + [TEST_CLIP]] + [("long", *long_clip(2))]
    clips = [c for c in clips if c[0] in args.clip] if args.clip else [c for c in clips if c[0] != TEST_CLIP.name]
    console = Console(width=160)
    labels = [c.label for c in configs(args.model, args.batch_size)]
    texts: dict[tuple[str, float, str], str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        inputs = [(name, shift, shifted(path, shift, Path(scratch))) for name, path, _ in clips for shift in shifts]
        for config in configs(args.model, args.batch_size):
            backend = backends.create(config.backend)
            backend.load(config, weights.resolve(config.model))
            for name, shift, path in inputs:
                with audio.decoded(path) as decoded:
                    transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
                texts[name, shift, config.label] = transcript.text
                console.print(f"[dim]{name} +{shift:g} s: {config.label} done[/]")
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{name}+{shift:g}.{config.label.replace(' ', '-')}.txt").write_text(transcript.text)
            backend.release()

    references = {name: reference for name, _, reference in clips}
    errors = {key: word_errors(references[key[0]], text) for key, text in texts.items()}
    table = Table(title=f"JAX long form, {args.model}: what batching loses, and how far sequential itself moves")
    for column in ("clip", "shift s", "config", "WER", "vs sequential", "longest lost", "lost where sequential kept"):
        table.add_column(column, justify="left" if column in ("clip", "config") else "right")
    for name, shift, _ in inputs:
        sequential = texts[name, shift, SEQUENTIAL]
        for label in labels:
            text, wer = texts[name, shift, label], errors[name, shift, label].wer
            delta = wer - errors[name, shift, SEQUENTIAL].wer
            kept = "-" if label == SEQUENTIAL else str(len(longest_dropped_span(references[name], text, kept_by=sequential)))
            table.add_row(name, f"{shift:g}", label, f"{wer:.3f}", "-" if label == SEQUENTIAL else f"{100 * delta:+.1f}",
                          str(len(longest_dropped_span(references[name], text))), kept)
    console.print(table)

    summary = Table(title="each configuration over every clip and shift", title_justify="left")
    for column in ("config", "corpus WER", "vs sequential", "clips within a point", "within sequential's range + a point",
                   f"runs losing {LOST_RUN}+ words sequential kept"):
        summary.add_column(column, justify="left" if column == "config" else "right")
    names = list(dict.fromkeys(name for name, _, _ in inputs))
    sequential_range = {name: [errors[name, s, SEQUENTIAL].wer for s in shifts] for name in names}
    for label in labels:
        corpus = _corpus([errors[key] for key in errors if key[2] == label]).wer
        base = _corpus([errors[key] for key in errors if key[2] == SEQUENTIAL]).wer
        close = sum(errors[n, s, label].wer <= errors[n, s, SEQUENTIAL].wer + WER_POINT for n in names for s in shifts)
        in_range = sum(errors[n, s, label].wer <= max(sequential_range[n]) + WER_POINT for n in names for s in shifts)
        dropped = sum(
            len(longest_dropped_span(references[n], texts[n, s, label], kept_by=texts[n, s, SEQUENTIAL])) >= LOST_RUN
            for n in names for s in shifts
        )
        runs = len(names) * len(shifts)
        summary.add_row(label, f"{corpus:.4f}", f"{100 * (corpus - base):+.1f}", f"{close}/{runs}", f"{in_range}/{runs}",
                        "-" if label == SEQUENTIAL else str(dropped))
    console.print(summary)


def _corpus(found: list[WordErrors]) -> WordErrors:
    return sum(found, start=WordErrors(0, 0, 0, 0))


if __name__ == "__main__":
    main()
