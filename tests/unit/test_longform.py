"""The long-form loops on a scripted decoder (no model): the seek loop, the streams
of the batched strategy and where it cuts the recording."""

from __future__ import annotations

import threading

import numpy as np

from asr_tui.core.backends.longform import loops, sections
from asr_tui.core.backends.longform.window import DecodedWindow, Window
from asr_tui.core.config import RunConfig
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES

SECOND = FRAMES_PER_SECOND
TIMESTAMP_BEGIN = 1000  # ids below are words, from here on timestamps (0.02 s each)


class Tokenizer:
    sot, sot_prev, sot_sequence = 1, 2, (1,)
    timestamp_begin = TIMESTAMP_BEGIN

    @staticmethod
    def decode(tokens: list[int]) -> str:
        return "".join(f" w{t}" for t in tokens)


class ScriptedDecoder:
    """Hears one word per 5 s slot of the recording (its id: 100 + the slot's index),
    in the window whose audio holds the slot's middle, as a segment timed to the slot
    (cut at the window's edges); records every call. A window starting at a frame in
    `hot` comes back at temperature 1.0 (a fallback)."""

    def __init__(self, hot: frozenset[int] = frozenset()) -> None:
        self.calls: list[tuple[list[Window], list[list[int]], int]] = []
        self.hot = hot

    def __call__(self, windows: list[Window], prompts: list[list[int]], rows: int) -> list[DecodedWindow]:
        assert len(windows) == len(prompts) <= rows and len({len(p) for p in prompts}) == 1
        self.calls.append((windows, prompts, rows))
        return [self.hear(w) for w in windows]

    def hear(self, window: Window) -> DecodedWindow:
        slot, end, tokens = 5 * SECOND, window.start + window.frames, []
        for index in range(window.start // slot, end // slot + 1):
            if window.start <= index * slot + slot // 2 < end:
                begin, finish = max(index * slot, window.start) - window.start, min((index + 1) * slot, end) - window.start
                tokens += [TIMESTAMP_BEGIN + begin // 2, 100 + index, TIMESTAMP_BEGIN + finish // 2]
        temperature = 1.0 if window.start in self.hot else 0.0
        return DecodedWindow(tokens, -0.1, 0.0, temperature, Tokenizer.decode([t for t in tokens if t < TIMESTAMP_BEGIN]))


def words(segments) -> list[str]:
    return "".join(s.text for s in segments).split()


def run_batched(decoder, seconds: int, batch_size: int, loudness=None):
    frames = seconds * SECOND
    loudness = np.ones(frames) if loudness is None else loudness
    config = RunConfig(backend="jax", strategy="batched", batch_size=batch_size)
    return loops.batched(decoder, frames, loudness, Tokenizer, 448, config, lambda *_: None, threading.Event())


def test_one_stream_is_the_sequential_loop():
    sequential, batched = ScriptedDecoder(), ScriptedDecoder()
    seconds = 200
    expected = loops.sequential(sequential, seconds * SECOND, Tokenizer, 448, RunConfig(backend="jax"),
                                lambda *_: None, threading.Event())
    assert run_batched(batched, seconds, batch_size=1) == expected
    assert batched.calls == sequential.calls
    assert words(expected) == [f"w{100 + slot}" for slot in range(seconds // 5)]


def test_streams_hear_every_word_once_each_after_its_own_previous_text():
    decoder = ScriptedDecoder()
    seconds = 250
    segments = run_batched(decoder, seconds, batch_size=16)
    assert sections.count(seconds * SECOND, 16) == 4
    assert words(segments) == [f"w{100 + slot}" for slot in range(seconds // 5)]
    starts = [s.start for s in segments]
    assert starts == sorted(starts)
    # the first call: the first section's first window beside a lead-in for each other one
    windows, prompts, rows = decoder.calls[0]
    assert rows == 4 and prompts == [[Tokenizer.sot]] * 4
    assert [w.start + w.frames for w in windows[1:]] == sections.cuts(np.ones(seconds * SECOND), 4)[1:-1]
    # then every row is prompted with the text before its window, none with another's
    for windows, prompts, _ in decoder.calls[1:]:
        for window, prompt in zip(windows, prompts):
            assert prompt[0] == Tokenizer.sot_prev and prompt[-1] == Tokenizer.sot
            heard = [t for t in prompt[1:-1] if t < TIMESTAMP_BEGIN]
            assert heard and heard[-1] == 100 + window.start // (5 * SECOND) - 1


def test_a_reset_prompt_is_decoded_apart_and_the_others_keep_theirs():
    """A window decoded at a high temperature is not trusted as a prompt (openai-
    whisper's rule): its stream's next window goes without one, in a call of its own,
    rather than every row of the call losing its previous text."""
    plain = ScriptedDecoder()
    run_batched(plain, 250, batch_size=16)
    hot = plain.calls[1][0][1].start  # the second stream's first own window
    decoder = ScriptedDecoder(hot=frozenset({hot}))
    run_batched(decoder, 250, batch_size=16)
    unprompted = [c for c in decoder.calls[1:] if c[1][0] == [Tokenizer.sot]]
    assert len(unprompted) == 1 and len(unprompted[0][0]) == 1
    assert len(decoder.calls) == len(plain.calls) + 1


def test_sections_are_cut_at_the_quietest_moment_near_an_even_split():
    loudness = np.ones(300 * SECOND)
    loudness[97 * SECOND : 97 * SECOND + 30] = 0.0  # a pause 3 s before the even cut at 100 s
    loudness[180 * SECOND : 180 * SECOND + 30] = 0.0  # one 20 s away: too far
    bounds = sections.cuts(loudness, 3)
    assert bounds[0] == 0 and bounds[-1] == 300 * SECOND
    assert 97 * SECOND - 10 <= bounds[1] <= 97 * SECOND + 30
    assert abs(bounds[2] - 200 * SECOND) <= sections.SEARCH_FRAMES


def test_as_many_sections_as_the_batch_holds_none_shorter_than_the_minimum():
    assert sections.count(sections.MIN_SECTION_FRAMES - 1, 16) == 1
    assert sections.count(10 * sections.MIN_SECTION_FRAMES, 4) == 4
    assert sections.count(3 * sections.MIN_SECTION_FRAMES + 5, 16) == 3
    assert sections.MIN_SECTION_FRAMES >= WINDOW_FRAMES
