"""Accuracy and memory measurements that every backend's runs share."""

from __future__ import annotations

import resource
import statistics
from pathlib import Path


def normalizer(language: str | None):
    """Whisper's own normalizers: the English one folds spellings, numbers and
    contractions, so WER counts recognition errors rather than style."""
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language in (None, "en") else BasicTextNormalizer()


def wer(reference: str, hypothesis: str, language: str | None = "en") -> float:
    import jiwer

    normalize = normalizer(language)
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref.strip():
        return 0.0 if not hyp.strip() else 1.0
    return float(jiwer.wer(ref, hyp or "<empty>"))


def rtfx(audio_seconds: float, compute_seconds: float) -> float:
    return audio_seconds / compute_seconds if compute_seconds > 0 else float("inf")


def median(values: list[float]) -> float:
    return statistics.median(values)


class PeakRss:
    """Peak resident memory of this process during a block, in MiB.

    Linux resets the high-water mark when "5" is written to /proc/self/clear_refs,
    which gives an exact per-run peak; elsewhere the process-lifetime peak is all
    there is, and it is reported as such.
    """

    def __init__(self) -> None:
        self.exact = False

    def start(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.exact = True
        except OSError:
            self.exact = False

    def peak_mb(self) -> float:
        if self.exact:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
