#!/bin/bash
# The study-decomposed-cpu preset in one process, passes interleaved round-robin, so a
# slower stretch of the sitting falls on every configuration alike. From the repository root.
D=benchmarks/results/cpu-study-2026-12-06/interleaved
uptime > $D/run.log
.venv/bin/asr-tui run --preset study-decomposed-cpu --interleave --threads 2 --warmup 1 --repeat 3 \
    --reference benchmarks/results/cpu-study-2026-12-06/reference.txt --json $D/study.json \
    ~/.cache/asr-tui/benchmarks/long-speech-x2.wav >> $D/run.log 2>&1
