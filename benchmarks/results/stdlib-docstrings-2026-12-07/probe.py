"""Held-out-style probe: the standard library's docstrings (`prose.py`) read by voices
the corpus lacks, at rates from 110 to 270 wpm, continuous or with pauses after
sentences or paragraphs, one clip over 13 minutes. JAX sequential fp32, batched fp32
and bf16 b16, PyTorch sequential and batched fp32 b16: WER and the longest run lost
(and lost where the same framework's sequential kept it). Clips, references and
transcripts (texts.json) go to /tmp/s25/lib.

    PYTHONPATH=.:benchmarks/results/stdlib-docstrings-2026-12-07 .venv/bin/python benchmarks/results/stdlib-docstrings-2026-12-07/probe.py [NAME,NAME,...]
"""
import json
import sys
import threading
from pathlib import Path

from prose import paragraphs

from asr_tui.core import audio, backends, weights
from asr_tui.core.alignment import align
from asr_tui.core.config import RunConfig
from asr_tui.core.metrics import word_errors
from benchmarks.clips import read_aloud

PROBES = {  # name: (first paragraph, words, voice, wpm, pause ms, pause after: "paragraph" | "sentence")
    "lib-us-mrserious-270": (0, 2500, "en-us+Mr_Serious", 270, 0, "paragraph"),
    "lib-gb-shelby-110": (60, 1000, "en-gb+shelby", 110, 0, "paragraph"),
    "lib-scot-andy-190-sentences": (100, 1500, "en-gb-scotland+Andy", 190, 600, "sentence"),
    "lib-nyc-zac-175": (160, 1600, "en-us-nyc+Zac", 175, 0, "paragraph"),
    "lib-caribbean-anika-200-paragraphs": (220, 1700, "en-029+anika", 200, 2500, "paragraph"),
    "lib-wmids-female5-160": (280, 1400, "en-gb-x-gbcwmd+female5", 160, 0, "paragraph"),
    "lib-us-gene-220-long": (330, 3000, "en-us+Gene", 220, 0, "paragraph"),
    "lib-lancs-norbert-145-sentences": (430, 1200, "en-gb-x-gbclan+norbert", 145, 1000, "sentence"),
}
CONFIGS = [  # label, backend, strategy, dtype, the sequential row it is held to
    ("jax seq fp32", "jax", "sequential", "float32", None),
    ("jax bat fp32", "jax", "batched", "float32", "jax seq fp32"),
    ("jax bat bf16", "jax", "batched", "bfloat16", "jax seq fp32"),
    ("pt seq fp32", "pytorch", "sequential", "float32", None),
    ("pt bat fp32", "pytorch", "batched", "float32", "pt seq fp32"),
]
OUT = Path("/tmp/s25/lib")


def clip(name: str, paras: list[str]) -> tuple[Path, str]:
    wav = OUT / f"{name}.wav"
    return wav, read_aloud(paras, *PROBES[name], wav)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    paras = paragraphs()
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(PROBES)
    clips = {name: clip(name, paras) for name in names}
    texts = {}
    for label, backend_name, strategy, dtype, held_to in CONFIGS:
        backend = backends.create(backend_name)
        config = RunConfig(backend=backend_name, model="tiny.en", warmup=0, repeat=1, strategy=strategy,
                           batch_size=16 if strategy == "batched" else 1, dtype=dtype)
        backend.load(config, weights.resolve("tiny.en"))
        for name, (wav, reference) in clips.items():
            with audio.decoded(wav) as decoded:
                text = backend.transcribe(decoded, config, lambda *_: None, threading.Event()).text
            texts[f"{name}|{label}"] = text
            alignment = align(reference, text)
            kept = ""
            if held_to:
                lost = alignment.longest_lost(align(reference, texts[f"{name}|{held_to}"]))
                kept = f" lost-where-seq-kept {len(lost):3d}"
            print(f"{name:36s} {label} WER {word_errors(reference, text).wer:.3f} "
                  f"lost {len(alignment.longest_lost()):3d}{kept}", flush=True)
        backend.release()
    json.dump(texts, open(OUT / "texts.json", "w"), indent=1)


if __name__ == "__main__":
    main()
