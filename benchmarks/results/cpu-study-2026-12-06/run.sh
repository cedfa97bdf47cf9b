#!/bin/bash
# The decomposed study at this commit, one process per configuration, as in
# ../cpu-study-xeon-2026-12-05/. Run from the repository root with nothing else running;
# each N.log starts with the load average before its run.
set -u
D=benchmarks/results/cpu-study-2026-12-06
C=~/.cache/asr-tui/benchmarks/long-speech-x2.wav
run() {
    name=$1; shift
    uptime > $D/$name.log
    .venv/bin/asr-tui run --model tiny.en --threads 2 --warmup 1 --repeat 2 --reference $D/reference.txt \
        --json $D/$name.json "$@" $C >> $D/$name.log 2>&1
}
run 1-pytorch-seq --backend pytorch
run 2-pytorch-b16 --backend pytorch --strategy batched --batch-size 16
run 3-pytorch-b16-bf16 --backend pytorch --strategy batched --batch-size 16 --dtype bfloat16
run 4-jax-seq --backend jax
run 5-jax-b16 --backend jax --strategy batched --batch-size 16
run 6-jax-b16-bf16 --backend jax --strategy batched --batch-size 16 --dtype bfloat16
run 6t-jax-b16-bf16-t0 --backend jax --strategy batched --batch-size 16 --dtype bfloat16 --temperatures 0
run 9-wjax-bf16-b16 --backend whisper-jax --strategy batched --batch-size 16 --temperatures 0 --dtype bfloat16
