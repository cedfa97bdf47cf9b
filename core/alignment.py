"""Which reference words a transcript lost and which words it added, and the
longest run of each.

WER alone hides how errors are spread: a long-form strategy that silently skips a
stretch of audio can score close to one that makes scattered mistakes. A run of
consecutive reference words with nothing in the hypothesis for them is the mark of
skipped audio, so the benchmarks and tests report the longest such run. Its twin is
a run of transcript words with nothing in the reference for them: text kept twice
where two windows heard the same words differently (so it does not repeat them
word for word), a decoding loop, or words invented over silence.

Words are compared after Whisper's normaliser (as `metrics.word_errors` does) and aligned by
jiwer, so the counts agree with the WER's own deletions.
"""

from __future__ import annotations

from dataclasses import dataclass

from asr_tui.core.metrics import normalizers

DROPPED_RUN = 10  # consecutive reference words: a run this long lost is dropped speech, not scattered errors
ADDED_RUN = 10  # consecutive transcript words the reference lacks: this many is text added, not scattered errors


@dataclass(frozen=True)
class Span:
    """A run of consecutive words (after normalisation) of the reference, or of the
    transcript for words it added."""

    start: int  # index of the first word
    words: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class Alignment:
    """The normalised words of both sides and, for each, whether jiwer's alignment
    has nothing on the other side for it: reference words lost, transcript words added."""

    reference: list[str]
    hypothesis: list[str]
    lost: list[bool]
    added: list[bool]

    def longest_lost(self, kept_by: "Alignment | None" = None) -> Span:
        """The longest run of reference words lost; with `kept_by` (another transcript
        of the same reference), only where that one kept them."""
        lost = self.lost if kept_by is None else [a and not b for a, b in zip(self.lost, kept_by.lost)]
        start, length = _longest_run(lost)
        return Span(start, tuple(self.reference[start : start + length]))

    def longest_added(self) -> Span:
        """The longest run of transcript words added (indices into the normalised transcript)."""
        start, length = _longest_run(self.added)
        return Span(start, tuple(self.hypothesis[start : start + length]))


def align(reference: str, hypothesis: str, language: str | None = "en") -> Alignment:
    """One alignment of the two after Whisper's normaliser (the reference's words in
    parentheses kept: `metrics.normalizers`), for every run it gives."""
    import jiwer

    for_reference, for_transcript = normalizers(language)
    ref, hyp = for_reference(reference).split(), for_transcript(hypothesis).split()
    lost, added = [not hyp] * len(ref), [not ref] * len(hyp)
    for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0] if ref and hyp else []:
        if chunk.type == "delete":
            lost[chunk.ref_start_idx : chunk.ref_end_idx] = [True] * (chunk.ref_end_idx - chunk.ref_start_idx)
        elif chunk.type == "insert":
            added[chunk.hyp_start_idx : chunk.hyp_end_idx] = [True] * (chunk.hyp_end_idx - chunk.hyp_start_idx)
    return Alignment(ref, hyp, lost, added)


def deleted(reference: str, hypothesis: str, language: str | None = "en") -> list[bool]:
    """For each normalised reference word, whether the alignment deletes it."""
    return align(reference, hypothesis, language).lost


def _longest_run(flags: list[bool]) -> tuple[int, int]:
    """(start, length) of the longest run of True; the first on a tie."""
    best_start, best_length, start = 0, 0, None
    for index, flag in enumerate(flags + [False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if index - start > best_length:
                best_start, best_length = start, index - start
            start = None
    return best_start, best_length


def longest_dropped_span(reference: str, hypothesis: str, kept_by: str | None = None,
                         language: str | None = "en") -> Span:
    """The longest run of consecutive reference words the hypothesis lost.

    With `kept_by` (another transcript of the same audio), a word counts as lost only
    where that transcript kept it: what is left is what the hypothesis's strategy
    lost, not what the model could not hear anyway."""
    other = None if kept_by is None else align(reference, kept_by, language)
    return align(reference, hypothesis, language).longest_lost(other)


def longest_added_span(reference: str, hypothesis: str, language: str | None = "en") -> Span:
    """The longest run of consecutive transcript words the alignment inserts: words
    with nothing in the reference for them (indices into the normalised transcript)."""
    return align(reference, hypothesis, language).longest_added()
