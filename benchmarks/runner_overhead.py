"""How much does asr-tui's runner add to openai-whisper's own transcribe?

Runs one long clip alternately through a bare `whisper.transcribe` call and through
the runner (events, progress hook, memory probe), in one process on one loaded
model with the same decoding options, and prints the medians and their ratio.
The runner must stay within 3% of the bare call.

    .venv/bin/python -m benchmarks.runner_overhead [--rounds 3] [--model tiny.en]
"""

from __future__ import annotations

import statistics
import time

from benchmarks import arguments
from benchmarks.long_clip import long_clip
from asr_tui.core import audio, events, threads
from asr_tui.core.config import RunConfig
from asr_tui.core.runner import Runner


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--rounds", type=arguments.positive, default=3, help="rounds of the two calls, alternated")
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    args = parser.parse_args()

    import torch
    import whisper

    path, _ = long_clip()
    samples = audio.load(path).samples
    config = RunConfig(model=args.model, warmup=0, repeat=1)
    torch.set_num_threads(threads.resolve(config.threads))  # as the runner does, in its own thread

    passes: list[float] = []
    runner = Runner(lambda e: passes.append(e.seconds) if isinstance(e, events.PassFinished) else None)
    runner.wait(runner.submit(config, [path]))  # loads the model and warms caches
    model = runner.resident_backend.model  # the very same resident module

    bare, through_runner = [], []
    for _ in range(args.rounds):
        torch.manual_seed(config.seed)
        start = time.perf_counter()
        with torch.inference_mode():
            whisper.transcribe(
                model, samples, verbose=None, temperature=config.temperatures,
                compression_ratio_threshold=config.compression_ratio_threshold,
                logprob_threshold=config.logprob_threshold, no_speech_threshold=config.no_speech_threshold,
                condition_on_previous_text=config.condition_on_previous_text, beam_size=None,
                best_of=config.best_of, language="en", task="transcribe", fp16=False,
            )
        bare.append(time.perf_counter() - start)
        runner.wait(runner.submit(config, [path]))
        through_runner.append(passes[-1])
    runner.close()

    b, r = statistics.median(bare), statistics.median(through_runner)
    print(f"clip: {len(samples) / 16000:.1f} s of speech, model {args.model}, {threads.resolve(config.threads)} threads, {args.rounds} rounds")
    print(f"bare whisper.transcribe  median {b:.3f} s  runs {[round(x, 3) for x in bare]}")
    print(f"asr-tui runner pass      median {r:.3f} s  runs {[round(x, 3) for x in through_runner]}")
    print(f"runner / bare = {r / b:.4f}  (overhead {100 * (r / b - 1):+.2f}%, target < +3%)")


if __name__ == "__main__":
    main()
