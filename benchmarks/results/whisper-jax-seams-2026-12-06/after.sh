#!/bin/bash
# The whisper-jax rows again at b362e7d: the fixed-stride seam cut, and segments timed
# from the right token (before_after.sh's "after" rows ran at d76fc51, with the first
# merge, and were replaced by these). Same flags, same folders.
set -u
D=benchmarks/results/whisper-jax-seams-2026-12-06
B=~/.cache/asr-tui/benchmarks
for clip in $B/long-speech-x2.wav $B/clips/workshop-m3-160-sentence-pauses-*.wav $B/clips/library-scot-165-*.wav; do
    out=$D/$(basename "$clip" .wav | sed 's/-[0-9a-f]\{12\}$//')
    for dtype in bfloat16 float32; do
        uptime > "$out/whisper-jax-$dtype.log"
        .venv/bin/asr-tui run --model tiny.en --threads 2 --warmup 1 --repeat 2 --reference "${clip%.wav}.txt" \
            --json "$out/whisper-jax-$dtype.json" --backend whisper-jax --strategy batched --batch-size 16 \
            --temperatures 0 --dtype $dtype "$clip" >> "$out/whisper-jax-$dtype.log" 2>&1
    done
done
