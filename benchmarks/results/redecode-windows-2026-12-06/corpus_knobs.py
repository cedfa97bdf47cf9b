"""`../sentence-pauses-2026-12-06/corpus_batched.py` with two additions: a constant of
`seams` or `pauses` set from the environment (SEAMS_NAME=value, PAUSES_NAME=value), and
each run's WER against JAX sequential fp32 at the same shift (points; the figures of
`../long-form-eight-voices-2026-12-05/`, `../sounds-not-speech-2026-12-06/` and
`../sentence-pauses-2026-12-06/`, which no change since has moved), with the rows the
batched calls decoded (their padding included).

    [SEAMS_REDECODE_REACH_SECONDS=30] PYTHONPATH=. .venv/bin/python \
        benchmarks/results/redecode-windows-2026-12-06/corpus_knobs.py float32 [CLIP ...]
"""
import os, sys, threading
from asr_tui.core.backends.longform import seams, pauses, loops
for k, v in os.environ.items():
    if k.startswith("SEAMS_"): setattr(seams, k[6:], float(v))
    if k.startswith("PAUSES_"): setattr(pauses, k[7:], int(v))
from asr_tui.core import backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.metrics import word_errors
from asr_tui.core.config import RunConfig
from asr_tui.core.wholeness import longest_repetition
from benchmarks.clips import CLIPS, make
from benchmarks.long_clip import long_clip
from benchmarks.long_form import shifted
SEQ = {"harbour-us-170": (0.202, 0.190, 0.305), "workshop-gb-150-pauses": (0.145, 0.191, 0.162), "orchard-f3-200": (0.298, 0.261, 0.271),
 "library-us-130-gaps": (0.078, 0.080, 0.084), "city-m3-220": (0.227, 0.270, 0.292), "library-scot-165": (0.278, 0.270, 0.269),
 "harbour-nyc-f2-185-pauses": (0.321, 0.315, 0.333), "city-wmids-240": (0.563, 0.639, 0.689), "long": (0.147, 0.168, 0.138),
 "city-nyc-190-beeps": (0.207, 0.193, 0.185), "harbour-caribbean-175-silence": (0.540, 0.465, 0.357), "workshop-m3-160-sentence-pauses": (0.163, 0.174, 0.159)}
dtype = sys.argv[1]; only = sys.argv[2:]
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype=dtype)
backend = backends.create("jax"); backend.load(config, weights.resolve("tiny.en"))
clips = [(c.name, *make(c)) for c in CLIPS if not only or c.name in only]
if not only or "long" in only:
    clips.append(("long", *long_clip(2)))
calls = [0]
orig = loops.batched
def counted(decode, *a):
    def d(w, p, r, *reach):
        calls[0] += r; return decode(w, p, r, *reach)
    return orig(d, *a)
loops.batched = counted
within = n = 0; errs = refs = 0
for name, path, ref in clips:
    for i, shift in enumerate((0, 0.5, 1)):
        calls[0] = 0
        with shifted(path, shift) as d:
            t = backend.transcribe(d, config, lambda *_: None, threading.Event())
        a = align(ref, t.text); e = word_errors(ref, t.text)
        delta = 100 * (e.wer - SEQ[name][i]); within += delta <= 1; n += 1
        errs += e.wer * len(a.reference); refs += len(a.reference)
        print(f"{name:34s} {shift:4g} {e.wer:.3f} {delta:+5.1f} lost {len(a.longest_lost()):3d} added {len(a.longest_added()):3d} rep {longest_repetition(t.text).words} rows {calls[0]}", flush=True)
print(f"within a point: {within}/{n}, corpus WER {errs/refs:.4f}")
