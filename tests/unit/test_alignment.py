"""The longest run of reference words a transcript lost (no model)."""

from __future__ import annotations

from asr_tui.core.alignment import ADDED_RUN, deleted, longest_added_span, longest_dropped_span

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


def test_a_seam_kept_twice_heard_differently_is_one_added_run():
    """Two windows heard the overlap differently: the copies differ, so no phrase
    repeats word for word, but every word of the second copy has nothing in the
    reference for it."""
    reference = "Whenever I find myself growing grim about the mouth, whenever it is a damp, drizzly November in my soul."
    kept_twice = ("Whenever I find myself throwing grim amount of mouth, whenever it is a nam grisly November in my soul. "
                  "Whenever I find myself throwing rib about the mouth, whenever it is a nam there is no member in my soul.")
    # where the run lies is the alignment's choice (here across the two copies); its length is what counts
    assert len(longest_added_span(reference, kept_twice)) >= ADDED_RUN


def test_misheard_words_are_not_added():
    hypothesis = "Alpha bravo charlie delta etcher fox trot gulf hotel india juliet kilo lima."
    assert len(longest_added_span(REFERENCE, hypothesis)) == 1  # "fox trot" for "foxtrot": one word more
    assert len(longest_added_span(REFERENCE, REFERENCE + " Thank you for watching.")) == 4
    assert len(longest_added_span(REFERENCE, "")) == 0
