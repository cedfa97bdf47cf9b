"""The long-form window plan, the seam merge and the holes decoded again (no model)."""

from __future__ import annotations

from asr_tui.core.backends.longform.seams import merge_windows, plan, redecode
from asr_tui.core.backends.longform.window import Window
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES, Segment


def window(start_s: float, end_s: float) -> Window:
    return Window(round(start_s * FRAMES_PER_SECOND), round((end_s - start_s) * FRAMES_PER_SECOND))


def text(segments: list[Segment]) -> str:
    return " ".join("".join(s.text for s in segments).split())


def test_plan_covers_the_audio_with_overlapping_windows():
    windows = plan(12_345)
    assert [w.start for w in windows] == [0, 2000, 4000, 6000, 8000, 10_000]
    assert all(w.frames == WINDOW_FRAMES for w in windows[:-1])
    assert windows[-1].start + windows[-1].frames == 12_345
    assert plan(1_000) == [Window(0, 1_000)]


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
    (redo,) = redecode(heard, 70 * FRAMES_PER_SECOND, tried={w.start for w, _ in heard})
    # a stride before the speech heard ends, in place of the silent window
    assert redo.window == Window(2180, WINDOW_FRAMES) and redo.index == 1 and redo.replaces


def test_a_start_that_failed_gives_way_to_another():
    heard = [(window(0, 30), [Segment(0.0, 26.8, " words")]), (window(20, 50), []), (window(40, 70), [Segment(40.0, 69.5, " words")])]
    tried = {0, 2000, 4000}
    starts = []
    for _ in range(4):
        found = redecode(heard, 70 * FRAMES_PER_SECOND, tried)
        starts += [r.window.start for r in found]
        tried |= {r.window.start for r in found}
    assert starts == [2180, 2680, 2430]


def test_a_window_that_stopped_early_gets_one_after_it():
    heard = [
        (window(0, 30), [Segment(0.0, 14.0, " words")]),  # stopped at 14 s
        (window(20, 50), [Segment(20.5, 49.5, " words")]),
    ]
    (redo,) = redecode(heard, 50 * FRAMES_PER_SECOND, tried={w.start for w, _ in heard})
    assert redo.window.start == 900 and redo.index == 1 and not redo.replaces


def test_the_end_of_the_audio_is_decoded_when_the_last_window_stopped_short():
    heard = [(window(0, 30), [Segment(0.0, 20.0, " words")]), (window(20, 45), [Segment(20.0, 35.0, " words")])]
    (redo,) = redecode(heard, 45 * FRAMES_PER_SECOND, tried={0, 2000})
    assert redo.window == Window(3000, 1500) and redo.index == 2 and not redo.replaces


def test_nothing_is_decoded_twice_or_without_a_hole():
    heard = [(window(0, 30), [Segment(0.0, 26.0, " words")]), (window(20, 45), [Segment(20.0, 44.5, " words")])]
    assert redecode(heard, 45 * FRAMES_PER_SECOND, tried={0, 2000}) == []
    stopped_early = [(window(0, 30), [Segment(0.0, 14.0, " words")]), (window(20, 50), [Segment(20.5, 49.5, " words")])]
    assert redecode(stopped_early, 50 * FRAMES_PER_SECOND, tried={0, 2000, 900, 1400, 1150}) == []
