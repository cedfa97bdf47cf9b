"""The longest run of reference words a transcript lost (no model)."""

from __future__ import annotations

from asr_tui.core.alignment import deleted, longest_dropped_span

REFERENCE = "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima."


def test_a_skipped_stretch_is_one_run():
    hypothesis = "Alpha bravo charlie india juliet kilo lima."
    span = longest_dropped_span(REFERENCE, hypothesis)
    assert (span.start, span.words) == (3, ("delta", "echo", "foxtrot", "golf", "hotel"))
    assert len(span) == 5


def test_scattered_losses_are_short_runs():
    hypothesis = "Alpha charlie delta foxtrot golf india juliet lima."
    assert sum(deleted(REFERENCE, hypothesis)) == 4
    assert len(longest_dropped_span(REFERENCE, hypothesis)) == 1


def test_misheard_words_are_not_lost():
    """A substitution is an error, but the audio was heard: it does not extend a run."""
    hypothesis = "Alpha bravo charlie delta etcher fox trot gulf hotel india juliet kilo lima."
    assert sum(deleted(REFERENCE, hypothesis)) == 0
    assert len(longest_dropped_span(REFERENCE, hypothesis)) == 0


def test_words_the_other_transcript_lost_too_are_not_counted():
    batched = "Alpha bravo charlie delta india juliet kilo lima."  # lost echo to hotel
    sequential = "Alpha bravo charlie delta echo foxtrot india juliet kilo lima."  # lost golf, hotel
    assert len(longest_dropped_span(REFERENCE, batched)) == 4
    assert longest_dropped_span(REFERENCE, batched, kept_by=sequential).words == ("echo", "foxtrot")


def test_normalised_as_the_wer_is():
    assert len(longest_dropped_span("Mr. Smith isn't here.", "mister smith is not here")) == 0
    assert longest_dropped_span("Mr. Smith isn't here.", "").words == ("mister", "smith", "is", "not", "here")
