"""Runs another script with every window's encoder input running on into the audio
after the window's end, up to 30 s from its start, instead of zero padding
(EXTEND=1); EXTEND=2 also drops a window's segments from the first that ends more
than 0.3 s past the window's end. An experiment, not in the code.

    EXTEND=2 PYTHONPATH=. .venv/bin/python benchmarks/results/redecode-windows-2026-12-06/past_the_cut.py \
        benchmarks/results/redecode-windows-2026-12-06/corpus_knobs.py float32 CLIP ...
"""
import os, sys
from asr_tui.core import log_mel
from asr_tui.core.backends.longform import loops, window as wmod
if os.environ.get("EXTEND"):
    orig = log_mel.window
    log_mel.window = lambda mel, start, size=3000: orig(mel, start, 3000)
if os.environ.get("EXTEND") == "2":
    split = wmod.split_segments
    def patched(tokens, window, tb, decode, keep_tail=False):
        full = wmod.Window(window.start, 3000)
        segs, adv, cons = split(tokens, full, tb, decode, keep_tail=keep_tail)
        kept = []
        for s in segs:
            if s.end > window.end + 0.3:
                break
            kept.append(s)
        return kept, adv, cons
    loops.split_segments = patched
script = sys.argv[1]; sys.argv = sys.argv[1:]
exec(compile(open(script).read(), script, "exec"), {"__name__": "__main__"})
