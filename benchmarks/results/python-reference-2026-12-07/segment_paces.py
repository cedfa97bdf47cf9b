"""Every segment the batched loop (JAX fp32 b16) asks `skipped_speech` about, to JSON:
clip, start, end, text, words, syllables, stamped sound (frames), most_sound (the fixed
rule). The figures in README.md (median frames a syllable, the slowest segments) came
from it, before the pace rule.

    PYTHONPATH=. .venv/bin/python .../segment_paces.py OUT.json CLIP|WAV ...
"""
import sys, threading, json
from asr_tui.core import backends, weights, audio
from asr_tui.core.config import RunConfig
from asr_tui.core.backends.longform import pauses, word_sound
from benchmarks.clips import CLIPS, make
rows = []
orig = pauses.Cuts.skipped_speech
def rec(self, segment):
    sound = sum(s.size for s in self._stamped(segment))
    rows.append((clip_name, segment.start, segment.end, segment.text, word_sound.spoken_words(segment.text),
                 word_sound.syllables_of(segment.text), sound, word_sound.most_sound(segment.text)))
    return orig(self, segment)
pauses.Cuts.skipped_speech = rec
config = RunConfig(backend="jax", model="tiny.en", warmup=0, repeat=1, strategy="batched", batch_size=16, dtype="float32")
b = backends.create("jax"); b.load(config, weights.resolve("tiny.en"))
for clip_name in sys.argv[2:]:
    if clip_name.endswith(".wav"):
        path = clip_name
    else:
        path, _ = make(next(c for c in CLIPS if c.name == clip_name))
    with audio.decoded(path) as d:
        b.transcribe(d, config, lambda *_: None, threading.Event())
    print(clip_name, len(rows), flush=True)
json.dump(rows, open(sys.argv[1], "w"))
