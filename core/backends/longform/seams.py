"""The batched (whisper-jax) long form: a plan of overlapping windows, and the merge
of their transcripts into one.

Windows overlap by a stride on each side; at each seam the words both windows heard
are aligned so the seam keeps each word once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from asr_tui.core.backends.longform.window import Window
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES, Segment

STRIDE_FRAMES = 5 * FRAMES_PER_SECOND  # windows overlap by this much on each side (whisper-jax's chunk / 6)


def plan(content_frames: int) -> list[Window]:
    """Full windows overlapping by `STRIDE_FRAMES` on each side, the last one cut at
    the end of the audio."""
    step = WINDOW_FRAMES - 2 * STRIDE_FRAMES
    starts = [0]
    while starts[-1] + WINDOW_FRAMES < content_frames:
        starts.append(starts[-1] + step)
    return [Window(start, min(WINDOW_FRAMES, content_frames - start)) for start in starts]


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
