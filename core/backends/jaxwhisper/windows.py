"""From one window's sampled tokens to timed segments, and from overlapping windows
to one transcript.

Segment parsing and the seek rule follow openai-whisper's `transcribe` so that the
sequential mode does the library's work; the merge of overlapping windows is the
batched (whisper-jax) mode's own: windows overlap by a stride on each side, and the
words both windows heard are aligned so the seam keeps each word once.
"""

from __future__ import annotations

import difflib
import re
import zlib
from dataclasses import dataclass

from asr_tui.core.backends.base import Segment

SECONDS_PER_TIMESTAMP = 0.02
FRAMES_PER_TIMESTAMP = 2  # the encoder halves the 100 Hz mel frames


@dataclass
class DecodedWindow:
    tokens: list[int]  # sampled tokens, EOT stripped
    avg_logprob: float
    no_speech_prob: float
    temperature: float
    text: str

    @property
    def compression_ratio(self) -> float:
        data = self.text.encode("utf-8")
        return len(data) / len(zlib.compress(data)) if data else 0.0


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


def is_silence(window: DecodedWindow, config) -> bool:
    if config.no_speech_threshold is None or window.no_speech_prob <= config.no_speech_threshold:
        return False
    return not (config.logprob_threshold is not None and window.avg_logprob > config.logprob_threshold)


def split_segments(tokens: list[int], offset: float, duration: float, timestamp_begin: int, decode, keep_tail: bool = False):
    """Timed segments of one window, how many mel frames to advance (the seek rule),
    and how many of the tokens those segments used (the next prompt's source).

    Sequential decoding drops an unfinished last segment and decodes it again from
    the next window; batched windows never come back, so `keep_tail` keeps it,
    ending at the window's end."""
    is_ts = [t >= timestamp_begin for t in tokens]
    single_ending = is_ts[-2:] == [False, True]
    consecutive = [i + 1 for i in range(len(tokens) - 1) if is_ts[i] and is_ts[i + 1]]
    segments: list[Segment] = []
    window_frames = round(duration * 100)

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


# --- merging overlapping windows ------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    start: float  # estimated from the word's share of its segment's characters
    end: float
    segment: int  # index into the window's segments
    position: int  # index of the word inside its segment
    last: bool  # the segment's final word

    @property
    def time(self) -> float:
        return (self.start + self.end) / 2


def _words(segments: list[Segment]) -> list[_Word]:
    words = []
    for index, segment in enumerate(segments):
        parts = segment.text.split()
        total = sum(len(p) + 1 for p in parts) or 1
        per_char = (segment.end - segment.start) / total
        done = 0
        for position, part in enumerate(parts):
            start = segment.start + done * per_char
            done += len(part) + 1
            words.append(_Word(part, start, segment.start + done * per_char, index, position, position == len(parts) - 1))
    return words


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def _cut(previous: list[_Word], following: list[_Word], overlap_start: float, overlap_end: float) -> tuple[int, int]:
    """Where to leave `previous` and join `following`: the middle of the longest run of
    words both heard in the overlap; the overlap's midpoint when they agree on none."""
    a = [i for i, w in enumerate(previous) if w.time >= overlap_start - 1.0]
    b = [i for i, w in enumerate(following) if w.time <= overlap_end + 1.0]
    if a and b:
        matcher = difflib.SequenceMatcher(None, [_key(previous[i].text) for i in a], [_key(following[i].text) for i in b], autojunk=False)
        match = matcher.find_longest_match(0, len(a), 0, len(b))
        if match.size >= 1:
            middle = match.size // 2
            return a[match.a + middle], b[match.b + middle]
    midpoint = (overlap_start + overlap_end) / 2
    keep = sum(1 for w in previous if w.time < midpoint)
    skip = sum(1 for w in following if w.time < midpoint)
    return keep, skip


def merge_windows(windows: list[tuple[float, float, list[Segment]]]) -> list[Segment]:
    """windows: (start s, end s, segments in absolute time), in order. Consecutive
    windows overlap; each seam is cut where both windows' words agree."""
    merged: list[tuple[_Word, tuple[int, int]]] = []
    segment_bounds: dict[tuple[int, int], Segment] = {}
    previous_end = None
    for w_index, (start, end, segments) in enumerate(windows):
        words = [(word, (w_index, word.segment)) for word in _words(segments)]
        for s_index, segment in enumerate(segments):
            segment_bounds[(w_index, s_index)] = segment
        if merged and previous_end is not None and start < previous_end:
            keep, skip = _cut([w for w, _ in merged], [w for w, _ in words], start, previous_end)
            merged = merged[:keep] + words[skip:]
        else:
            merged.extend(words)
        previous_end = end
    out: list[Segment] = []
    for owner in dict.fromkeys(owner for _, owner in merged):
        group = [w for w, o in merged if o == owner]
        source = segment_bounds[owner]
        # a segment cut at a seam keeps the estimated time of its first or last kept word
        start = source.start if group[0].position == 0 else group[0].start
        end = source.end if group[-1].last else group[-1].end
        out.append(Segment(start, end, " " + " ".join(w.text for w in group)))
    return _monotonic(out)


def _monotonic(segments: list[Segment]) -> list[Segment]:
    """Seams can leave a segment starting before its predecessor ends: clamp."""
    fixed: list[Segment] = []
    for segment in segments:
        start = max(segment.start, fixed[-1].end) if fixed else segment.start
        fixed.append(Segment(start, max(start, segment.end), segment.text))
    return fixed


def window_starts(total_seconds: float, chunk: float, stride: float) -> list[float]:
    """Start times of `chunk`-second windows overlapping by `stride` on each side."""
    step = chunk - 2 * stride
    starts = [0.0]
    while starts[-1] + chunk < total_seconds:
        starts.append(starts[-1] + step)
    return starts
