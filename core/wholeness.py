"""Whether a transcript holds the speech once: no long run of reference words lost,
no phrase said again and again, no long run of words the speech did not have.

WER hides these failures a benchmark row must not hide. A long-form strategy that
skips half a minute of audio can score close to one that makes scattered errors, and
a decoder stuck in a loop ("a nem or a nem or ...") or a merge that keeps the words
at a seam twice only adds insertions, which need a reference to be counted at all.
So every result carries the longest run of reference words it lost
(`alignment.longest_dropped_span`) and the longest stretch in which it repeats a
phrase back to back, which needs no reference: people say "no, no, no", rarely the
same ten words again. A reference that repeats itself (a chorus, a text read twice)
sets the bar: the transcript is flagged only for repeating more than it.

A seam kept twice does not always repeat its words: where the two windows heard the
overlap differently ("growing grim about the mouth" in one, "throwing rib about
the mouth" in the other), the copies differ and no phrase repeats. With a reference,
the longest run of words the reference lacks (`alignment.longest_added_span`)
catches it, as it catches a loop or words invented over silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from asr_tui.core.alignment import ADDED_RUN, DROPPED_RUN, align
from asr_tui.core.stability import Note

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult

MAX_PHRASE_WORDS = 256  # the longest phrase looked for repeating: a 30 s window's words kept twice at a seam
REPEATED_RUN = 10  # words repeating a phrase beyond its first copy: this many is a loop, not speech
LOST_MARK, EXTRA_MARK = "-", "="  # speech lost; text the speech did not have (repeated or added)
MARKS = LOST_MARK + EXTRA_MARK
# kana and CJK ideographs: written without spaces, so each character counts as a word
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def loses_speech(lost_words: int | None) -> bool:
    """A run this long lost is skipped audio (or text the audio lacks), not scattered errors."""
    return lost_words is not None and lost_words >= DROPPED_RUN


def adds_text(added_words: int | None) -> bool:
    """A run this long the reference lacks is text added, not scattered errors."""
    return added_words is not None and added_words >= ADDED_RUN


def loops(repeated_words: int | None, reference_repeated_words: int | None) -> bool:
    """Ten words or more repeating a phrase, past what the reference itself repeats."""
    return repeated_words is not None and repeated_words >= max(REPEATED_RUN, (reference_repeated_words or 0) + 1)


@dataclass(frozen=True)
class Repetition:
    """A phrase said again back to back: `words` words after its first copy repeat it."""

    phrase: tuple[str, ...]
    words: int


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation; a kana or ideograph is a word of its own."""
    return [part for token in re.findall(r"[\w']+", text.lower())
            for part in (UNSPACED.findall(token) if UNSPACED.search(token) else [token])]


def longest_repetition(text: str) -> Repetition:
    """The longest stretch of `text` that repeats the phrase before it, over phrases of
    1 to `MAX_PHRASE_WORDS` words; a phrase and one full copy at least. Words are
    compared as `words_of` gives them: a loop says the same words, so Whisper's
    normaliser (whose import loads PyTorch) is not needed. Words i and i + n agreeing
    over a run of r words means those r words repeat the n before them."""
    words = words_of(text)
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(word, len(index)) for word in words], dtype=np.intp)
    best = Repetition((), 0)
    for n in range(1, min(MAX_PHRASE_WORDS, len(words) // 2) + 1):
        same = np.concatenate(([False], ids[n:] == ids[:-n], [False]))
        edges = np.flatnonzero(np.diff(same.astype(np.int8)))
        starts, ends = edges[::2], edges[1::2]
        if not len(starts):
            continue
        longest = int(np.argmax(ends - starts))
        run = int(ends[longest] - starts[longest])
        if run >= n and run > best.words:
            best = Repetition(tuple(words[starts[longest] : starts[longest] + n]), run)
    return best


@dataclass(frozen=True)
class Wholeness:
    """What a result records about its transcript: the longest run of reference words
    lost and of words added (None without a reference) and the longest repetition,
    the reference's own beside it."""

    lost_words: int | None
    lost_text: str | None
    added_words: int | None
    added_text: str | None
    repeated_words: int
    repeated_phrase: str
    reference_repeated_words: int | None

    @classmethod
    def of(cls, text: str, reference: str | None, language: str | None) -> "Wholeness":
        repeated = longest_repetition(text)
        aligned = align(reference, text, language) if reference else None  # once, for both runs
        lost = aligned.longest_lost() if aligned else None
        added = aligned.longest_added() if aligned else None
        return cls(
            lost_words=None if lost is None else len(lost),
            lost_text=None if lost is None else " ".join(lost.words),
            added_words=None if added is None else len(added),
            added_text=None if added is None else " ".join(added.words),
            repeated_words=repeated.words,
            repeated_phrase=" ".join(repeated.phrase),
            reference_repeated_words=longest_repetition(reference).words if reference else None,
        )


def _quoted(words: str, most: int = 8) -> str:
    parts = words.split()  # joined with spaces by `Wholeness.of`, unspaced scripts included
    return "'" + " ".join(parts[:most]) + (" ..." if len(parts) > most else "") + "'"


def notes(result: "RunResult") -> list[Note]:
    """Each way a result's transcript is not whole, in the words every view shows:
    speech lost in one run, a phrase repeated past what the reference repeats, words
    added in one run."""
    found = []
    if loses_speech(result.lost_words):
        found.append(Note(LOST_MARK, f"lost {result.lost_words} reference words in a row, {_quoted(result.lost_text or '')} "
                                     "(as the WER reads them): skipped audio, or text the audio lacks"))
    if loops(result.repeated_words, result.reference_repeated_words):
        phrase = result.repeated_phrase or ""
        copies = 1 + result.repeated_words // max(1, len(words_of(phrase)))
        unchecked = " (no reference: speech that repeats itself looks the same)" if result.reference_repeated_words is None else ""
        found.append(Note(EXTRA_MARK, f"says {_quoted(phrase)} {copies} times back to back ({result.repeated_words} "
                                      f"words repeated): a decoding loop or a seam kept twice{unchecked}"))
    if adds_text(result.added_words):
        found.append(Note(EXTRA_MARK, f"added {result.added_words} words in a row that the reference lacks, "
                                      f"{_quoted(result.added_text or '')} (as the WER reads them): a seam kept twice, "
                                      "a decoding loop, invented words, or speech the reference does not have"))
    return found
