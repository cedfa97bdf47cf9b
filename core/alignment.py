"""Which reference words a transcript lost, and the longest run of them.

WER alone hides how errors are spread: a long-form strategy that silently skips a
stretch of audio can score close to one that makes scattered mistakes. A run of
consecutive reference words with nothing in the hypothesis for them is the mark of
skipped audio, so the benchmarks and tests report the longest such run.

Words are compared after Whisper's normaliser (as `metrics.wer` does) and aligned by
jiwer, so the counts agree with the WER's own deletions.
"""

from __future__ import annotations

from dataclasses import dataclass

from asr_tui.core.metrics import normalizer

DROPPED_RUN = 10  # consecutive reference words: a run this long lost is dropped speech, not scattered errors


@dataclass(frozen=True)
class Span:
    """A run of consecutive reference words (after normalisation)."""

    start: int  # index of the first word
    words: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


def reference_words(reference: str, language: str | None = "en") -> list[str]:
    return normalizer(language)(reference).split()


def deleted(reference: str, hypothesis: str, language: str | None = "en") -> list[bool]:
    """For each normalised reference word, whether the alignment deletes it."""
    import jiwer

    normalize = normalizer(language)
    ref, hyp = normalize(reference).split(), normalize(hypothesis).split()
    lost = [False] * len(ref)
    if not ref:
        return lost
    if not hyp:
        return [True] * len(ref)
    for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
        if chunk.type == "delete":
            lost[chunk.ref_start_idx : chunk.ref_end_idx] = [True] * (chunk.ref_end_idx - chunk.ref_start_idx)
    return lost


def longest_dropped_span(reference: str, hypothesis: str, kept_by: str | None = None,
                         language: str | None = "en") -> Span:
    """The longest run of consecutive reference words the hypothesis lost.

    With `kept_by` (another transcript of the same audio), a word counts as lost only
    where that transcript kept it: what is left is what the hypothesis's strategy
    lost, not what the model could not hear anyway."""
    lost = deleted(reference, hypothesis, language)
    if kept_by is not None:
        lost = [a and not b for a, b in zip(lost, deleted(reference, kept_by, language))]
    best_start, best_length, start = 0, 0, None
    for index, flag in enumerate(lost + [False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if index - start > best_length:
                best_start, best_length = start, index - start
            start = None
    words = reference_words(reference, language)
    return Span(best_start, tuple(words[best_start : best_start + best_length]))
