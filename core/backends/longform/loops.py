"""The two ways over a long recording, apart from how a window is decoded.

`sequential` is openai-whisper's seek loop; `batched` runs that same loop in several
sections of the recording at once, their current windows decoded side by side. Both
take a `DecodeFn`, so a backend supplies only the decoding of a batch of windows
(with its temperature fallback) and both loops behave the same whatever the
framework.

Why not whisper-jax's overlapping windows, each decoded on its own: that drops the
previous text that sequential decoding prompts every window with. Their extra errors
lay inside the windows, not at the seams or the window edges, and on the test clip
sequential decoding without the prompt scored as badly as they did (0.304, 0.306,
against 0.276 with it). With the prompt kept, batched differs from sequential only
in where its windows start (the section cuts). How much that costs is below what
these clips can tell: sequential's own WER moves by 6 points on the city clip when
its first window is shortened to 21 s, and by 2 on the test clip between two
processes with the same weights and settings.
"""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np

from asr_tui.core.backends.base import check_cancel
from asr_tui.core.backends.longform import sections
from asr_tui.core.backends.longform.window import DecodedWindow, Window, is_silence, split_segments
from asr_tui.core.config import RunConfig
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES, ProgressFn, Segment


class DecodeFn(Protocol):
    def __call__(self, windows: list[Window], prompts: list[list[int]], rows: int) -> list[DecodedWindow]:
        """Decode `windows` (at most `rows` of them), each after its own prompt (all of
        one length), as one call of `rows` rows: a backend with compiled shapes pads
        to `rows`, so every call of a pass has the same shape."""


class _Stream:
    """openai-whisper's seek loop over frames `seek` to `end`, one step at a time, so
    that several streams can advance side by side: the window to decode, the text
    before it (the prompt's source), and what a decoded window adds."""

    def __init__(self, seek: int, end: int, tokenizer, config: RunConfig) -> None:
        self.start = self.seek = seek
        self.end, self.tokenizer, self.config = end, tokenizer, config
        self.tokens: list[int] = []
        self.prompt_reset_since = 0
        self.segments: list[Segment] = []

    @property
    def done(self) -> bool:
        return self.seek >= self.end

    @property
    def heard_frames(self) -> int:
        return min(self.seek, self.end) - self.start

    def window(self) -> Window:
        return Window(self.seek, min(WINDOW_FRAMES, self.end - self.seek))

    def previous(self) -> list[int]:
        return self.tokens[self.prompt_reset_since :] if self.config.condition_on_previous_text else []

    def hear(self, decoded: DecodedWindow, window: Window) -> tuple[list[Segment], int]:
        """The segments of `decoded` that are complete and how many frames to advance
        (the seek rule); its tokens become the text before the next window."""
        if is_silence(decoded, self.config):
            return [], window.frames
        new, advance, consumed = split_segments(decoded.tokens, window, self.tokenizer.timestamp_begin, self.tokenizer.decode)
        self.tokens.extend(decoded.tokens[:consumed])
        if not self.config.condition_on_previous_text or decoded.temperature > 0.5:
            self.prompt_reset_since = len(self.tokens)
        return new, advance

    def step(self, decoded: DecodedWindow) -> list[Segment]:
        new, advance = self.hear(decoded, self.window())
        self.segments.extend(new)
        self.seek += advance
        return new


def _prompt(tokenizer, previous: list[int]) -> list[int]:
    prompt = list(tokenizer.sot_sequence)
    return [tokenizer.sot_prev] + previous + prompt if previous else prompt


def sequential(decode: DecodeFn, content_frames: int, tokenizer, n_text_ctx: int, config: RunConfig,
               progress: ProgressFn, cancel: threading.Event) -> list[Segment]:
    """openai-whisper's loop: one window, advance to the last complete segment, repeat."""
    stream = _Stream(0, content_frames, tokenizer, config)
    while not stream.done:
        check_cancel(cancel)
        prompt = _prompt(tokenizer, stream.previous()[-(n_text_ctx // 2 - 1):])
        new = stream.step(decode([stream.window()], [prompt], 1)[0])
        progress(min(stream.seek, content_frames) / FRAMES_PER_SECOND, new)
    return stream.segments


def batched_settings() -> dict:
    """What the batched strategy applies beyond the configuration, for a backend's
    `decoding_settings`: parallel seek loops, each over its own section of at least
    this length, each section after the first prompted by a lead-in window."""
    return {
        "long_form": "parallel seek loops (one per row, sections cut at pauses)",
        "min_section_s": sections.MIN_SECTION_FRAMES / FRAMES_PER_SECOND,
        "lead_in_s": WINDOW_FRAMES / FRAMES_PER_SECOND,
    }


def batched(decode: DecodeFn, content_frames: int, loudness: np.ndarray, tokenizer, n_text_ctx: int,
            config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> list[Segment]:
    """openai-whisper's seek loop in up to batch_size sections at once (`sections`),
    the current window of every stream decoded in one call, each after its own
    stream's previous text.

    A section after the first begins where no text has been heard yet; rather than
    decode its first window without a prompt, its stream first hears the 30 s before
    the section (a lead-in, in the first call beside the first section's first window)
    and keeps only that window's text, as the prompt.

    Rows of one call share a prompt length (a compiled shape; openai-whisper's
    `DecodingTask` builds one token tensor): rows that have previous text are cut to
    the shortest among them (after one window of speech, over a hundred of the 223
    tokens sequential decoding takes), and rows without any (a stream whose prompt was reset)
    are decoded in a call of their own rather than take every row's away.

    `loudness`: one value per mel frame of the content, where quiet means a pause."""
    total = content_frames / FRAMES_PER_SECOND
    bounds = sections.cuts(loudness[:content_frames], sections.count(content_frames, config.batch_size))
    streams = [_Stream(start, end, tokenizer, config) for start, end in zip(bounds, bounds[1:])]
    rows = len(streams)
    leads = [Window(max(0, s.seek - WINDOW_FRAMES), min(WINDOW_FRAMES, s.seek)) for s in streams[1:]]
    if leads and config.condition_on_previous_text:
        check_cancel(cancel)
        first = streams[0]
        decoded = decode([first.window()] + leads, [_prompt(tokenizer, [])] * rows, rows)
        for stream, window, lead in zip(streams[1:], leads, decoded[1:]):
            stream.hear(lead, window)
        first.step(decoded[0])
    while active := [s for s in streams if not s.done]:
        prompted = [s for s in active if s.previous()]
        limit = min([len(s.previous()) for s in prompted] + [n_text_ctx // 2 - 1])
        for group in (prompted, [s for s in active if not s.previous()]):
            if group:
                check_cancel(cancel)
                prompts = [_prompt(tokenizer, s.previous()[-limit:]) for s in group]
                for stream, decoded in zip(group, decode([s.window() for s in group], prompts, rows)):
                    stream.step(decoded)
        progress(sum(s.heard_frames for s in streams) / FRAMES_PER_SECOND, [])
    segments = [segment for stream in streams for segment in stream.segments]
    progress(total, segments)
    return segments
