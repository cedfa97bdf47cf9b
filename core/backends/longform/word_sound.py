"""How much sound the words of a transcript take: the judge of a segment the model
stamped over more speech than it said (`pauses.Cuts`). Words are counted as
spoken (`spoken_words`), long ones by their syllables (`syllables`), and a
recording's own pace, once known, bounds them all (`most_sound`).
"""

from __future__ import annotations

import re
import unicodedata

WORD_SOUND_FRAMES = 10  # the least sound a word takes: 0.1 s
SPARSE_WORD_FRAMES = 60  # sound a segment holds for each of its words when it has too few: 0.6 s
SYLLABLE_FRAMES = 35  # or for each syllable, where its words are long: 0.35 s, said slowly
SPARE_FRAMES = 100  # sound beyond that which is still not too much for the words: 1 s
PACE_SLACK = 1.8  # how much slower than its recording's pace a segment may be said


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Tibetan,
# kana, CJK ideographs.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u0f00-\u0fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def spoken_words(text: str) -> int:
    """How many words a transcript says, for the sound they take: those between
    spaces, and each character of a script written without them (a syllable or
    more: never fewer words than were said, so never judged too few)."""
    return len(_UNSPACED.sub("", text).split()) + len(_UNSPACED.findall(text))


# A syllable each: a group of vowels of the Latin, Cyrillic or Greek alphabet (once
# accents are taken off), a digit ("2007" says four or so), a Hangul block; and a
# letter or digit each of a word spelled out in capitals ("GPL's", "D.N.U.", "MP3").
_VOWELS_OR_DIGIT = re.compile("[aeiouyаеёиоуыэюяαεηιουω]+|[0-9]", re.IGNORECASE)
_HANGUL = re.compile("[\uac00-\ud7a3]")
_SPELLED = re.compile(r"(?:[A-Z0-9]\.?){2,}(?:'?s)?")
_OUTER_PUNCTUATION = re.compile(r"^\W+|\W+$")
_JOINED = re.compile("[-/]")  # words said as their parts: "USB-C", "and/or"
_CAPITAL = re.compile("[A-Z]")
# A unit of up to six letters or marks said eight times or more in a row, whatever its
# case: laughter ("hahaha"), song ("lalalala") and numerals ("XXXIII") say theirs fewer.
_LOOPED = re.compile(r"(\D{1,6}?)\1{7,}", re.IGNORECASE)


def syllables(word: str) -> int:
    """About how many syllables a word says ("village" counts three), a letter or
    digit each of a word spelled in capitals, or one for every two letters of a
    script with none of those vowels, one at least. A count too high allows a
    segment more sound, but also makes the recording's pace (`Cuts.paced`) faster
    for every segment: an error every word shares cancels out.

    A unit said again and again in one word (`_LOOPED`) is the decoder looping, and
    counts once: sampled hot, tiny.en ended a window on "kkkk…" (148 letters, 74
    syllables at two letters each), which was allowed the 14.5 s of speech it was
    stamped over, and 47 words sequential kept were lost. Longer units, and loops of
    digits, still count in full."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    bare = _LOOPED.sub(r"\1", bare)
    if len(parts := [part for part in _JOINED.split(bare) if part]) > 1:
        return sum(syllables(part) for part in parts)
    core = _OUTER_PUNCTUATION.sub("", bare)
    if _SPELLED.fullmatch(core) and _CAPITAL.search(core):
        return sum(c.isalnum() for c in core) - core.endswith("s")
    found = len(_VOWELS_OR_DIGIT.findall(bare)) + len(_HANGUL.findall(word))
    return found or max(sum(c.isalpha() for c in bare) // 2, 1)


def syllables_of(text: str) -> int:
    """`syllables` of every word of `text`."""
    return sum(syllables(word) for word in text.split())


def most_sound(text: str, pace: float | None = None) -> int:
    """The most sound, in frames, that the words of `text` take together: the larger
    of `SPARSE_WORD_FRAMES` a word (one at least) and `SYLLABLE_FRAMES` a syllable,
    or, where the recording's `pace` is known and allows less, its syllables said
    `PACE_SLACK` times slower than that. Said slowly, "Responsibility.
    Incorporated." took 3 s: at 0.6 s a word the segment was taken for one that
    skipped speech. At 210 wpm, a window stamped 22 words ("The for-loop makes
    assignments ...") over 14 s of speech, 2.3 times its recording's pace yet
    within 0.35 s a syllable, and the 37 words it skipped were lost."""
    said, words = syllables_of(text), max(spoken_words(text), 1)
    most = max(words * SPARSE_WORD_FRAMES, said * SYLLABLE_FRAMES)
    if pace is None:
        return most
    # never below the least sound its words take, however fast the recording
    return min(most, max(round(said * pace * PACE_SLACK), words * WORD_SOUND_FRAMES))


def more_than_said(frames: int, text: str, pace: float | None = None) -> bool:
    """Whether `frames` of sound are far more than the words of `text` take
    (`most_sound`, at the recording's `pace` where known), by more than
    `SPARE_FRAMES`. At 0.6 s a word and no spare, a heading said alone
    ("Definitions.", 0.84 s of sound at 155 wpm) was taken for a segment that
    skipped speech, and the 17 to 22 words its window heard after it were dropped,
    in every round that decoded it again."""
    return frames > most_sound(text, pace) + SPARE_FRAMES
