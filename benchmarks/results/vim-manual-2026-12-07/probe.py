"""Held-out-style probe: Vim's user manual (`prose.py`) read by voices the corpus
lacks, at rates from 120 to 260 wpm, continuous or with pauses after sentences or
paragraphs. JAX sequential fp32, batched fp32 and bf16 b16, PyTorch sequential and
batched fp32 b16: WER and the longest run lost (and lost where the same framework's
sequential kept it). Clips, references and transcripts (texts.json) go to /tmp/s25/vim.

    PYTHONPATH=.:benchmarks/results/vim-manual-2026-12-07 .venv/bin/python benchmarks/results/vim-manual-2026-12-07/probe.py [NAME,NAME,...]
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
    "vim-gb-annie-180": (0, 1500, "en-gb+Annie", 180, 0, "paragraph"),
    "vim-us-michael-250": (45, 2200, "en-us+Michael", 250, 0, "paragraph"),
    "vim-rp-croak-150-sentences": (100, 1200, "en-gb-x-rp+croak", 150, 800, "sentence"),
    "vim-wmids-grandpa-165-paragraphs": (140, 1400, "en-gb-x-gbcwmd+grandpa", 165, 3000, "paragraph"),
    "vim-lancs-alex-120": (190, 1000, "en-gb-x-gbclan+Alex", 120, 0, "paragraph"),
    "vim-us-travis-230-paragraphs": (230, 1900, "en-us+travis", 230, 1500, "paragraph"),
    "vim-nyc-linda-200": (280, 1700, "en-us-nyc+Linda", 200, 0, "paragraph"),
    "vim-caribbean-edward-160-sentences": (310, 1300, "en-029+Edward", 160, 400, "sentence"),
}
CONFIGS = [  # label, backend, strategy, dtype, the sequential row it is held to
    ("jax seq fp32", "jax", "sequential", "float32", None),
    ("jax bat fp32", "jax", "batched", "float32", "jax seq fp32"),
    ("jax bat bf16", "jax", "batched", "bfloat16", "jax seq fp32"),
    ("pt seq fp32", "pytorch", "sequential", "float32", None),
    ("pt bat fp32", "pytorch", "batched", "float32", "pt seq fp32"),
]
OUT = Path("/tmp/s25/vim")


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
