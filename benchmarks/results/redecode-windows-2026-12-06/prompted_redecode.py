"""Runs another script with each window decoded again prompted as sequential prompts
its windows: `sot_prev`, the last 223 tokens (timestamps included) of the first-pass
window before it, then the SOT sequence. One window per call, since a call shares one
prompt. An experiment, not in the code.

    [SEAMS_REDECODE_REACH_SECONDS=30] PYTHONPATH=. .venv/bin/python \
        benchmarks/results/redecode-windows-2026-12-06/prompted_redecode.py \
        benchmarks/results/redecode-windows-2026-12-06/corpus_knobs.py float32 CLIP ...
"""
import os, sys
from asr_tui.core.backends.longform import loops
src = open(loops.__file__).read()
old = """        for first in range(0, len(redo), size):
            check_cancel(cancel)
            group = [r.window for r in redo[first : first + size]]
            found += decode(group, prompt, size)"""
new = """        for r in redo:
            check_cancel(cancel)
            before = [s for s in decoded if s < r.window.start]
            previous = decoded[max(before)].tokens if before else []
            p = ([tokenizer.sot_prev] + previous[-223:] + prompt) if previous else prompt
            found += decode([r.window], p, 1)"""
assert old in src
ns = vars(loops)
exec(compile(src.replace(old, new), loops.__file__, "exec"), ns)
script = sys.argv[1]; sys.argv = sys.argv[1:]
exec(compile(open(script).read(), script, "exec"), {"__name__": "__main__"})
