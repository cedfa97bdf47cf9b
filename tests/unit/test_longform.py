"""The long-form windows cut in pauses, the seam merge and the holes decoded again (no model)."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from asr_tui.core.backends.longform import loops, pauses, word_sound
from asr_tui.core.backends.longform.seams import merge_windows, open_holes, redecode
from asr_tui.core.backends.longform.window import DecodedWindow, SampledCount, Window
from asr_tui.core.config import RunConfig
from asr_tui.core.tokens import initial_tokens
from asr_tui.core.transcript import FRAMES_PER_SECOND, SECONDS_PER_TIMESTAMP, WINDOW_FRAMES, Segment


def speech_everywhere(frames: int) -> pauses.Cuts:
    """Audio loud as speech in every frame, without a gap between words."""
    return pauses.Cuts([], np.ones(frames, bool), np.ones(frames, bool), np.zeros(frames, bool))


def window(start_s: float, end_s: float) -> Window:
    return Window(round(start_s * FRAMES_PER_SECOND), round((end_s - start_s) * FRAMES_PER_SECOND))


def text(segments: list[Segment]) -> str:
    return " ".join("".join(s.text for s in segments).split())


def speech_energy(seconds: float, pauses_at: dict[float, float], floor: float = 0.0) -> np.ndarray:
    """Per-frame energy: loud speech (varying, with short dips inside words) but for
    pauses of the given lengths at the given times, at `floor`."""
    frames = round(seconds * FRAMES_PER_SECOND)
    rng = np.random.default_rng(0)
    energy = rng.uniform(0.01, 0.1, frames)
    energy[::7] = 0.002  # a stop consonant: quiet for a frame, but no pause
    for at, length in pauses_at.items():
        energy[round(at * FRAMES_PER_SECOND) : round((at + length) * FRAMES_PER_SECOND)] = floor
    return energy


def test_windows_cover_every_frame_once_and_end_in_the_longest_late_pause():
    energy = speech_energy(95, {10.0: 0.8, 26.0: 0.3, 28.0: 0.5, 52.0: 0.2, 54.5: 0.25, 81.0: 1.0, 83.0: 0.3}, floor=1e-5)
    windows = pauses.windows(energy)
    assert windows[0].start == 0 and windows[-1].start + windows[-1].frames == len(energy)
    assert all(a.start + a.frames == b.start for a, b in zip(windows, windows[1:]))
    assert all(0 < w.frames <= WINDOW_FRAMES for w in windows)
    # the longest pause in each window's last 5 s, cut in its middle; the pause at 10 s
    # lies too early to end a window
    assert [w.end for w in windows[:-1]] == [28.25, 54.62, 81.5]


def test_audio_of_one_window_or_none_is_one_window():
    assert pauses.windows(speech_energy(30, {})) == [Window(0, WINDOW_FRAMES)]
    assert pauses.windows(np.zeros(0)) == [Window(0, 0)]


def test_faster_whispers_clips_are_the_windows_and_none_is_over_30_s():
    from asr_tui.core.backends.ctranslate2_backend import quiet_cuts

    for extra in (0, 100, 16_000 * 31 + 7):  # a last window of exactly 30 s and a part frame after it
        samples = np.random.default_rng(2).normal(size=16_000 * 30 + extra).astype(np.float32)
        clips, _ = quiet_cuts(samples)
        assert clips[0]["start"] == 0 and clips[-1]["end"] == len(samples) / 16_000
        assert all(a["end"] == b["start"] for a, b in zip(clips, clips[1:]))
        assert all(0 < c["end"] - c["start"] <= 30 for c in clips), clips


def test_faster_whisper_is_given_no_clip_without_sound_unless_none_has():
    from asr_tui.core.backends.ctranslate2_backend import quiet_cuts

    noise = np.random.default_rng(3).normal(size=16_000 * 80).astype(np.float32)
    noise[16_000 * 29 : 16_000 * 65] = 0.0  # silence from 29 s to 65 s
    clips, _ = quiet_cuts(noise)
    assert [(c["start"], c["end"]) for c in clips] == [(0.0, 29.5), (57.0, 80.0)]  # 29.5-57 s left out
    silence = np.zeros(16_000 * 80, np.float32)
    clips, sounding = quiet_cuts(silence)
    assert len(clips) == 3 and clips[-1]["end"] == 80.0 and not sounding


def test_frame_energy_reads_blocks_as_one_signal():
    samples = np.random.default_rng(1).normal(size=16_000 * 3 + 77).astype(np.float32)
    whole = pauses.frame_energy([samples])
    assert len(whole) == len(samples) // 160
    assert np.allclose(pauses.frame_energy(np.array_split(samples, 7)), whole)
    assert np.isclose(whole[5], np.mean(samples[800:960] ** 2))


def test_gaps_between_words_survive_one_frame_of_digital_silence_and_skip_stop_consonants():
    """Speech at 1e-2 in noise at 1e-4, a pause of noise alone: with a file's first
    frame digitally silent, the pause is still a gap; a 20 ms closure is not."""
    energy = np.full(1000, 1e-2)
    energy[300:400] = 1e-4
    energy[600:602] = 1e-4
    energy[0] = 0.0
    between = pauses.gaps(energy)
    assert between[300:400].all() and not between[600:602].any() and not between[0]
    assert pauses.gaps(np.zeros(0)).size == 0 and pauses.Cuts.of(np.zeros(0)).windows == [Window(0, 0)]


def test_words_are_counted_for_scripts_without_spaces():
    assert word_sound.spoken_words(" A village carpenter sent") == 4
    assert word_sound.spoken_words(" 我们今天去 公园") == 7  # a character each


def test_a_window_starts_between_words_half_a_second_before_the_next():
    """Speech, 5 s of silence from 10 s, a 0.3 s gap at 20 s, speech to 30 s."""
    cuts = pauses.Cuts.of(speech_energy(30, {10.0: 5.0, 20.0: 0.3}))
    # the word's first frame, as the gaps find it, is within a frame or two of 15 s
    assert cuts.window_start(1520) == pytest.approx(1450, abs=2)  # inside the word at 15 s: half a second before it
    assert cuts.window_start(1480) == cuts.window_start(1520)  # at the word: as far
    assert cuts.window_start(1100) == 1100  # deep in the pause: where it was
    assert cuts.window_start(2050) == 2000  # past a short gap: at its start, not inside the word before
    assert cuts.window_start(600) == 600  # no gap within a second: where it was


def test_a_segment_is_trimmed_to_its_sound_and_to_the_sound_its_few_words_can_fill():
    """Speech, 5 s of silence from 10 s, speech to 30 s. A segment starts and ends
    where its sound does; one stamped over the pause with far too few words for its
    sound (0.6 s each) ends at the pause, where its sound is enough for them."""
    cuts = pauses.Cuts.of(speech_energy(30, {10.0: 5.0}))
    late = cuts.trimmed(Segment(11.0, 17.0, " the next sentence begins"))
    assert (late.start, late.end, late.text) == (pytest.approx(15.0, abs=0.02), 17.0, " the next sentence begins")
    few = cuts.trimmed(Segment(8.0, 20.0, " sent at a cabin at a"))  # 7 s of sound
    assert (few.start, few.end) == (8.0, 10.0)
    enough = cuts.trimmed(Segment(8.0, 20.0, " word" * 12))  # 0.58 s of sound each
    assert (enough.start, enough.end) == (8.0, 20.0)
    silence = Segment(11.0, 14.0, " you")
    assert cuts.trimmed(silence) == silence
    # 0.1 s of the sound before or after a pause is a neighbouring segment's
    assert cuts.trimmed(Segment(9.9, 20.0, " word" * 12)).start == pytest.approx(15.0, abs=0.02)
    assert cuts.trimmed(Segment(8.0, 15.1, " word" * 6)) == Segment(8.0, 10.0, " word" * 6)


def test_a_segment_with_far_too_few_words_and_no_pause_ends_at_the_most_sound_they_take():
    """Continuous speech, with gaps of 0.3 s between words at most: five words
    stamped over 14 s end after 3 s of their sound (0.6 s each), and the model's
    sparse stamps are too few words for a window decoded again."""
    cuts = pauses.Cuts.of(speech_energy(30, {6.0: 0.3, 12.0: 0.3}))
    few = Segment(5.0, 19.0, " When a family of new-")
    assert (cuts.trimmed(few).start, cuts.trimmed(few).end) == (5.0, pytest.approx(8.3, abs=0.02))
    assert cuts.too_few_words([few]) and not cuts.too_few_words([cuts.trimmed(few)])
    enough = Segment(5.0, 19.0, " word" * 23)  # 13.4 s of sound: 0.58 s each
    assert cuts.trimmed(enough) == enough and not cuts.too_few_words([enough])


def test_long_words_said_slowly_take_the_sound_of_their_syllables():
    """Found on long words read one by one at 100 wpm: "Responsibility" took 1.6 s of
    sound, then a 1.1 s pause, "Incorporated" 1.4 s. At 0.6 s a word (and a second
    spare) the segment was taken for one that skipped speech, and the window's next
    22 s were decoded again and lost. Two short words over the same sound still did
    skip speech."""
    sound = np.zeros(6 * FRAMES_PER_SECOND, bool)
    sound[62:222] = sound[336:476] = True
    cuts = pauses.Cuts([], sound, sound, ~sound)
    assert word_sound.most_sound(" Responsibility Incorporated") == 11 * word_sound.SYLLABLE_FRAMES  # groups of vowels
    assert word_sound.most_sound(" word" * 12) == 12 * word_sound.SPARSE_WORD_FRAMES  # short words: 0.6 s each
    # accents, other alphabets, numbers said as words
    assert [word_sound.syllables(w) for w in ("España", "ответственность", "책임감", "2007")] == [3, 4, 3, 4]
    # a word spelled out in capitals says each letter ("The D.N.U. General Public Licence")
    assert [word_sound.syllables(w) for w in ("D.N.U.", "“GPL's”,", "NASA", "MP3", "I", "Public", "USB-C")] == [3, 3, 4, 3, 1, 2, 4]
    assert not cuts.skipped_speech(Segment(0.0, 6.0, " Responsibility Incorporated"))
    assert cuts.skipped_speech(Segment(0.0, 6.0, " Yes, no."))


def test_letters_a_looping_decoder_says_again_and_again_count_once():
    """Found on a robotic voice at 270 wpm: sampled hot, tiny.en ended a window on
    "sets,kkkk…" (148 letters), stamped over 14.5 s of speech. At two letters a
    syllable it was allowed all of it, and 47 words sequential kept were lost."""
    looped = "k" * 100 + "g" + "k" * 47  # the segment, as the model wrote it
    cuts = speech_everywhere(20 * FRAMES_PER_SECOND)
    assert cuts.skipped_speech(Segment(0.0, 14.5, looped))
    assert [word_sound.syllables(w) for w in (looped, "cleft" + "-ins" * 8, "ha" * 40)] == [1, 2, 1]
    # laughter, song and numerals say their units fewer times, and count them all
    assert [word_sound.syllables(w) for w in ("hahaha", "Lalalalala", "XXXIII", "Mississippi", "committee")] \
        == [3, 5, 6, 4, 3]


def test_seam_keeps_each_word_once_where_windows_agree():
    first = [Segment(0.0, 12.0, " one summer morning the old sailor mended"), Segment(12.0, 30.0, " a coil of heavy rope beside the lighthouse and then went home")]
    second = [Segment(20.0, 30.0, " rope beside the lighthouse and then went home"), Segment(30.0, 40.0, " to think it over carefully")]
    merged = merge_windows([(window(0, 30), first), (window(20, 50), second)])
    assert text(merged) == "one summer morning the old sailor mended a coil of heavy rope beside the lighthouse and then went home to think it over carefully"
    starts = [s.start for s in merged]
    assert starts == sorted(starts)


def test_words_only_one_window_heard_survive_the_seam():
    """The first window stopped at 16 s; the second starts at 20 s: nothing is heard
    twice, so nothing may be cut (the overlap's midpoint would cut 20-25 s)."""
    first = [Segment(0.0, 16.0, " the ship's cook polished the leaking water tank")]
    second = [Segment(20.0, 24.0, " and then felt proud of the result"), Segment(24.0, 40.0, " when the customs officer opened the signal flags")]
    merged = merge_windows([(window(0, 30), first), (window(20, 50), second)])
    assert text(merged) == (
        "the ship's cook polished the leaking water tank and then felt proud of the result "
        "when the customs officer opened the signal flags"
    )


def test_one_common_word_does_not_align_a_seam():
    """The windows heard the overlap differently and share only "the", 2 s apart:
    cutting there would drop the words both heard between (harbour / harbor)."""
    first = [Segment(0.0, 20.0, " one summer morning"), Segment(20.0, 30.0, " the harbour master painted his boat")]
    second = [Segment(20.0, 30.0, " harbor the mister pointed our vote"), Segment(30.0, 40.0, " beside the lighthouse")]
    merged = text(merge_windows([(window(0, 30), first), (window(20, 50), second)]))
    assert "harbo" in merged and merged.endswith("beside the lighthouse")


def test_common_words_either_side_of_a_seam_that_shares_nothing_do_not_align_it():
    """A held-out clip: the first window stopped hearing at 321.0 s, and the window
    decoded again from there shares no audio with it, yet both hold "it was", 2 s
    apart. Aligned by those, the seam cut "the best welcome to season it" (7 reference
    words, "the best work of the season it") that only one window heard."""
    first = [Segment(297.26, 316.4, " an elderly historian said that a box was beautiful"),
             Segment(316.4, 321.0, " When a visiting professor opened the reading lamp, the head librarian said it was the best")]
    second = [Segment(321.0, 326.0, " Welcome to season, it was peaceful to find the map of the river near the main staircase."),
              Segment(326.0, 330.79, " When the archivist polished")]
    merged = text(merge_windows([(window(297.3, 325.8), first), (window(321.0, 330.79), second)]))
    assert "librarian said it was the best Welcome to season, it was peaceful to find" in merged
    assert merged.endswith("When the archivist polished")


def test_fixed_stride_windows_that_stamp_a_sentence_seconds_apart_keep_it_once():
    """whisper-jax tiny.en on a held-out clip: two windows 20 s apart stamped the same
    sentence 6 s apart and heard one word of it differently (middle / mill). Their
    words agree on either side, and the seam keeps the sentence once."""
    first = [Segment(229.14, 236.14, " A clockmaker with gray hair did a music box I did open door."),
             Segment(236.14, 243.14, " When the blacksmiths doger opened the heavy iron vise, two brothers from the middle promised to do better next time.")]
    second = [Segment(242.14, 249.14, " When the blacksmith's dog opened the heavy iron vise, two brothers from the mill promised to do better next time."),
              Segment(254.14, 261.14, " The apprentice said that the broken rocking chair was more beautiful than it looked.")]
    merged = text(merge_windows([(window(220, 250), first), (window(240, 270), second)], fixed_stride=True))
    assert merged.count("promised to do better next time") == 1, merged
    assert merged.startswith("A clockmaker") and merged.endswith("more beautiful than it looked."), merged


def test_fixed_stride_windows_that_share_no_words_in_their_overlap_keep_both():
    """The same clip: the first window's last sentence and the next window's first,
    stamped 4 s over each other, share no two words in a row. They are different
    words, and both stay."""
    first = [Segment(217.14, 226.14, " The apprentice said that the school cart was more strange than it looked.")]
    second = [Segment(222.14, 229.14, " Why would the organ builder discover mature ch organ on the long work bench?")]
    merged = text(merge_windows([(window(200, 230), first), (window(220, 250), second)], fixed_stride=True))
    assert merged == ("The apprentice said that the school cart was more strange than it looked. "
                      "Why would the organ builder discover mature ch organ on the long work bench?")


def test_a_fixed_stride_window_that_stops_after_the_words_it_shares_keeps_the_seam_on_the_one_before():
    """Greedy whisper-jax windows can stop early: the next window heard "two brothers
    from the mill" and nothing more, so the words the first window heard after them
    stay, and its own copy of the shared words goes."""
    first = [Segment(236.0, 246.0, " two brothers from the mill promised to do better next time")]
    second = [Segment(242.0, 244.0, " two brothers from the mill")]
    merged = text(merge_windows([(window(220, 250), first), (window(240, 270), second)], fixed_stride=True))
    assert merged == "two brothers from the mill promised to do better next time"


def test_where_windows_disagree_the_window_cut_in_pauses_keeps_its_words():
    """A held-out clip: a window decoded again for the hole at 79.4-81.2 s reaches 5 s
    into the next window and garbles that stretch; the two share no words. Cut at the
    overlap's midpoint, the seam kept the garble and dropped the next window's first
    words ("a visiting professor weighed the parish records", heard as "At Resident
    Professor Wade the Parachrekotz"). The next window, cut in pauses, keeps them."""
    before = [Segment(73.21, 79.41, " when a visiting professor described the handwritten diary")]
    hole = [Segment(79.41, 86.23, " The only ent generous Dar mercury")]
    after = [Segment(81.23, 85.83, " At Resident Professor Wade the Parachrekotz and studied the card card log."),
             Segment(85.83, 89.87, " An elderly historian counted the map")]
    windows = [(window(51.5, 81.2), before), (window(79.41, 86.23), hole), (window(81.2, 107.4), after)]
    merged = text(merge_windows(windows, cut_in_pauses={round(51.5 * FRAMES_PER_SECOND), round(81.2 * FRAMES_PER_SECOND)}))
    assert merged.startswith("when a visiting professor described the handwritten diary The only")
    assert merged.endswith("At Resident Professor Wade the Parachrekotz and studied the card card log. An elderly historian counted the map")
    assert "mercury" not in merged


def test_a_segment_stamped_over_a_tone_still_aligns_its_seam():
    """A clip with an 8 s beep every minute: the window decoded again over a beep
    stamped one segment from the beep's start to past the next window's start, so its
    words' estimated times ran 3.1 s early, the seam found no agreement, and "along
    the canal, a tourist from Canada discovered" was kept twice."""
    before = [Segment(125.11, 128.15, " Why would the taxi driver describe a wallet full of receipts?")]
    again = [Segment(128.15, 139.63, " Along the canal, a tourist from Canada discovered the broken street land,")]
    after = [Segment(135.87, 139.39, " along the canal, a tourist from Canada discovered the broken street,"),
             Segment(139.39, 142.75, " left outside the railway station.")]
    windows = [(window(106.63, 135.87), before), (window(128.15, 140.87), again), (window(135.87, 163.24), after)]
    merged = text(merge_windows(windows, cut_in_pauses={round(106.63 * FRAMES_PER_SECOND), round(135.87 * FRAMES_PER_SECOND)}))
    assert merged == ("Why would the taxi driver describe a wallet full of receipts? Along the canal, a tourist from Canada "
                      "discovered the broken street, left outside the railway station.")
    # a 25 s beep: the words are estimated up to 13 s early, most of them before the
    # overlap, and eight in a row agree in segments whose stamps overlap
    again = [Segment(111.0, 140.5, again[0].text)]
    after = [Segment(136.0, 139.39, after[0].text), after[1]]
    windows = [(window(100.0, 111.0), before), (window(111.0, 141.0), again), (window(136.0, 163.24), after)]
    merged = text(merge_windows(windows, cut_in_pauses={round(100 * FRAMES_PER_SECOND), round(136 * FRAMES_PER_SECOND)}))
    assert merged.count("discovered") == 1 and merged.endswith("broken street, left outside the railway station.")


def test_a_window_cut_in_pauses_that_stopped_short_does_not_outvote_words_past_its_end():
    """The window decoded again heard on to 36 s; the next one, cut in pauses, heard
    only 31-33 s of the overlap. Its words cannot stand for the ones after them."""
    hole = [Segment(20.0, 36.0, " alpha bravo charlie delta echo foxtrot golf hotel india juliet")]
    after = [Segment(31.0, 33.0, " one two three")]
    merged = text(merge_windows([(window(20, 36), hole), (window(30, 60), after)], cut_in_pauses={3000}))
    assert merged.startswith("alpha bravo") and merged.endswith("india juliet")


def test_past_the_words_both_heard_the_window_that_heard_more_keeps_its_words():
    """A window decoded again for the hole before a first-pass window that stopped
    early, four words into a sentence: both agree on "village carpenter", and past
    it the first-pass window's few words do not replace the sentence's end (the
    sentences as tiny.en heard them on the sentence-pause clip)."""
    again = [Segment(138.9, 143.8, " Everyone agreed that the bicycle was dangerous."),
             Segment(149.1, 153.0, " the village carpenter and a cabinet of drawers was more peaceful than it looked")]
    stopped = [Segment(148.8, 153.0, " A village carpenter sent at a cabin at a")]
    merged = merge_windows([(window(138.1, 153.8), again), (window(143.9, 172.4), stopped)], {14390})
    assert text(merged) == ("Everyone agreed that the bicycle was dangerous. the village carpenter and a cabinet of drawers "
                            "was more peaceful than it looked")


def test_a_window_that_heard_on_past_the_seam_keeps_its_words_though_its_times_run_late():
    """Past "golf hotel" the second window's words are estimated 1.6 s later than the
    first's, so fewer fall before the first window's end; it did not stop short (its
    words go on), and the seam keeps each word once."""
    first = [Segment(10.0, 16.0, " alpha bravo charlie delta echo foxtrot golf hotel")]
    second = [Segment(13.5, 19.5, " charlie delta echo foxtrot golf hotel india juliet kilo")]
    merged = merge_windows([(window(8, 16), first), (window(12, 30), second)], {800})
    assert text(merged) == "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo"


def test_a_window_that_heard_nothing_does_not_hide_the_next_seam():
    """A window decoded again (12-42 s) runs over a silent window (30-35 s) into the
    next (35-65 s): their seam is still cut, so the words both heard appear once."""
    first = [Segment(0.0, 12.0, " one summer morning")]
    again = [Segment(12.0, 35.0, " the tall ship sailed into the bay"), Segment(35.0, 41.0, " green blue violet")]
    last = [Segment(35.0, 41.0, " green blue violet"), Segment(41.0, 60.0, " and then the rain came")]
    windows = [(window(0, 12), first), (window(12, 42), again), (window(30, 35), []), (window(35, 65), last)]
    merged = text(merge_windows(windows, cut_in_pauses={0, 3000, 3500}))
    assert merged == "one summer morning the tall ship sailed into the bay green blue violet and then the rain came"


def test_a_window_that_heard_nothing_loses_no_neighbouring_words():
    first = [Segment(0.0, 26.8, " the miller inspected the cider press on the northern hill")]
    second = [Segment(40.0, 48.0, " to think it over the farmer's wife hid a flock")]
    merged = merge_windows([(window(0, 30), first), (window(20, 50), []), (window(40, 70), second)])
    assert text(merged) == "the miller inspected the cider press on the northern hill to think it over the farmer's wife hid a flock"


def test_a_silent_window_amid_speech_is_decoded_again_from_where_speech_was_heard():
    heard = [
        (window(0, 30), [Segment(0.0, 26.8, " words")]),
        (window(20, 50), []),  # judged silent
        (window(40, 70), [Segment(40.0, 69.5, " words")]),
    ]
    (redo,) = redecode(heard, 70 * FRAMES_PER_SECOND, {w.start for w, _ in heard}, speech_everywhere(70 * FRAMES_PER_SECOND))
    # where the speech heard ends, in place of the silent window
    assert redo.window == Window(2680, WINDOW_FRAMES) and redo.index == 1 and redo.replaces


def test_a_silent_window_between_pause_cuts_is_replaced_by_one_window():
    heard = [
        (window(0, 27.5), [Segment(0.0, 26.0, " the miller inspected the cider press")]),
        (window(27.5, 54.5), []),  # judged silent
        (window(54.5, 60.5), [Segment(54.5, 60.0, " hid a flock of sheep under the oak")]),
    ]
    (redo,) = redecode(heard, 6050, {w.start for w, _ in heard}, speech_everywhere(6050))
    assert redo.window == Window(2600, WINDOW_FRAMES) and redo.index == 1 and redo.replaces


def test_a_start_that_failed_gives_way_to_another():
    heard = [(window(0, 30), [Segment(0.0, 26.8, " words")]), (window(20, 50), []), (window(40, 70), [Segment(40.0, 69.5, " words")])]
    tried = {0, 2000, 4000}
    starts = []
    for _ in range(4):
        found = redecode(heard, 70 * FRAMES_PER_SECOND, tried, speech_everywhere(70 * FRAMES_PER_SECOND))
        starts += [r.window.start for r in found]
        tried |= {r.window.start for r in found}
    assert starts == [2680, 2180, 2430]


def test_a_window_that_stopped_early_gets_one_after_it():
    heard = [
        (window(0, 30), [Segment(0.0, 14.0, " words")]),  # stopped at 14 s
        (window(20, 50), [Segment(20.5, 49.5, " words")]),
    ]
    (redo,) = redecode(heard, 50 * FRAMES_PER_SECOND, {w.start for w, _ in heard}, speech_everywhere(50 * FRAMES_PER_SECOND))
    assert redo.window.start == 1400 and redo.index == 1 and not redo.replaces


def test_a_window_that_stopped_short_of_a_pause_cut_gets_a_short_one_after_it():
    heard = [
        (window(0, 28.5), [Segment(0.0, 25.0, " words")]),  # stopped 3.5 s before its end
        (window(28.5, 57), [Segment(28.5, 56.0, " words")]),
    ]
    (redo,) = redecode(heard, 57 * FRAMES_PER_SECOND, {0, 2850}, speech_everywhere(57 * FRAMES_PER_SECOND))
    # from where the speech heard ends to 5 s past the next window's first word, their
    # overlap: not 30 s, whose tokens would all be decoded again
    assert redo.window == Window(2500, 850) and redo.index == 1 and not redo.replaces


def test_the_end_of_the_audio_is_decoded_when_the_last_window_stopped_short():
    heard = [(window(0, 30), [Segment(0.0, 20.0, " words")]), (window(20, 45), [Segment(20.0, 35.0, " words")])]
    (redo,) = redecode(heard, 45 * FRAMES_PER_SECOND, {0, 2000}, speech_everywhere(45 * FRAMES_PER_SECOND))
    assert redo.window == Window(3500, 1000) and redo.index == 2 and not redo.replaces


def test_nothing_is_decoded_twice_or_without_a_hole():
    heard = [(window(0, 30), [Segment(0.0, 26.0, " words")]), (window(20, 45), [Segment(20.0, 44.5, " words")])]
    assert redecode(heard, 45 * FRAMES_PER_SECOND, {0, 2000}, speech_everywhere(45 * FRAMES_PER_SECOND)) == []
    stopped_early = [(window(0, 30), [Segment(0.0, 14.0, " words")]), (window(20, 50), [Segment(20.5, 49.5, " words")])]
    assert redecode(stopped_early, 50 * FRAMES_PER_SECOND, {0, 2000, 900, 1400, 1150}, speech_everywhere(50 * FRAMES_PER_SECOND)) == []


def test_a_hole_without_sound_is_not_decoded_again():
    """A recording that ends (or pauses) in silence: the last window's words end long
    before the audio, and nothing is decoded over the quiet (the model would invent
    words there); a hole holding sound still is."""
    energy = speech_energy(45, {23.9: 21.1}, floor=0.0)  # speech, then silence to the end
    cuts = pauses.Cuts.of(energy)
    heard = [(w, [Segment(0.0, 23.5, " words")] if w.start == 0 else []) for w in cuts.windows]
    assert len(heard) == 2
    assert redecode(heard, len(energy), {w.start for w, _ in heard}, cuts) == []
    # the same words stamped as ending at 15 s: 8.9 s of speech went unheard
    heard[0] = (heard[0][0], [Segment(0.0, 15.0, " words")])
    (redo,) = redecode(heard, len(energy), {w.start for w, _ in heard}, cuts)
    assert redo.window.start == 1500


def test_a_short_hole_full_of_sound_is_decoded_again():
    """A word or two unheard between windows (1.06 s of sound on a fast voice): only
    the half second after the last heard stamp is forgiven, not the end of the hole."""
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], np.ones(6000, bool), np.ones(6000, bool), np.zeros(6000, bool))
    heard = [(cuts.windows[0], [Segment(0.0, 28.94, " words")]), (cuts.windows[1], [Segment(30.0, 59.0, " words")])]
    (redo,) = redecode(heard, 6000, {0, 3000}, cuts)
    assert redo.window.start == 2894 and not redo.replaces


def test_a_hole_across_a_window_of_silence_is_decoded_from_near_its_sound():
    """Speech to 27 s, digital silence to 55 s (a window not decoded), speech again,
    its first words stamped 0.3 s late: the hole's window starts a second before the
    sound comes back, not 28 s of silence earlier."""
    sound = np.ones(8000, bool)
    sound[2700:5500] = False
    cuts = pauses.Cuts([window(0, 27.5), window(27.5, 55), window(55, 80)], sound, sound, ~sound)
    heard = [(cuts.windows[0], [Segment(0.0, 27.0, " words")]), (cuts.windows[1], []),
             (cuts.windows[2], [Segment(55.3, 79.0, " words")])]
    (redo,) = redecode(heard, 8000, {0, 2750, 5500}, cuts)
    # from the 20th frame of sound less a second, before the window after the silence,
    # to 5 s past its first word
    assert redo.window == Window(5420, 610) and redo.index == 2 and not redo.replaces


def test_silence_is_digital_silence_and_speech_in_steady_noise_is_sound():
    def samples(energy):  # a signal whose frames have these mean squares
        return np.sqrt(np.repeat(energy, 160)).astype(np.float32)

    energy = speech_energy(40, {10.0: 5.0}, floor=0.0)
    energy[1200:1210] = 0.05  # a click of 0.1 s inside the pause
    cuts = pauses.cuts_of([samples(energy)], len(energy))
    assert not cuts.has_sound(1000, 1500)  # the pause, click and all
    assert cuts.has_sound(900, 1000) and cuts.has_sound(1500, 1600)  # a second of speech either side
    # speech as loud as a steady noise (0 dB): within a few dB of the noise floor, and sound
    rng = np.random.default_rng(5)
    noise = rng.normal(size=16_000 * 60)
    talk = rng.normal(size=noise.size) * np.repeat(rng.uniform(size=300) > 0.5, 3200)
    cuts = pauses.cuts_of([(noise + talk).astype(np.float32)], 6000)
    assert all(cuts.sounds(w) for w in cuts.windows)


def test_a_redecode_names_its_hole_and_whether_a_window_stopped_short_there():
    heard = [(window(0, 30), [Segment(0.0, 26.8, " words")]), (window(20, 50), []), (window(40, 70), [Segment(40.0, 69.5, " words")])]
    (silent,) = redecode(heard, 70 * FRAMES_PER_SECOND, {0, 2000, 4000}, speech_everywhere(70 * FRAMES_PER_SECOND))
    # from the slack after the last stamp heard to the end of the window that heard nothing
    assert silent.hole == (2730, 5000) and not silent.stopped_short
    stopped = [(window(0, 30), [Segment(0.0, 24.0, " words")]), (window(30, 60), [Segment(30.0, 59.0, " words")])]
    (short,) = redecode(stopped, 60 * FRAMES_PER_SECOND, {0, 3000}, speech_everywhere(60 * FRAMES_PER_SECOND))
    assert short.hole == (2450, 3000) and short.stopped_short
    assert open_holes(stopped, 60 * FRAMES_PER_SECOND, speech_everywhere(60 * FRAMES_PER_SECOND)) == {(2450, 3000): 1}


def test_the_hole_after_a_window_that_heard_nothing_is_the_same_hole_in_every_round():
    """A window judged silent over speech leaves a hole, and the next window, heard
    from 3 s past its start, another. The second has the same frames whether or not a
    start is left for the first, and `open_holes` finds it by them: a try set aside
    for it (`loops.batched`) was dropped once the first hole's starts ran out."""
    frames = 90 * FRAMES_PER_SECOND
    cuts = speech_everywhere(frames)
    heard = [(window(0, 30), [Segment(0.0, 24.0, " words")]), (window(30, 60), []), (window(60, 90), [Segment(63.0, 89.0, " words")])]
    first_round = redecode(heard, frames, {0, 3000, 6000}, cuts)
    assert [r.hole for r in first_round] == [(2450, 6000), (6050, 6300)]
    # every start for the first hole tried: only the second is decoded again, still by
    # its own frames
    tried = {0, 3000, 6000} | {r.window.start for r in first_round} | {1900, 2150}
    (second,) = redecode(heard, frames, tried, cuts)
    assert second.hole == (6050, 6300) and second.index == 2
    assert open_holes(heard, frames, cuts) == {(2450, 6000): 1, (6050, 6300): 2}


def test_speech_in_noise_is_loud_and_the_noise_alone_is_not_even_after_a_frame_of_digital_silence():
    noise = 1e-4
    energy = speech_energy(40, {10.0: 5.0}, floor=noise)
    energy[:500] = noise  # the first 5 s: the noise floor alone
    energy[0] = 0.0  # a file's first 10 ms, digitally silent
    cuts = pauses.Cuts.of(energy)
    assert cuts.has_sound(1, 500) and not cuts.sounds_like_speech(0, 500)
    assert not cuts.sounds_like_speech(1000, 1500)  # the pause
    assert cuts.sounds_like_speech(500, 600)  # a second of speech


class WordTokens:
    """Whisper's token layout in miniature, for `loops.batched`: a word is its index
    in `words`, a timestamp is `timestamp_begin` plus its 20 ms steps."""

    timestamp_begin = 1000
    sot_sequence = (999,)
    sot_prev = 998

    def __init__(self, words: list[str]) -> None:
        self.words = words

    def decode(self, tokens: list[int]) -> str:
        return "".join(" " + self.words[t] for t in tokens)

    def encode(self, text: str) -> list[int]:
        return [self.words.index(w) for w in text.split()]

    def segment(self, start_s: float, end_s: float, *words: str) -> list[int]:
        """One segment, closed as the model closes one before the next: its end stamped twice."""
        stamp = lambda seconds: self.timestamp_begin + round(seconds / SECONDS_PER_TIMESTAMP)
        return [stamp(start_s), *(self.words.index(w) for w in words), stamp(end_s), stamp(end_s)]


WORDS = WordTokens(["one", "two", "three", "four", "five", "six", "fife", "seven", "eight", "thank", "you", "definitions",
                    "from", "create", "tormel"])


def batched_transcript(first_pass: dict[float, tuple[float, float, tuple[str, ...]]], tries: list[tuple[float, tuple[str, ...]]],
                       loud: bool = True, judged_silent: bool = True, after_text: tuple[str, ...] = (),
                       prompts: list[list[int]] | None = None) -> str:
    """`loops.batched` over 60 s cut into two windows, each decoded as `first_pass`
    says (by its start: its words and their stamps; a window left out heard nothing),
    and each window decoded again over a hole as `tries` says in turn: its words,
    stamped over the hole's last 5.5 s, with that log probability, and judged silent
    (no-speech 0.9) or not (0.1); past the last, it hears nothing. A window decoded
    after text (its tokens appended to `prompts`) hears `after_text` over its first
    5.5 s, once; then nothing. The recording is silent but for 9 s of sound from
    22.2 s, as much as three words before the hole take (`STOPPED_SHORT`), then the
    hole's speech (or noise, not `loud`), then two words."""
    prompts = [] if prompts is None else prompts
    frames = 60 * FRAMES_PER_SECOND
    sound = np.zeros(frames, bool)
    sound[2220:3120] = True
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], sound, sound & loud, ~sound)
    tries = itertools.chain(tries, itertools.repeat((-2.0, ())))
    prompted = itertools.chain([after_text], itertools.repeat(()))

    def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
        out = []
        for w in windows:
            if previous or w.offset in (0.0, 30.0):
                if previous:
                    prompts.append(previous)
                start, end, words = (0.0, 5.5, next(prompted)) if previous else first_pass.get(w.offset, (0.0, 0.0, ()))
                heard = WORDS.segment(start, end, *words) if words else []
                out.append(DecodedWindow(heard, -0.3 if words else -2.0, 0.1 if words else 0.9, 0.0, " ".join(words)))
            else:
                logprob, words = next(tries)
                start = max(0.0, 30.0 - w.offset - 5.5)
                heard = WORDS.segment(start, start + 5.5, *words) if words else []
                out.append(DecodedWindow(heard, logprob, 0.9 if judged_silent else 0.1, 0.0, " ".join(words)))
        return out

    return text(loops.batched(decode, cuts, WORDS, RunConfig(strategy="batched", batch_size=2), lambda *_: None, threading.Event()))


STOPPED_SHORT = {0.0: (0.0, 24.0, ("one", "two", "three")), 30.0: (0.0, 29.0, ("seven", "eight"))}  # 6 s unheard


def test_a_loud_hole_keeps_its_likeliest_window_though_the_no_speech_rule_calls_it_silent():
    """Found on a 240 wpm voice: a window stopped 2.6 s short, and each window decoded
    again there, a few seconds of fast speech and the rest zero-padding, was judged
    silent; ten words were lost that sequential decoding kept. The likeliest try is
    kept, whichever round it came in, and though the last came back empty."""
    tries = [(-1.5, ("four",)), (-1.2, ("four", "five", "six")), (-1.8, ("four", "fife"))]
    assert batched_transcript(STOPPED_SHORT, tries) == "one two three four five six seven eight"
    assert batched_transcript(STOPPED_SHORT, tries[:2] + [(-1.1, ())]) == "one two three four five six seven eight"


def test_what_a_holes_likeliest_try_left_unheard_is_decoded_again():
    """Found at 245 wpm: three windows decoded again over a hole, from each start
    tried, stopped at "in 1994 NIST published FIPS"; the likeliest was kept only
    after the last round, and the words after it (15 that sequential kept) were
    lost. Kept once every start was tried, it leaves a hole of its own, decoded again
    from where its words end."""
    tries = [(-1.5, ("four",)), (-1.2, ("four", "five")), (-1.8, ("four",)), (-1.0, ("six",))]
    assert batched_transcript(STOPPED_SHORT, tries, judged_silent=False) == "one two three four five six seven eight"


def test_a_window_decoded_again_with_far_too_few_words_for_its_sound_gets_another_try():
    """Found on a Scottish voice: a window decoded again over 5 s of speech came back
    as "Massive uptick with", and, stamped over the whole hole, closed it: eight words
    were lost. Each try with too few words leaves the hole open, and the likeliest is
    kept."""
    tries = [(-1.5, ("four",)), (-1.2, ("four", "five", "six")), (-1.8, ("four", "fife"))]
    assert batched_transcript(STOPPED_SHORT, tries, judged_silent=False) == "one two three four five six seven eight"


def test_no_window_the_no_speech_rule_calls_silent_is_kept_over_noise_or_a_silent_window():
    """A hole of noise, and a whole window the model called silent (music, applause):
    sequential decoding drops them too, and a try there with a word or two for the
    hole's sound could only invent them."""
    tries = [(-1.5, ("thank", "you"))] * 3
    assert batched_transcript(STOPPED_SHORT, tries, loud=False) == "one two three seven eight"
    first_window_silent = {30.0: (0.0, 29.0, ("seven", "eight"))}
    assert batched_transcript(first_window_silent, tries) == "seven eight"


def test_a_long_loud_hole_keeps_a_try_called_silent_whose_words_fill_its_sound():
    """Found on a Black Country voice reading the rustc book: over 26 s of speech a
    window failed at every temperature, and the windows decoded again there came back
    with a long passage (no-speech 0.89, -1.13) or "The the the", all called silent;
    60 words that sequential decoding kept were lost. Over a hole longer than a window
    that stopped short, a try called silent is kept where its words fill the hole's
    sound, not where they are two."""
    window_silent = {30.0: (0.0, 29.0, ("seven", "eight"))}
    heard = [(-1.1, ("one", "two", "three", "four", "five", "six", "one", "two", "three", "four"))] * 3
    assert batched_transcript(window_silent, heard) == "one two three four five six one two three four seven eight"
    assert batched_transcript(window_silent, [(-1.1, ("thank", "you"))] * 3) == "seven eight"


def test_a_loud_hole_no_try_heard_is_decoded_by_the_seek_loop_after_the_text_before_it():
    """Found on the rustc book read by a Lancashire voice: three sentences alike,
    which tiny.en alone heard as "N S N N" or "The The The" from every start, and
    after the text before them, as sequential decoding heard them. Not over noise."""
    prompts: list[list[int]] = []
    said = batched_transcript(STOPPED_SHORT, [], judged_silent=False, after_text=("four", "five", "six"), prompts=prompts)
    assert said == "one two three four five six seven eight"
    assert prompts[0] == WORDS.encode("one two three")
    assert batched_transcript(STOPPED_SHORT, [], loud=False, after_text=("four", "five", "six")) == "one two three seven eight"


def test_a_batched_window_must_reach_its_last_speech_less_a_second():
    """Speech from 0 to 24 s and from 30 to 50 s, then silence to 70 s."""
    loud = np.zeros(70 * FRAMES_PER_SECOND, bool)
    loud[: 24 * FRAMES_PER_SECOND] = loud[30 * FRAMES_PER_SECOND : 50 * FRAMES_PER_SECOND] = True
    cuts = pauses.Cuts([], loud, loud, ~loud)
    assert loops.must_reach(cuts, window(0, 30)) == round(23.0 / SECONDS_PER_TIMESTAMP)
    assert loops.must_reach(cuts, window(30, 60)) == round(19.0 / SECONDS_PER_TIMESTAMP)
    assert loops.must_reach(cuts, window(55, 70)) == 0  # no speech: nothing to reach
    assert loops.must_reach(cuts, window(49.5, 70)) == 0  # speech within the slack of its start


def test_each_batched_window_is_decoded_with_the_timestamp_it_must_reach_and_sequential_ones_without():
    sound = np.ones(60 * FRAMES_PER_SECOND, bool)
    sound[57 * FRAMES_PER_SECOND :] = False
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], sound, sound, ~sound)
    given = []

    def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
        given.append(reach)
        return [DecodedWindow(WORDS.segment(0.0, w.seconds, *["one"] * 50), -0.3, 0.1, 0.0, "one") for w in windows]

    loops.batched(decode, cuts, WORDS, RunConfig(strategy="batched", batch_size=2), lambda *_: None, threading.Event())
    assert given == [[round(29.0 / SECONDS_PER_TIMESTAMP), round(26.0 / SECONDS_PER_TIMESTAMP)]]
    given.clear()
    loops.sequential(decode, 60 * FRAMES_PER_SECOND, WORDS, RunConfig(condition_on_previous_text=False), lambda *_: None,
                     threading.Event())
    assert given and given == [None] * len(given)


def speech_decoded_again(first_window: list[int], decoded_again: list[int],
                         second_window: list[int] = WORDS.segment(0.0, 29.5, *["eight"] * 50),
                         cut_off: bool = False, pause: tuple[float, float] | None = None,
                         first_failed: bool = False) -> tuple[str, list[Window]]:
    """`loops.batched` over 60 s of speech without a gap, cut into two windows: the
    first heard as `first_window` says (tokens), `cut_off` by its token limit or
    ended by its end token, the second as `second_window` says (50 words over all of
    it), and every window decoded again as `decoded_again` says; silent from and to
    `pause`'s seconds; the first window `first_failed` at every temperature or
    passed. The transcript, and the windows decoded again."""
    sound = np.ones(60 * FRAMES_PER_SECOND, bool)
    if pause:
        sound[round(pause[0] * FRAMES_PER_SECOND) : round(pause[1] * FRAMES_PER_SECOND)] = False
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], sound, sound, np.zeros_like(sound))
    again = []

    def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
        again.extend(w for w in windows if w.offset not in (0.0, 30.0))
        heard = {0.0: first_window, 30.0: second_window}
        failed = {0.0: first_failed}
        return [DecodedWindow(heard.get(w.offset, decoded_again), *((-2.0, 0.1, 1.0) if failed.get(w.offset) else (-0.3, 0.1, 0.0)),
                              "words", cut_off=cut_off and w.offset == 0.0) for w in windows]

    config = RunConfig(strategy="batched", batch_size=2)
    said = text(loops.batched(decode, cuts, WORDS, config, lambda *_: None, threading.Event()))
    return said, again


def test_what_a_window_said_after_a_segment_that_skipped_speech_is_decoded_again():
    """Found on a clip with pauses between sentences: made to reach its last speech,
    a window said "A village carpenter sent at a cabin at a" over 22 s of speech, then
    the end of that sentence; the two sentences between were lost, since holes are
    found only between windows' words. Here the first window says two words over 20 s
    of speech, then two more: those are dropped, and a window decoded again from
    where the two words' sound ends hears the rest."""
    said, again = speech_decoded_again(WORDS.segment(0.0, 20.0, "one", "two") + WORDS.segment(20.0, 21.2, "three", "four"),
                                       WORDS.segment(0.0, 28.5, *["five"] * 48))
    # the two words take 1.2 s of sound (`SPARSE_WORD_FRAMES` each): the window decoded again starts there
    assert [w.start for w in again] == [120]
    assert said.startswith("one two five") and "three" not in said and said.endswith(" eight" * 50)


def test_a_long_word_said_alone_is_no_skipped_speech():
    """Found on a licence read aloud at 155 wpm: the heading "Definitions." took 0.84 s
    of sound, more than one word's 0.6 s, and was taken for a segment that skipped
    speech, so the words its window said after it were dropped, in the first pass and
    in every window decoded again there. Here the heading is stamped over 2.2 s of
    speech, more than its four syllables take (1.4 s, `most_sound`) but within the
    spare second: the window keeps what follows it, and nothing is decoded again."""
    said, again = speech_decoded_again(WORDS.segment(0.0, 2.2, "definitions") + WORDS.segment(2.2, 29.5, *["five"] * 46),
                                       WORDS.segment(0.0, 28.5, *["seven"] * 48))
    assert again == [] and said == "definitions" + " five" * 46 + " eight" * 50


def test_a_segment_said_far_slower_than_its_recording_is_taken_for_skipped_speech():
    """Found on Python's reference read at 210 wpm: a window stamped 22 words over
    14 s of speech, 2.3 times the pace of the rest yet within 0.35 s a syllable, and
    the 37 words it skipped were lost. Here ten segments of five one-syllable words
    take 0.8 s each (16 frames a syllable), then five take 3.5 s: not too few for
    the fixed rule, but for the recording's pace. They and what the window said
    after them are dropped, and a window decoded again from where they begin hears
    that speech."""
    said_once = list(itertools.permutations(["two", "three", "four", "six", "eight"]))  # none said again
    steady = [token for i in range(10) for token in WORDS.segment(0.8 * i, 0.8 * (i + 1), *said_once[i])]
    slow = WORDS.segment(8.0, 11.5, *said_once[10])
    assert not word_sound.more_than_said(350, " ".join(said_once[10])) and word_sound.more_than_said(350, " ".join(said_once[10]), pace=16.0)
    at_pace = WORDS.segment(0.0, 29.44, *["eight"] * 184)  # a syllable each
    said, again = speech_decoded_again(steady + slow + WORDS.segment(11.5, 29.1, *["thank"] * 110),
                                       WORDS.segment(0.0, 21.9, *["seven"] * 73), at_pace)
    assert [w.start for w in again] == [800]
    assert said.endswith(" ".join(said_once[9]) + " seven" * 73 + " eight" * 184) and "thank" not in said


def test_the_pace_of_a_recording_is_the_median_of_its_segments_of_four_words_or_more():
    sound = np.ones(60 * FRAMES_PER_SECOND, bool)
    sound[50 * FRAMES_PER_SECOND :] = False
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], sound, sound, ~sound)
    steady = [Segment(1.5 * i, 1.5 * (i + 1), " five" * 5) for i in range(7)]  # 10 syllables in 150 frames each
    slow = Segment(10.5, 14.5, " five" * 5)
    too_few_words = [Segment(15.0 + i, 18.0 + i, " five five five") for i in range(5)]  # slow, but three words
    in_a_pause = [Segment(50.0 + i, 51.0 + i, " five" * 5) for i in range(5)]  # no sound: no pace
    assert cuts.paced(steady + too_few_words + in_a_pause).pace is None  # seven segments: too few to tell it
    assert cuts.paced(steady + [slow] + too_few_words + in_a_pause).pace == 15.0
    assert cuts.paced(steady + [slow] * 9).pace == 40.0


def test_a_window_said_slower_than_its_recording_is_judged_at_its_own_pace():
    """A slow speaker among fast ones: read at 100 wpm among 240, their segments
    passed for ones that skipped speech at the recording's pace. A window with four
    segments of its own is judged at its own pace where that is slower, never
    faster; one with fewer (a window that skipped speech says little) at the
    recording's."""
    sound = np.ones(30 * FRAMES_PER_SECOND, bool)
    cuts = pauses.Cuts([window(0, 30)], sound, sound, ~sound, pace=15.0)
    words = " two three four six" * 5  # 20 syllables
    slow = [Segment(7.2 * i, 7.2 * (i + 1), words) for i in range(4)]  # 36 frames a syllable
    fast = [Segment(2.0 * i, 2.0 * (i + 1), words) for i in range(4)]  # 10
    assert cuts.skipped_speech(slow[0]) and not cuts.slowed_to(slow).skipped_speech(slow[0])
    assert cuts.slowed_to(slow).pace == 36.0 and cuts.slowed_to(slow[:3]).pace == 15.0
    assert cuts.slowed_to(fast).pace == 15.0


def test_a_slow_speakers_window_keeps_what_it_heard():
    """`loops.batched` over a slow speaker's window (four segments of 20 syllables
    in 7.4 s each), then a fast one's (16 frames a syllable, the recording's pace):
    nothing is decoded again, and every word is kept."""
    orders = list(itertools.permutations(["two", "three", "four", "six"]))
    slow = [token for i in range(4) for token in WORDS.segment(7.4 * i, 7.4 * (i + 1), *orders[i] * 5)]
    fives = list(itertools.permutations(["two", "three", "four", "six", "eight"]))
    fast = [token for i in range(12) for token in WORDS.segment(0.8 * i, 0.8 * (i + 1), *fives[i])]
    said, again = speech_decoded_again(slow, WORDS.segment(0.0, 5.0, "seven"), fast + WORDS.segment(9.6, 29.44, *["eight"] * 124))
    assert again == [] and said.startswith(" ".join(w for i in range(4) for w in orders[i] * 5) + " two three")


def test_a_segment_too_slow_for_its_recording_ends_where_its_words_at_the_pace_do():
    """The pace rules every judgement of a segment's sound: it is trimmed to its
    syllables at 1.8 times the pace, ends at the first pause after enough sound for
    its words, and a window's segments that hold more are too few words. Never to
    less than the least sound its words take, whatever the pace."""
    sound = np.ones(30 * FRAMES_PER_SECOND, bool)
    sound[1100:1250] = False  # a pause 1.5 s long
    paced = pauses.Cuts([window(0, 30)], sound, sound, ~sound, pace=15.0)
    unpaced = pauses.Cuts([window(0, 30)], sound, sound, ~sound)
    segment = Segment(5.0, 9.0, " two three four six eight")  # 5 syllables over 4 s
    assert unpaced.trimmed(segment) == segment
    assert paced.trimmed(segment) == Segment(5.0, 5.0 + 135 / FRAMES_PER_SECOND, segment.text)
    assert paced.too_few_words([segment]) and not unpaced.too_few_words([segment])
    # over the pause: ends before it where the pace says the words are said by then
    across = Segment(5.0, 20.0, " two three four six eight" * 6)  # 30 syllables over 13.5 s of sound
    assert unpaced.trimmed(across).end == 20.0 and paced.trimmed(across).end == 11.0
    assert word_sound.most_sound(" hello world", 0.0) == 2 * word_sound.WORD_SOUND_FRAMES


def test_what_a_window_said_from_where_it_said_something_again_is_decoded_again():
    """Found on a clip with pauses between sentences, in bfloat16: made to reach its
    last speech, a window said its second sentence again over its fourth. A window
    decoded again from where it began to repeat itself hears that speech instead.
    Here every segment has as many words as its sound takes."""
    first_window = (WORDS.segment(0.0, 2.4, "one", "two", "three", "four") + WORDS.segment(2.4, 15.0, *["five"] * 21)
                    + WORDS.segment(15.0, 17.4, "one", "two", "three", "four") + WORDS.segment(17.4, 30.0, *["six"] * 21))
    said, again = speech_decoded_again(first_window, WORDS.segment(0.0, 15.0, *["seven"] * 25))
    assert [w.start for w in again] == [15 * FRAMES_PER_SECOND]
    assert said.count("one two three four") == 1 and "six" not in said and "seven" in said


FAILED = (-2.0, "fife")  # a log probability and text that fail at every temperature


def failed_window_decoded_again(first: DecodedWindow, again_silent: bool = False, alone: tuple[float, str] = FAILED,
                                again_text: str = "two", alone_no_speech: float = 0.1,
                                again_logprob: float = -0.3) -> tuple[str, list[list[int]]]:
    """`loops.batched` over 60 s of speech in two windows: the first decoded as `first`,
    the second saying "fife" alone, with `alone`'s log probability and text (by
    default failed at every temperature), and "two" after the first window's tokens,
    with `again_text` and `again_logprob`, judged silent or not; any other window
    (over a hole) hears nothing. `alone_no_speech`: the second window's no-speech
    probability alone. The transcript, and the tokens the second window was
    decoded after, each time."""
    sound = np.ones(60 * FRAMES_PER_SECOND, bool)
    cuts = pauses.Cuts([window(0, 30), window(30, 60)], sound, sound, np.zeros_like(sound))
    afters = []

    def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
        out = []
        for w in windows:
            if w.offset != 30.0:
                out.append(first if w.offset == 0.0 else DecodedWindow([], -2.0, 0.9, 0.0, ""))
                continue
            afters.append(previous)
            if not previous:
                out.append(DecodedWindow(WORDS.segment(0.0, 29.5, *["fife"] * 49), alone[0], alone_no_speech, 1.0, alone[1]))
            else:
                silent = (-1.5, 0.9) if again_silent else (again_logprob, 0.1)
                out.append(DecodedWindow(WORDS.segment(0.0, 29.5, *["two"] * 49), *silent, 0.0, again_text))
        return out

    said = text(loops.batched(decode, cuts, WORDS, RunConfig(strategy="batched", batch_size=2), lambda *_: None, threading.Event()))
    return said, afters


FIRST = WORDS.segment(0.0, 29.5, *["one"] * 49)


def test_a_window_that_fails_at_every_temperature_is_decoded_again_after_the_one_before():
    """Found on a Caribbean voice reading a licence: alone, tiny.en heard "a secondary
    section is a named appendix" as "Asek and the Risek, Shoni, Napendiks" at every
    temperature, and 23 words sequential kept were lost; after the previous window's
    tokens, as the seek loop decodes, it heard them at temperature 0."""
    said, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"))
    assert afters == [[], FIRST]
    assert said == " ".join(["one"] * 49 + ["two"] * 49)


def test_a_prompt_holds_the_last_half_context_of_the_previous_tokens_as_openai_whisper_builds_it():
    long_first = WORDS.segment(0.0, 29.5, *["one"] * 300)
    assert initial_tokens(long_first, WORDS, 448) == [WORDS.sot_prev, *long_first[-223:], *WORDS.sot_sequence]
    assert initial_tokens(FIRST, WORDS, 448) == [WORDS.sot_prev, *FIRST, *WORDS.sot_sequence]
    assert initial_tokens([], WORDS, 448) == list(WORDS.sot_sequence)


@pytest.mark.parametrize("first", [DecodedWindow(FIRST, -1.5, 0.9, 0.0, "one"), DecodedWindow(FIRST, -0.3, 0.1, 0.8, "one")],
                         ids=["judged silent", "sampled hot"])
def test_no_window_is_decoded_after_one_the_seek_loop_would_not_prompt_with(first):
    """A window judged silent (its words invented) or decoded above temperature 0.5:
    the seek loop takes neither's tokens for a prompt."""
    _, afters = failed_window_decoded_again(first)
    assert afters == [[]]


def test_a_window_decoded_again_that_comes_back_silent_leaves_the_first_try():
    said, _ = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), again_silent=True)
    assert "two" not in said and "fife" in said


SHOUTED = "Vim tries to help. VIM WILL READ THE SWAP FILD USED TO STORE TEXED"


@pytest.mark.parametrize("alone, again_logprob, kept", [(-0.7, -0.3, "two"), (-0.7, -0.8, "fife")],
                         ids=["likelier after it", "less likely after it"])
def test_a_window_unsure_of_its_words_is_decoded_again_after_the_one_before(alone, again_logprob, kept):
    """Found on a GNU manual read at 210 wpm: alone, tiny.en heard "within the
    database file names are terminated with a null character" as "within the next
    day. The next day is the second day of the second day", and passed (-0.65);
    after the previous window's tokens it heard them (-0.40). The likelier try is
    kept."""
    said, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=(alone, "fife"),
                                               again_logprob=again_logprob)
    assert afters == [[], FIRST]
    assert said == " ".join(["one"] * 49 + [kept] * 49)


@pytest.mark.parametrize("alone, again_text, again_logprob, kept", [
    ((-0.2, "fife " * 100), "two", -0.5, "two"),  # failed (too repetitive): a new try that passes, however likely
    ((-0.6, SHOUTED), "two", -0.8, "two"),  # shouted: a new try that does not, however likely
    ((-0.7, "fife"), SHOUTED, -0.3, "fife"),  # unsure: not a new try that shouts, however likely
], ids=["failed", "shouted", "unsure"])
def test_which_try_of_a_window_decoded_again_is_kept(alone, again_text, again_logprob, kept):
    said, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=alone, again_text=again_text,
                                               again_logprob=again_logprob)
    assert afters == [[], FIRST]
    assert said == " ".join(["one"] * 49 + [kept] * 49)


def test_a_window_sure_enough_of_its_words_is_not_decoded_again():
    _, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=(loops.UNSURE_LOGPROB, "fife"))
    assert afters == [[]]


def test_a_window_that_shouts_is_decoded_again_after_the_one_before():
    """Found on Vim's manual read aloud: alone, tiny.en went on in capitals after
    "VIM" and heard "file" as "FILD", "text" as "TEXED"; the seek loop, which
    decodes after the text before, never did."""
    said, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=(-0.6, SHOUTED))
    assert afters == [[], FIRST]
    assert said == " ".join(["one"] * 49 + ["two"] * 49)


def test_a_window_decoded_again_that_shouts_too_leaves_the_first_try():
    said, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=(-0.6, SHOUTED),
                                               again_text=SHOUTED)
    assert afters == [[], FIRST]
    assert "two" not in said and "fife" in said


def test_a_failed_window_keeps_a_new_try_that_passes_though_it_shouts():
    said, _ = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), again_text=SHOUTED)
    assert "two" in said and "fife" not in said


def test_no_window_that_shouts_is_decoded_after_one_that_shouts_too():
    _, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, SHOUTED), alone=(-0.6, SHOUTED))
    assert afters == [[]]


def test_a_window_judged_silent_is_not_decoded_again_for_its_capitals():
    """Its words are invented, and after a prompt the model invents more."""
    _, afters = failed_window_decoded_again(DecodedWindow(FIRST, -0.3, 0.1, 0.0, "one"), alone=(-1.5, SHOUTED),
                                            alone_no_speech=0.9)
    assert afters == [[]]


@pytest.mark.parametrize("said, shouts", [
    (SHOUTED, True),
    ("VIN WILL A READ THE SWAP", True),  # one letter neither ends a run nor adds to it
    ("VIM WILL search the GNU GPL for USB-C", False),  # acronyms, never five in a row
    ("Press CTRL-W, then J, then K. I see a QWERTY keyboard.", False),
    ("VIN WILL READ THE swap FILD USED TO", False),
], ids=["shouting", "one letter", "acronyms", "keys", "broken run"])
def test_five_words_in_capitals_in_a_row_are_shouting(said, shouts):
    assert loops.shouted(said) is shouts


def test_a_short_segment_said_again_is_the_speaker_not_a_loop():
    said = [Segment(0.0, 1.0, " Yes."), Segment(1.0, 4.0, " The cart was more strange than it looked."), Segment(4.0, 5.0, " yes")]
    assert loops.said_again(said) == 3
    assert loops.said_again(said + [Segment(5.0, 8.0, " the cart was more strange, than it looked")]) == 3


LOOPING = WORDS.segment(0.0, 12.0, *["five"] * 20) + WORDS.segment(12.0, 29.5, "from", "create", *["tormel"] * 27)
HEARD_AGAIN = WORDS.segment(0.0, 17.5, *["seven"] * 30)


# cut off by the limit inside its last segment, as a decoding that loops is
CUT_OFF = WORDS.segment(0.0, 12.0, *["five"] * 20) + WORDS.segment(12.0, 29.5, "from", "create", *["tormel"] * 40)[:-2]


@pytest.mark.parametrize("looping", [LOOPING, CUT_OFF], ids=["closed", "cut off"])
def test_a_last_segment_looped_on_to_the_token_limit_is_decoded_again(looping):
    """As a window on a Rust book clip ended: the loop is not kept, and a window
    decoded again from where it began hears that speech."""
    said, again = speech_decoded_again(looping, HEARD_AGAIN, cut_off=True)
    assert [w.start for w in again] == [12 * FRAMES_PER_SECOND]
    assert "tormel" not in said and "seven" in said


def test_a_speaker_saying_a_word_again_and_again_is_kept():
    """The same words, where the decoder ended them with its end token: the speaker's."""
    said, again = speech_decoded_again(LOOPING, HEARD_AGAIN, cut_off=False)
    assert again == [] and said.count("tormel") == 27


GAPPED = WORDS.segment(0.0, 10.0, *["five"] * 15) + WORDS.segment(20.0, 29.5, *["six"] * 15)


def test_speech_unheard_between_two_segments_of_a_failed_window_is_decoded_again():
    """As a window tiny.en failed at every temperature on an essay read aloud stamped
    nothing over 15 s of speech between two of its segments: what it said after them
    is dropped, and a window decoded again from where the first ends hears them."""
    said, again = speech_decoded_again(GAPPED, WORDS.segment(0.0, 19.5, *["seven"] * 30), first_failed=True)
    assert [w.start for w in again] == [10 * FRAMES_PER_SECOND]
    assert "six" not in said and said.count("seven") == 30


@pytest.mark.parametrize("pause, failed", [((10.2, 19.8), True), (None, False)], ids=["a pause", "a window that passed"])
def test_a_pause_or_a_window_that_passed_keeps_what_follows_a_gap(pause, failed):
    """A pause is not speech; and a window that passed leaves a beep unstamped."""
    said, again = speech_decoded_again(GAPPED, WORDS.segment(0.0, 19.5, *["seven"] * 30), pause=pause, first_failed=failed)
    assert again == [] and said.count("six") == 15


def test_a_window_decoded_by_sampling_counts_once_however_often_it_is_tried():
    """A window tried again (after the text before it, or over a hole) is one window of
    the transcript: the count says how many windows were a draw, not how many tries."""
    first, second, third = Window(0, 3000), Window(3000, 3000), Window(6000, 1000)

    def decoded(temperature: float) -> DecodedWindow:
        return DecodedWindow([], -0.5, 0.1, temperature, "words")

    count = SampledCount()
    count.of([first, second, third], [decoded(0.0), decoded(0.4), decoded(0.0)])
    count.of([second], [decoded(1.0)])  # tried again, sampled again
    assert count.windows == 1
    count.of([first], [decoded(0.2)])  # a greedy window's try that sampled
    assert count.windows == 2 and count.starts == {0, 3000}
