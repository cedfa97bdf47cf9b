"""One window of audio: where it lies, what decoding it gave, and the timed segments
in its tokens.

The quality checks, segment parsing and the seek rule follow openai-whisper's
`transcribe`, so that every backend decoding windows itself does the library's work.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import Callable

from asr_tui.core.backends.base import check_cancel
from asr_tui.core.transcript import FRAMES_PER_SECOND, FRAMES_PER_TIMESTAMP, SECONDS_PER_TIMESTAMP, Segment


@dataclass(frozen=True)
class Window:
    """A stretch of audio decoded as one encoder input (zero-padded past `frames`)."""

    start: int  # first mel frame
    frames: int  # mel frames of audio, at most WINDOW_FRAMES

    @property
    def offset(self) -> float:
        return self.start / FRAMES_PER_SECOND

    @property
    def seconds(self) -> float:
        return self.frames / FRAMES_PER_SECOND

    @property
    def end(self) -> float:
        return (self.start + self.frames) / FRAMES_PER_SECOND


@dataclass
class DecodedWindow:
    tokens: list[int]  # sampled tokens, EOT stripped
    avg_logprob: float
    no_speech_prob: float
    temperature: float
    text: str
    # stopped for want of room, not at its end token: at `max_new_tokens`, or where a
    # prompt left less of the text context (each backend knows its own decoder's room)
    cut_off: bool = False

    @property
    def compression_ratio(self) -> float:
        data = self.text.encode("utf-8")
        return len(data) / len(zlib.compress(data)) if data else 0.0


@dataclass
class SampledCount:
    """The windows decoded by sampling (their fallback ended above temperature 0),
    tries that were not kept included: where there is any, the transcript is one draw,
    and another seed can give other words and another WER (`core.sampling`)."""

    starts: set[int] = field(default_factory=set)  # each such window's first mel frame

    def of(self, windows: list[Window], decoded: list[DecodedWindow]) -> list[DecodedWindow]:
        """`decoded` (of `windows`), counted."""
        self.starts.update(w.start for w, d in zip(windows, decoded) if d.temperature > 0)
        return decoded

    @property
    def windows(self) -> int:
        return len(self.starts)


def needs_fallback(window: DecodedWindow, config) -> bool:
    """openai-whisper's rule: too repetitive or too unlikely, unless it is silence."""
    fallback = False
    if config.compression_ratio_threshold is not None and window.compression_ratio > config.compression_ratio_threshold:
        fallback = True
    if config.logprob_threshold is not None and window.avg_logprob < config.logprob_threshold:
        fallback = True
    if (
        config.no_speech_threshold is not None
        and window.no_speech_prob > config.no_speech_threshold
        and config.logprob_threshold is not None
        and window.avg_logprob < config.logprob_threshold
    ):
        fallback = False
    return fallback


def with_fallback(count: int, config, decode_round: Callable[[list[int], float], list[DecodedWindow]],
                  cancel: threading.Event) -> list[DecodedWindow]:
    """openai-whisper's temperature fallback over a batch of `count` windows: all are
    decoded at the first temperature of the schedule, and those that fail the quality
    checks again at each next one. `decode_round(rows, temperature)` decodes the
    windows at those indices."""
    results: list[DecodedWindow | None] = [None] * count
    pending = list(range(count))
    for temperature in config.temperatures:
        for row, decoded in zip(pending, decode_round(pending, temperature)):
            results[row] = decoded
        pending = [row for row in pending if needs_fallback(results[row], config)]
        if not pending:
            break
        check_cancel(cancel)
    return results


def is_silence(window: DecodedWindow, config) -> bool:
    if config.no_speech_threshold is None or window.no_speech_prob <= config.no_speech_threshold:
        return False
    return not (config.logprob_threshold is not None and window.avg_logprob > config.logprob_threshold)


def split_segments(tokens: list[int], window: Window, timestamp_begin: int, decode, keep_tail: bool = False):
    """Timed segments of one window, how many mel frames to advance (the seek rule),
    and how many of the tokens those segments used (the next prompt's source).

    Sequential decoding drops an unfinished last segment and decodes it again from
    the next window; batched windows never come back, so `keep_tail` keeps it,
    ending at the window's end."""
    is_ts = [t >= timestamp_begin for t in tokens]
    single_ending = is_ts[-2:] == [False, True]
    consecutive = [i + 1 for i in range(len(tokens) - 1) if is_ts[i] and is_ts[i + 1]]
    segments: list[Segment] = []
    offset, duration, window_frames = window.offset, window.seconds, window.frames

    def add(start: float, end: float, text_tokens: list[int]) -> None:
        text = decode([t for t in text_tokens if t < timestamp_begin])
        if text.strip() and end > start:  # openai-whisper blanks empty and instant segments
            # the model can stamp times past the audio in a zero-padded last window
            segments.append(Segment(offset + min(start, duration), offset + min(end, duration), text))

    if consecutive:
        slices = consecutive + ([len(tokens)] if single_ending else [])
        last = 0
        for current in slices:
            part = tokens[last:current]
            add((part[0] - timestamp_begin) * SECONDS_PER_TIMESTAMP, (part[-1] - timestamp_begin) * SECONDS_PER_TIMESTAMP, part)
            last = current
        if single_ending:
            advance, consumed = window_frames, len(tokens)
        elif keep_tail and last < len(tokens):
            tail = tokens[last:]
            start = (tail[0] - timestamp_begin) * SECONDS_PER_TIMESTAMP if tail[0] >= timestamp_begin else segments[-1].end - offset if segments else 0.0
            add(start, duration, tail)
            advance, consumed = window_frames, len(tokens)
        else:
            advance, consumed = (tokens[last - 1] - timestamp_begin) * FRAMES_PER_TIMESTAMP, last
    else:
        end = duration
        stamps = [t for t in tokens if t >= timestamp_begin]
        if stamps and stamps[-1] != timestamp_begin:
            end = (stamps[-1] - timestamp_begin) * SECONDS_PER_TIMESTAMP
        add(0.0, end, tokens)
        advance, consumed = window_frames, len(tokens)
    return segments, advance, consumed
