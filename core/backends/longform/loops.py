"""The two ways over a long recording, apart from how a window is decoded.

`sequential` is openai-whisper's seek loop; `batched` is whisper-jax's overlapping
windows decoded many at a time. Both take a `DecodeFn`, so a backend supplies only
the decoding of a batch of windows (with its temperature fallback) and both loops
behave the same whatever the framework.
"""

from __future__ import annotations

import threading
from typing import Protocol

from asr_tui.core.backends.base import check_cancel
from asr_tui.core.backends.longform import seams
from asr_tui.core.backends.longform.window import DecodedWindow, Window, is_silence, split_segments
from asr_tui.core.config import RunConfig
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES, ProgressFn, Segment

TAIL_SLACK_SECONDS = 1.0  # audio left after the last window's last segment that is let go
MAX_TAIL_WINDOWS = 3


class DecodeFn(Protocol):
    def __call__(self, windows: list[Window], prompt: list[int], rows: int) -> list[DecodedWindow]:
        """Decode `windows` (at most `rows` of them) after the same `prompt`, as one
        call of `rows` rows: a backend with compiled shapes pads to `rows`, so every
        call of a pass has the same shape."""


def sequential(decode: DecodeFn, content_frames: int, tokenizer, n_text_ctx: int, config: RunConfig,
               progress: ProgressFn, cancel: threading.Event) -> list[Segment]:
    """openai-whisper's loop: one window, advance to the last complete segment, repeat."""
    seek, all_tokens, prompt_reset_since, segments = 0, [], 0, []
    while seek < content_frames:
        window = Window(seek, min(WINDOW_FRAMES, content_frames - seek))
        previous = all_tokens[prompt_reset_since:] if config.condition_on_previous_text else []
        prompt = list(tokenizer.sot_sequence)
        if previous:
            prompt = [tokenizer.sot_prev] + previous[-(n_text_ctx // 2 - 1):] + prompt
        check_cancel(cancel)
        decoded = decode([window], prompt, 1)[0]
        if is_silence(decoded, config):
            seek += window.frames
            progress(seek / FRAMES_PER_SECOND, [])
            continue
        new, advance, consumed = split_segments(decoded.tokens, window, tokenizer.timestamp_begin, tokenizer.decode)
        segments.extend(new)
        all_tokens.extend(decoded.tokens[:consumed])
        if not config.condition_on_previous_text or decoded.temperature > 0.5:
            prompt_reset_since = len(all_tokens)
        seek += advance
        progress(min(seek, content_frames) / FRAMES_PER_SECOND, new)
    return segments


def batched(decode: DecodeFn, content_frames: int, tokenizer, config: RunConfig,
            progress: ProgressFn, cancel: threading.Event) -> list[Segment]:
    """whisper-jax's way: overlapping windows, batch_size per call, merged at the seams."""
    total = content_frames / FRAMES_PER_SECOND
    windows = seams.plan(content_frames)
    prompt = list(tokenizer.sot_sequence)
    # The windows are spread evenly over the fewest calls of at most batch_size:
    # every row of a call costs a full decode step until its longest window ends,
    # so 25 windows run as 13 + 12 rather than 16 + 16 with 7 padding rows.
    calls = -(-len(windows) // config.batch_size)
    rows = -(-len(windows) // calls)
    decoded: list[DecodedWindow] = []
    for first in range(0, len(windows), rows):
        check_cancel(cancel)
        group = windows[first : first + rows]
        decoded += decode(group, prompt, rows)
        progress(min(total, group[-1].end), [])

    def segments_of(decoded: DecodedWindow, window: Window) -> list[Segment]:
        if is_silence(decoded, config):
            return []
        found = split_segments(decoded.tokens, window, tokenizer.timestamp_begin, tokenizer.decode, keep_tail=True)[0]
        return [s for s in found if s.start < window.end]

    heard = [(w.offset, w.end, segments_of(d, w)) for w, d in zip(windows, decoded)]
    # Whisper often closes a window early, expecting the next one to go on from there;
    # after the last window none does, so decode from where it stopped (as the seek rule would).
    for _ in range(MAX_TAIL_WINDOWS):
        start, end, found = heard[-1]
        covered = found[-1].end if found else end
        if total - covered <= TAIL_SLACK_SECONDS:
            break
        tail_start = round(covered * FRAMES_PER_SECOND)
        tail = Window(tail_start, content_frames - tail_start)
        check_cancel(cancel)
        heard[-1] = (start, tail.offset, found)
        heard.append((tail.offset, total, segments_of(decode([tail], prompt, 1)[0], tail)))
    segments = seams.merge_windows(heard)
    progress(total, segments)
    return segments
