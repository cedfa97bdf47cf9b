"""The longest run of words in capitals (two letters or more; one-letter words skipped,
as `loops.shouted` counts) in each transcript of a probe's texts.json.

    .venv/bin/python benchmarks/results/vim-manual-2026-12-07/capitals.py /tmp/s25/vim/texts.json
"""
import json
import sys

for row, text in json.load(open(sys.argv[1])).items():
    run = longest = 0
    for word in text.split():
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 2:
            run = run + 1 if all(c.isupper() for c in letters) else 0
            longest = max(longest, run)
    print(f"{row:50s} {longest:3d}")
