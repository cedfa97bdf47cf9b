# The six clips of make_clips.py (written to OUT/clips), through each configuration in
# its own process, one pass each (PyTorch sequential ran with the defaults, 1 + 3).
# Run from the repository root with OUT set.
C=$OUT/clips
F="$C/silence-mid-45.wav $C/lead-silence-25.wav $C/noisy-snr10.wav $C/quiet-40db.wav $C/tones-every-min.wav $C/long-12min-m1.wav"
.venv/bin/asr-tui run --backend pytorch --strategy sequential --json $OUT/pt-seq.json $F
.venv/bin/asr-tui run --backend jax --strategy sequential --warmup 0 --repeat 1 --json $OUT/jax-seq.json $F
.venv/bin/asr-tui run --backend jax --strategy batched --batch-size 16 --warmup 0 --repeat 1 --json $OUT/jax-b16.json $F
.venv/bin/asr-tui run --backend jax --strategy batched --batch-size 16 --dtype bfloat16 --warmup 0 --repeat 1 --json $OUT/jax-b16-bf16.json $F
.venv/bin/asr-tui run --backend pytorch --strategy batched --batch-size 16 --warmup 0 --repeat 1 --json $OUT/pt-b16.json $F
.venv/bin/asr-tui run --backend ctranslate2 --strategy sequential --warmup 0 --repeat 1 --json $OUT/ct2-seq.json $F
