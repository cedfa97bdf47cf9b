#!/bin/bash
# whisper-jax before (a4a755f: transformers' merge) and after our seam merge, in bfloat16
# and float32, beside our JAX batched greedy at the same batch size and dtype (its peer
# in issue 13), one process per configuration, on the 8.3-minute clip and two corpus
# clips. Run from the repository root with nothing else running, given a checkout of
# a4a755f (its code goes first on the import path):
#     bash benchmarks/results/whisper-jax-seams-2026-12-06/before_after.sh /path/to/checkout-of-a4a755f
set -u
D=benchmarks/results/whisper-jax-seams-2026-12-06
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
    for dtype in bfloat16 float32; do
        greedy=(--strategy batched --batch-size 16 --temperatures 0 --dtype $dtype)
        run "$out" "jax-$dtype" --backend jax "${greedy[@]}"
        PYTHONPATH=$OLD run "$out/before" "whisper-jax-$dtype" --backend whisper-jax "${greedy[@]}"
        run "$out" "whisper-jax-$dtype" --backend whisper-jax "${greedy[@]}"
    done
done
