"""Raw and normalised WER side by side, and the normaliser named with its version."""

from __future__ import annotations

from importlib.metadata import version

from asr_tui.core.metrics import normaliser_name, word_errors

REFERENCE = "Mr. Smith isn't here, he left at 7."
HYPOTHESIS = "mister smith is not here he left at seven"


def test_the_normaliser_forgives_style_and_the_raw_wer_does_not():
    normalised = word_errors(REFERENCE, HYPOTHESIS)
    raw = word_errors(REFERENCE, HYPOTHESIS, normalise=False)
    assert normalised.wer == 0.0
    # as written, case, punctuation, the contraction and the digit count: Mr./mister,
    # Smith/smith, isn't/is, here,/not and 7./seven differ, and "here" is inserted
    assert (raw.substitutions, raw.deletions, raw.insertions, raw.reference_words) == (5, 0, 1, 8)
    assert raw.wer == 6 / 8


def test_whitespace_alone_is_not_an_error_even_raw():
    assert word_errors("Four  score\nand seven", " Four score and seven ", normalise=False).wer == 0.0


def test_the_normaliser_is_named_with_the_package_version_that_defines_it():
    release = version("openai-whisper")
    kept = "the reference's words in parentheses kept"
    assert normaliser_name("en") == f"whisper.normalizers.EnglishTextNormalizer (openai-whisper {release}), {kept}"
    assert normaliser_name("de") == f"whisper.normalizers.BasicTextNormalizer (openai-whisper {release}), {kept}"
    assert normaliser_name(None) == normaliser_name("en")  # English-only models report no language


def test_a_corpus_wer_adds_errors_and_words_not_rates():
    short = word_errors("harbour gates", "harbour")  # 1 deletion in 2 words: 0.5
    long = word_errors("a b c d e f g h", "a b c d e f g h")  # 0 in 8
    both = short + long
    assert (both.deletions, both.reference_words) == (1, 10)
    assert both.wer == 0.1  # not the mean of 0.5 and 0.0


def test_a_references_words_in_parentheses_count_and_its_brackets_do_not():
    # Whisper's normaliser drops both; a reference read aloud says what is in parentheses
    reference = "The voice reads this (and this aside too) [laughter] to the end."
    heard = "the voice reads this and this aside too to the end"
    assert word_errors(reference, heard).wer == 0.0
    assert word_errors(reference, "the voice reads this to the end").deletions == 4
    # a transcript's parentheses stay the model's note of a sound, as the normaliser has it
    assert word_errors("the voice reads this", "(upbeat music) the voice reads this").wer == 0.0


def test_a_parenthesised_paragraph_is_not_taken_for_words_added():
    from asr_tui.core.alignment import align

    reference = "It began. (Then came a long aside of nine words in all.) It ended."
    heard = "it began then came a long aside of nine words in all it ended"
    assert len(align(reference, heard).longest_added()) == 0
