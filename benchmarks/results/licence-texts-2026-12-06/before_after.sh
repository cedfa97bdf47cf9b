#!/bin/bash
# The GPL read aloud (benchmarks.clips gpl3-rp-155, 10.1 min): the batched rows before
# (0cd001e) and after this sitting's three fixes (c3ce5b3), one process per
# configuration, before and after alternating, with both sequential rows (unchanged),
# so the folder is the whole decomposed study. Run from the repository root with nothing else running, given a
# checkout of 0cd001e (its code goes first on the import path):
#     bash benchmarks/results/licence-texts-2026-12-06/before_after.sh /path/to/checkout-of-0cd001e
set -u
D=benchmarks/results/licence-texts-2026-12-06/gpl3-rp-155
OLD=$(mktemp -d) && ln -s "$(realpath "$1")" "$OLD/asr_tui"
clip=$(.venv/bin/python -c "from benchmarks.clips import CLIPS, make; print(make(next(c for c in CLIPS if c.name == 'gpl3-rp-155'))[0])")
run() {  # folder, name, flags...
    mkdir -p "$1"
    uptime > "$1/$2.log"
    .venv/bin/asr-tui run --model tiny.en --threads 2 --warmup 1 --repeat 2 --reference "${clip%.wav}.txt" \
        --json "$1/$2.json" "${@:3}" "$clip" >> "$1/$2.log" 2>&1
}
run "$D" 1-pytorch-seq --backend pytorch
run "$D" 4-jax-seq --backend jax
for config in "2-pytorch-b16 pytorch float32" "3-pytorch-b16-bf16 pytorch bfloat16" \
              "5-jax-b16 jax float32" "6-jax-b16-bf16 jax bfloat16"; do
    set -- $config
    PYTHONPATH=$OLD run "$D/before" "$1" --backend "$2" --dtype "$3" --strategy batched --batch-size 16
    run "$D" "$1" --backend "$2" --dtype "$3" --strategy batched --batch-size 16
done
