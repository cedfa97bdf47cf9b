"""Does the batched strategy hear everything the sequential one does? On every long
clip of `benchmarks.clips`, JAX sequential fp32 against batched fp32 and bf16: WER,
the longest run of reference words lost, and the longest lost where sequential kept
them (what batching itself lost).

Accuracy only: the machine's load does not change a transcript, so no timing here.

    .venv/bin/python -m benchmarks.long_form [--batch-size 16] [--model tiny.en] [--clip NAME ...] [--save DIR]
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from rich.console import Console
from rich.table import Table

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import longest_dropped_span
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import wer
from benchmarks.clips import CLIPS, TEST_CLIP, make


def configs(model: str, batch_size: int) -> list[RunConfig]:
    jax = RunConfig(backend="jax", model=model, warmup=0, repeat=1)
    return [
        jax.with_(label="sequential fp32"),
        jax.with_(strategy="batched", batch_size=batch_size, label=f"batched fp32 b{batch_size}"),
        jax.with_(strategy="batched", batch_size=batch_size, dtype="bfloat16", label=f"batched bf16 b{batch_size}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--clip", action="append", help="only these clips (by name); default: every long clip")
    parser.add_argument("--save", type=Path, help="write each transcript here, as CLIP.CONFIG.txt")
    args = parser.parse_args()
    clips = [c for c in CLIPS + [TEST_CLIP] if c.name in args.clip] if args.clip else CLIPS
    made = [(clip, *make(clip)) for clip in clips]
    console = Console(width=160)
    texts: dict[tuple[str, str], str] = {}
    for config in configs(args.model, args.batch_size):
        backend = backends.create(config.backend)
        backend.load(config, weights.resolve(config.model))
        for clip, path, _ in made:
            with audio.decoded(path) as decoded:
                transcript = backend.transcribe(decoded, config, lambda *_: None, threading.Event())
            texts[clip.name, config.label] = transcript.text
            console.print(f"[dim]{clip.name}: {config.label} done[/]")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{clip.name}.{config.label.replace(' ', '-')}.txt").write_text(transcript.text)
        backend.release()

    table = Table(title=f"JAX long form, {args.model}: what batching loses")
    for column in ("clip", "minutes", "voice", "wpm", "config", "WER", "longest lost", "lost where sequential kept"):
        table.add_column(column, justify="left" if column in ("clip", "voice", "config") else "right")
    for clip, path, reference in made:
        minutes = f"{audio.load(path).seconds / 60:.1f}"
        sequential = texts[clip.name, "sequential fp32"]
        for config in configs(args.model, args.batch_size):
            text = texts[clip.name, config.label]
            kept = "-" if text is sequential else str(len(longest_dropped_span(reference, text, kept_by=sequential)))
            table.add_row(clip.name, minutes, clip.voice, str(clip.wpm), config.label, f"{wer(reference, text):.3f}",
                          str(len(longest_dropped_span(reference, text))), kept)
    console.print(table)


if __name__ == "__main__":
    main()
