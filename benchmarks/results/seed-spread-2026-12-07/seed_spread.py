"""How far tiny.en's sampled fallback alone moves a transcript: each clip decoded by one
backend's sequential and batched b16 rows with several seeds (the seed of the
temperature fallback's sampling; nothing else changes), each transcript saved as
OUT/CLIP.ROW.sSEED.txt, and per clip the WER and the longest run of reference words
each transcript lost that another kept.

    PYTHONPATH=. .venv/bin/python seed_spread.py OUT jax|pytorch float32|bfloat16 SEEDS WAV...

SEEDS is comma-separated, e.g. 0,1,2. Printed per clip: every transcript's WER, then
'A vs B: N' for each pair, the longest run lost in A that B kept.
"""
import itertools
import sys
import threading
from pathlib import Path

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors

out, name, dtype = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
seeds = [int(s) for s in sys.argv[4].split(",")]
wavs = [Path(p) for p in sys.argv[5:]]
short = {"float32": "fp32", "bfloat16": "bf16"}[dtype]
base = RunConfig(backend=name, model="tiny.en", warmup=0, repeat=1, dtype=dtype)
rows = {"sequential": base, f"batched-{short}-b16": base.with_(strategy="batched", batch_size=16)}
out.mkdir(parents=True, exist_ok=True)
texts: dict[tuple[str, str, int], str] = {}
for row, config in rows.items():
    backend = backends.create(name)
    backend.load(config, weights.resolve("tiny.en"))
    for wav in wavs:
        for seed in seeds:
            saved = out / f"{wav.stem}.{row}.s{seed}.txt"
            if not saved.exists():
                with audio.decoded(wav) as decoded:
                    transcript = backend.transcribe(decoded, config.with_(seed=seed), lambda *_: None, threading.Event())
                saved.write_text(transcript.text)
                print(f"{wav.stem} {row} seed {seed} done", flush=True)
            texts[wav.stem, row, seed] = saved.read_text()
    backend.release()

for wav in wavs:
    reference = wav.with_suffix(".txt").read_text()
    keys = [(row, seed) for row in rows for seed in seeds]
    aligned = {key: align(reference, texts[wav.stem, *key]) for key in keys}
    print(f"\n{wav.stem}")
    for row, seed in keys:
        print(f"  {row} s{seed}: WER {word_errors(reference, texts[wav.stem, row, seed]).wer:.4f}")
    for a, b in itertools.permutations(keys, 2):
        if a[0] == b[0] or b[0] == "sequential":  # within a row, and each row against sequential
            print(f"  {a[0]} s{a[1]} vs {b[0]} s{b[1]}: {len(aligned[a].longest_lost(aligned[b]))}")
