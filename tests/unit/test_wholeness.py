"""Whether a transcript holds the speech once: lost runs and repeated phrases (no model)."""

from __future__ import annotations

import json

from asr_tui.core import export
from asr_tui.core.results import RunResult
from asr_tui.core.wholeness import EXTRA_MARK, LOST_MARK, Wholeness, longest_repetition
from tests.unit.made_results import made_result

SPEECH = ("The ferry left the harbour at dawn with forty passengers aboard. "
          "A storm rose in the afternoon and the captain turned back toward the lighthouse.")


def test_a_decoding_loop_is_the_phrase_and_the_words_after_its_first_copy():
    looped = "Whenever it is a " + "nem or a " * 12 + "damp November."
    found = longest_repetition(looped)
    assert judged(looped, None).notes[0].message.startswith("says 'a nem or' 12 times back to back (34 words repeated)")
    # "a nem or a nem or ... a": 37 words with a period of three, 34 after the first copy
    assert (found.phrase, found.words) == (("a", "nem", "or"), 37 - 3)


def test_a_sentence_kept_twice_at_a_seam_is_found():
    sentence = "A storm rose in the afternoon and the captain turned back."
    found = longest_repetition(f"The ferry left at dawn. {sentence} {sentence} Everyone was safe.")
    assert found.words == len(sentence.split())
    assert " ".join(found.phrase) == "a storm rose in the afternoon and the captain turned back"


def test_a_whole_window_kept_twice_and_unspaced_scripts_are_found():
    window = " ".join(f"word{i}" for i in range(90))  # a 30 s window's words
    assert longest_repetition(f"start {window} {window} end").words == 90
    assert longest_repetition("谢谢大家" * 6).words == 4 * 5  # kana and ideographs are words of their own


def test_speech_that_repeats_a_word_is_not_a_loop():
    assert longest_repetition("No, no, no, that is not what I meant.").words == 2
    assert longest_repetition(SPEECH).words == 0
    assert longest_repetition("").words == 0 and longest_repetition("yes").words == 0


def judged(text: str, reference: str | None) -> RunResult:
    """A result of `text` with steady timings: only its transcript can mark it."""
    return made_result(text=text, warm_runs_s=[1.0, 1.0, 1.0], **vars(Wholeness.of(text, reference, "en")))


def marks_of(text: str, reference: str | None) -> str:
    return judged(text, reference).marks


def test_a_lost_run_of_ten_words_is_marked_with_its_words():
    heard = SPEECH.replace("A storm rose in the afternoon and the captain turned back", "")
    result = judged(heard, SPEECH)
    assert result.lost_words == 11 and result.lost_text.startswith("a storm rose")
    assert result.marks == LOST_MARK
    (note,) = result.notes
    assert note.message.startswith("lost 11 reference words in a row, 'a storm rose in the afternoon and the ...' (as the WER reads them): skipped audio")
    # nine words lost in a row are scattered errors, not skipped audio
    assert marks_of(SPEECH.replace("with forty passengers aboard. A storm rose in the", ""), SPEECH) == ""


def test_a_repeated_phrase_is_marked_beyond_what_the_reference_repeats():
    chorus = "Row the boat to shore. " * 4
    assert marks_of(chorus, chorus) == ""  # the speech repeats itself: so may the transcript
    assert marks_of(chorus, "Row the boat to shore.") == EXTRA_MARK
    assert marks_of(chorus, None) == EXTRA_MARK  # no reference: ten words again is a loop
    result = judged(chorus, None)
    assert result.lost_words is None
    assert [n.message for n in result.notes] == [
        "says 'row the boat to shore' 4 times back to back (15 words repeated): a decoding loop or a seam kept twice"
        " (no reference: speech that repeats itself looks the same)"]


def test_the_figures_travel_with_the_result():
    result = judged("Row the boat to shore. " * 4, None)
    data = json.loads(json.dumps(result.to_dict()))
    assert RunResult.from_dict(data).repeated_words == 15
    assert data["warnings"] == [f"{EXTRA_MARK} {result.notes[0].message}"]
    row = dict(zip((name for name, _ in export.COLUMNS), export.rows([result])[0]))
    assert (row["lost_words"], row["repeated_words"]) == (None, 15)
    # a result written before these figures existed reads back without them, unmarked
    old = {k: v for k, v in data.items() if k not in ("lost_words", "repeated_words", "repeated_phrase")}
    assert RunResult.from_dict(old).marks == ""


def test_a_run_of_words_the_reference_lacks_is_marked_with_its_words():
    """A seam kept twice whose copies differ repeats no phrase word for word; with a
    reference, the run of words it lacks marks it. Nine such words do not."""
    twice = SPEECH + " A storm rose in the evening so the captain turned back to the lights."
    result = judged(twice, SPEECH)
    assert result.repeated_words < 10 and result.added_words >= 10
    assert result.marks == EXTRA_MARK
    (note,) = result.notes
    assert note.message.startswith(f"added {result.added_words} words in a row that the reference lacks, 'a storm rose in")
    assert marks_of(SPEECH + " Thanks for listening to the ferry story today.", SPEECH) == ""  # 8 words added
    assert judged(twice, None).added_words is None  # without a reference nothing is added
    row = dict(zip((name for name, _ in export.COLUMNS), export.rows([result])[0]))
    assert row["added_words"] == result.added_words
