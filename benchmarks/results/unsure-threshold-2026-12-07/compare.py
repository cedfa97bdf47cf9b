"""Per clip: sequential, batched at the committed threshold, batched with the patch.

    PYTHONPATH=. .venv/bin/python compare.py BACKEND ROW SEQ_DIR BASE_DIR NEW_DIR WAV...

Each *_DIR holds CLIP+0.BACKEND-ROW.txt transcripts (`benchmarks.long_form --save`,
or `only_batched.py`); ROW is e.g. batched-fp32-b16. A '!' marks a batched row more
than a point behind sequential; kl is the longest run of reference words lost that
sequential kept. The last line is each column's corpus WER."""
import sys
from pathlib import Path

from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors

backend, row, seq_dir, base_dir, new_dir = sys.argv[1], sys.argv[2], *map(Path, sys.argv[3:6])
totals = {"base": [0.0, 0], "new": [0.0, 0], "seq": [0.0, 0]}
for wav in map(Path, sys.argv[6:]):
    ref = wav.with_suffix(".txt").read_text()
    seq = (seq_dir / f"{wav.stem}+0.{backend}-sequential-fp32.txt").read_text()
    seq_alignment, seq_wer = align(ref, seq), word_errors(ref, seq).wer
    line = f"{wav.stem[:30]:30s} seq {seq_wer:.3f}"
    for key, folder in (("base", base_dir), ("new", new_dir)):
        text = (folder / f"{wav.stem}+0.{backend}-{row}.txt").read_text()
        wer, alignment = word_errors(ref, text).wer, align(ref, text)
        totals[key][0] += wer * len(alignment.reference)
        totals[key][1] += len(alignment.reference)
        flag = "!" if wer - seq_wer > 0.01 else " "
        line += f" | {key} {wer:.3f} {(wer - seq_wer) * 100:+5.1f}{flag} kl {len(alignment.longest_lost(seq_alignment)):3d}"
    totals["seq"][0] += seq_wer * len(seq_alignment.reference)
    totals["seq"][1] += len(seq_alignment.reference)
    print(line)
print({key: round(errors / words, 4) for key, (errors, words) in totals.items()})
