"""Accuracy and memory measurements that every backend's runs share."""

from __future__ import annotations

import re
import resource
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

UNSTABLE_CV = 0.10  # warm passes spread this wide or wider (stdev / mean) are marked unstable


def normalizer(language: str | None):
    """Whisper's own normalizers: the English one folds spellings, numbers and
    contractions, so WER counts recognition errors rather than style."""
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language in (None, "en") else BasicTextNormalizer()


def normalizers(language: str | None) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """Whisper's normaliser for a reference, its words in parentheses kept, and for a
    transcript, as Whisper's benchmarks use it; one normaliser built for both.

    The normaliser drops whatever stands between parentheses or brackets. In a
    transcript that is the model's note of a sound ("(upbeat music)"); in a reference
    it is mostly words the speaker says: on an article read aloud, a parenthesised
    paragraph of 75 words vanished from the reference, and every backend's transcript
    of it counted as 75 words added. So a reference's parentheses are taken away
    before the normaliser, their words kept; brackets ("[laughter]", "<unk>") still
    mark what was not said."""
    normalize = normalizer(language)
    return (lambda reference: normalize(_PARENTHESES.sub(" ", reference))), normalize


_PARENTHESES = re.compile(r"[()]")


def normaliser_name(language: str | None) -> str:
    """The normaliser a WER was counted after, named with the package version that
    defines it: its rules change between releases, and a WER is only comparable with
    one counted after the same rules."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("openai-whisper")
    except PackageNotFoundError:
        release = "unknown"
    return (f"whisper.normalizers.{type(normalizer(language)).__name__} (openai-whisper {release}), "
            "the reference's words in parentheses kept")


@dataclass(frozen=True)
class WordErrors:
    """One transcript's alignment against its reference, in counts that add up over
    a corpus (a corpus WER is the sum of errors over the sum of reference words, not
    a mean of per-file WERs)."""

    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def __add__(self, other: "WordErrors") -> "WordErrors":
        return WordErrors(self.substitutions + other.substitutions, self.deletions + other.deletions,
                          self.insertions + other.insertions, self.reference_words + other.reference_words)

    @property
    def wer(self) -> float:
        if self.reference_words == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.reference_words


def word_errors(reference: str, hypothesis: str, language: str | None = "en", normalise: bool = True) -> WordErrors:
    """Align with jiwer after Whisper's normaliser (`normalizers`), or, with `normalise` false, on the
    words as written (split on whitespace only: case and punctuation count), the raw
    WER shown beside the normalised one so a reader sees how much the normaliser
    forgave."""
    import jiwer

    if normalise:
        for_reference, for_transcript = normalizers(language)
        ref, hyp = for_reference(reference).split(), for_transcript(hypothesis).split()
    else:
        ref, hyp = reference.split(), hypothesis.split()
    if not ref or not hyp:  # nothing to align: every word is inserted or deleted
        return WordErrors(0, len(ref), len(hyp), len(ref))
    out = jiwer.process_words(" ".join(ref), " ".join(hyp))
    return WordErrors(out.substitutions, out.deletions, out.insertions, len(ref))


def wer(reference: str, hypothesis: str, language: str | None = "en") -> float:
    return word_errors(reference, hypothesis, language).wer


def rtfx(audio_seconds: float, compute_seconds: float) -> float:
    return audio_seconds / compute_seconds if compute_seconds > 0 else float("inf")


def median(values: list[float]) -> float:
    return statistics.median(values)


def coefficient_of_variation(values: list[float]) -> float | None:
    """Sample standard deviation over the mean: how far repeated timings of the same
    work disagree. Needs two values."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.stdev(values) / mean if mean > 0 else None


def rss_mb() -> float | None:
    """This process's resident memory now, in MiB."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except Exception:  # noqa: BLE001 - a memory figure is never worth a failed run
        return None


def available_memory_mb() -> float | None:
    """Memory the system can give without swapping, in MiB (psutil's `available`)."""
    try:
        import psutil

        return psutil.virtual_memory().available / 2**20
    except Exception:  # noqa: BLE001 - unknown memory is no reason to fail a run
        return None


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
