# Every row on the first three handmade clips (run in their folder), accuracy first: one pass each.
set -x
A=/work/main/.venv/bin/asr-tui
C="gpl3-rp-155.wav apache-f4-195.wav mpl-gbclan-175.wav"
$A run --preset study-decomposed-cpu --warmup 0 --repeat 1 --json study.json $C > study.out 2> study.err
$A run --backend ctranslate2 --warmup 0 --repeat 1 --json ct2.json $C > ct2.out 2> ct2.err
$A run --backend whisper-jax --dtype bfloat16 --batch-size 16 --temperatures 0 --warmup 0 --repeat 1 --json wj.json $C > wj.out 2> wj.err
# after the fix (b33d667), the same preset again; and JAX on the last two clips
$A run --preset study-decomposed-cpu --warmup 0 --repeat 1 --json after3.json $C > after3.out 2> after3.err
C2="gpl3-headings-m7-170.wav gfdl-f2-140.wav"
$A run --backend jax --strategy batched --batch-size 16 --warmup 0 --repeat 1 --json new_batched.json $C2
$A run --backend jax --warmup 0 --repeat 1 --json new_seq.json $C2
