"""Peak memory against file length: does a 2-hour file cost more than a 10-minute one?

Memory that grows with the file (the whole file decoded, its whole log-mel computed
up front) shows as a long file's peak far above a short file's. The target is a long
file's peak RSS within 1.5x of a short file's on the same backend.

Each length is made by looping the benchmark speech clip (PyAV, window by window, so
making the file costs no memory either) and run by `asr-tui run` in a fresh process
with one pass; the run's own `peak_rss_mb` and the process's lifetime peak are both
printed.

    .venv/bin/python -m benchmarks.long_memory --backend pytorch
    .venv/bin/python -m benchmarks.long_memory --backend jax --strategy batched
    .venv/bin/python -m benchmarks.long_memory --short 20 --long 60   # a quick check
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from asr_tui.core import audio, paths
from benchmarks import arguments
from benchmarks.long_clip import long_clip

FRAME = 4096  # samples per encoded frame


def looped(seconds: float) -> Path:
    """A FLAC of the benchmark clip looped to `seconds`, cached beside the clip."""
    import av

    target = paths.cache_dir() / "benchmarks" / f"looped-{seconds:g}s.flac"
    if target.exists():
        return target
    clip = np.concatenate(list(audio.stream(long_clip()[0])))
    total = round(seconds * audio.SAMPLE_RATE)
    partial = target.with_suffix(".partial.flac")
    with av.open(str(partial), "w") as container:
        stream = container.add_stream("flac", rate=audio.SAMPLE_RATE)
        stream.layout = "mono"
        for start in range(0, total, FRAME):
            indices = np.arange(start, min(start + FRAME, total)) % len(clip)
            pcm = (clip[indices] * 32767).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate = audio.SAMPLE_RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    partial.rename(target)
    return target


def measure(path: Path, backend: str, model: str, extra: list[str]) -> dict:
    """One pass in a fresh process: the run's peak and the process's lifetime peak."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        command = [sys.executable, "-m", "asr_tui.cli.main", "run", "--backend", backend, "--model", model,
                   "--warmup", "0", "--repeat", "1", "--json", str(out), *extra, str(path)]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        stderr = proc.stderr.read()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"asr-tui run failed on {path.name}:\n{stderr}")
        run = json.loads(out.read_text())["runs"][0]
    return {
        "audio_s": run["audio_seconds"], "before_load_mb": run["rss_before_load_mb"],
        "run_peak_mb": run["peak_rss_mb"], "process_peak_mb": usage.ru_maxrss / 1024,
    }


def main() -> None:
    parser = arguments.parser(__doc__)
    parser.add_argument("--backend", default="pytorch", help="the backend measured")
    parser.add_argument("--model", default="tiny.en", help="Whisper model name or path")
    parser.add_argument("--strategy", default="sequential", help="sequential or batched")
    parser.add_argument("--batch-size", type=arguments.positive, default=16, help="windows per batch (batched strategy)")
    parser.add_argument("--short", type=arguments.positive_seconds, default=600.0, help="seconds of the short file (10 minutes)")
    parser.add_argument("--long", type=arguments.positive_seconds, default=7200.0, help="seconds of the long file (2 hours)")
    args = parser.parse_args()
    figures = {}
    for name, seconds in (("short", args.short), ("long", args.long)):
        path = looped(seconds)
        extra = ["--strategy", args.strategy] + (["--batch-size", str(args.batch_size)] if args.strategy == "batched" else [])
        figures[name] = measure(path, args.backend, args.model, extra)
        f = figures[name]
        print(f"{name:5s} {f['audio_s']:8.0f} s audio: before load {f['before_load_mb']:6.0f} MB, "
              f"run peak {f['run_peak_mb']:6.0f} MB, process peak {f['process_peak_mb']:6.0f} MB", flush=True)
    ratio = figures["long"]["run_peak_mb"] / figures["short"]["run_peak_mb"]
    verdict = "within" if ratio <= 1.5 else "OVER"
    print(f"{args.backend} {args.strategy}: long/short run peak = {ratio:.2f} ({verdict} the 1.5x target)")


if __name__ == "__main__":
    main()
