"""Scores transcripts that `benchmarks.long_form --save` wrote, again, with the code
checked out now (its reference normaliser): the probe's first run, at c92ae65, counted
after the rule that dropped a reference's words in parentheses.

    PYTHONPATH=. .venv/bin/python benchmarks/results/rust-book-2026-12-07/score.py CLIPS_DIR SAVED_DIR
"""
import sys
from pathlib import Path

from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.wholeness import longest_repetition

clips, saved = Path(sys.argv[1]), Path(sys.argv[2])
for reference_file in sorted(wav.with_suffix(".txt") for wav in clips.glob("*.wav")):
    reference = reference_file.read_text()
    for backend in ("jax", "pytorch"):
        sequential = align(reference, (saved / f"{reference_file.stem}+0.{backend}-sequential-fp32.txt").read_text())
        for row in ("sequential-fp32", "batched-fp32-b16", "batched-bf16-b16"):
            text = (saved / f"{reference_file.stem}+0.{backend}-{row}.txt").read_text()
            aligned = align(reference, text)
            kept = "-" if row.startswith("sequential") else len(aligned.longest_lost(sequential))
            print(f"{reference_file.stem:34s} {backend:8s} {row:17s} WER {word_errors(reference, text).wer:.3f} "
                  f"lost {len(aligned.longest_lost()):3d} lost-where-seq-kept {kept:>3} "
                  f"added {len(aligned.longest_added()):3d} repeated {longest_repetition(text).words:3d}")
