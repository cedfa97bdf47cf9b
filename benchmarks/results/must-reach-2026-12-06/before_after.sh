#!/bin/bash
# The batched rows before (a20608b) and after `loops.must_reach`, one process per
# configuration, before and after alternating, on three clips: the 8.3-minute clip (with
# both sequential rows, so its folder is the whole decomposed study) and the two corpus
# clips where batched windows stopped early most. Run from the repository root with
# nothing else running, given a checkout of a20608b (its code goes first on the import path):
#     bash benchmarks/results/must-reach-2026-12-06/before_after.sh /path/to/checkout-of-a20608b
set -u
D=benchmarks/results/must-reach-2026-12-06
OLD=$(mktemp -d) && ln -s "$(realpath "$1")" "$OLD/asr_tui"
B=~/.cache/asr-tui/benchmarks
run() {  # folder, name, flags...
    mkdir -p "$1"
    uptime > "$1/$2.log"
    .venv/bin/asr-tui run --model tiny.en --threads 2 --warmup 1 --repeat 2 --reference "${clip%.wav}.txt" \
        --json "$1/$2.json" "${@:3}" "$clip" >> "$1/$2.log" 2>&1
}
for clip in $B/long-speech-x2.wav $B/clips/workshop-m3-160-sentence-pauses-*.wav $B/clips/library-scot-165-*.wav; do
    out=$D/$(basename "$clip" .wav | sed 's/-[0-9a-f]\{12\}$//')
    run "$out" 1-pytorch-seq --backend pytorch
    PYTHONPATH=$OLD run "$out/before" 1-pytorch-seq --backend pytorch
    [ "$(basename "$clip")" = long-speech-x2.wav ] && run "$out" 4-jax-seq --backend jax
    for config in "2-pytorch-b16 pytorch float32" "3-pytorch-b16-bf16 pytorch bfloat16" \
                  "5-jax-b16 jax float32" "6-jax-b16-bf16 jax bfloat16"; do
        set -- $config
        PYTHONPATH=$OLD run "$out/before" "$1" --backend "$2" --dtype "$3" --strategy batched --batch-size 16
        run "$out" "$1" --backend "$2" --dtype "$3" --strategy batched --batch-size 16
    done
done
