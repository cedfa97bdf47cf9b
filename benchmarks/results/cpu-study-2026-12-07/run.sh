#!/bin/bash
# The decomposed study at a62e635 (batched windows unsure of their words decoded again),
# one process per configuration, as in ../cpu-study-2026-12-06/, on the 8.3-minute clip
# of benchmarks.long_clip; then the four fp32/bf16 rows of both backends on the hardest
# GNU-manual clip for the new rule (../gnu-manuals-2026-12-07/, made by its make_clips.py
# into $CLIPS). Run from the repository root with nothing else running; each N.log
# starts with the load average before its run.
set -u
D=benchmarks/results/cpu-study-2026-12-07
C=~/.cache/asr-tui/benchmarks/long-speech-x2.wav
H=$CLIPS/diff-caribbean-iven3-175
run() {
    name=$1; clip=$2; reference=$3; shift 3
    uptime > $D/$name.log
    .venv/bin/asr-tui run --model tiny.en --threads 2 --warmup 1 --repeat 2 --reference $reference \
        --json $D/$name.json "$@" $clip >> $D/$name.log 2>&1
}
run 1-pytorch-seq $C $D/reference.txt --backend pytorch
run 2-pytorch-b16 $C $D/reference.txt --backend pytorch --strategy batched --batch-size 16
run 3-pytorch-b16-bf16 $C $D/reference.txt --backend pytorch --strategy batched --batch-size 16 --dtype bfloat16
run 4-jax-seq $C $D/reference.txt --backend jax
run 5-jax-b16 $C $D/reference.txt --backend jax --strategy batched --batch-size 16
run 6-jax-b16-bf16 $C $D/reference.txt --backend jax --strategy batched --batch-size 16 --dtype bfloat16
mkdir -p $D/caribbean
run caribbean/1-pytorch-seq $H.wav $H.txt --backend pytorch
run caribbean/2-pytorch-b16 $H.wav $H.txt --backend pytorch --strategy batched --batch-size 16
run caribbean/4-jax-seq $H.wav $H.txt --backend jax
run caribbean/6-jax-b16-bf16 $H.wav $H.txt --backend jax --strategy batched --batch-size 16 --dtype bfloat16
