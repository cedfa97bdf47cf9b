# JAX batched rows on the seven handmade clips at c3ce5b3 (sequential rows are unchanged since 0cd001e)
A=/work/main/.venv/bin/asr-tui
C="gpl3-rp-155.wav apache-f4-195.wav mpl-gbclan-175.wav gpl3-headings-m7-170.wav gfdl-f2-140.wav dialogue-gpl2.wav slow-words.wav"
$A run --backend jax --strategy batched --batch-size 16 --warmup 0 --repeat 1 --json c3ce5b3-jax-b16.json $C > /dev/null 2>&1
$A run --backend jax --strategy batched --batch-size 16 --dtype bfloat16 --warmup 0 --repeat 1 --json c3ce5b3-jax-b16-bf16.json $C > /dev/null 2>&1
