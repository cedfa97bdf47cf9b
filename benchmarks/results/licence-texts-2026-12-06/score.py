"""WER, the longest run of reference words lost and of words added, and the words
repeating a phrase, for each run of the given result documents, against the reference
beside the document or in the folder above it (the clip's name, .txt: brackets taken
away, see handmade_clips.py). The RTFx of these one-pass runs is not a speed figure: other runs
shared the machine.

    PYTHONPATH=. .venv/bin/python benchmarks/results/licence-texts-2026-12-06/score.py DOC.json ...
"""
import json, sys
from pathlib import Path
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.wholeness import longest_repetition
for f in sys.argv[1:]:
    for r in json.load(open(f))["runs"]:
        clip = Path(r["audio"]).stem
        ref = next(p for p in (Path(f).parent / f"{clip}.txt", Path(f).parent.parent / f"{clip}.txt") if p.exists()).read_text()
        a = align(ref, r["text"]); e = word_errors(ref, r["text"])
        print(f"{Path(f).parent.name}/{Path(f).stem:22} {r['config_name'][:34]:34} {clip:20} WER {e.wer:.3f} lost {len(a.longest_lost().words):3d} "
              f"added {len(a.longest_added().words):3d} repeated {longest_repetition(r['text']).words:3d}")
