"""The batched long form after its first calls: the windows to decode again where
speech went unheard, and the merge of their transcripts with their neighbours'.

Decoded on its own, without the previous text as a prompt, a window sometimes comes
back with a word or two and a low likelihood, which the no-speech rule then takes
for silence; or it stops early. The windows either side hear none of its audio, so
half a minute of speech can vanish. Sequential decoding never sees this because each
window starts where the last one's transcript ended (the seek rule). `redecode`
applies that rule where the batched transcript has a hole: the window is decoded
again from where the speech heard before it ends.

A window decoded again can be judged silent too: a few seconds of fast speech and
the rest zero-padding, or speech the no-speech rule doubts. Or it comes back with
far too few words for its sound. Where the hole is loud as speech and a window
stopped short there (a hole of a few seconds between heard words) or the try's words
fill the hole's sound, or where its words were too few, the likeliest of its tries
is kept if the hole is still open once every start was tried (`loops.batched`).

Such a window overlaps its neighbours; at each seam the words both windows heard
are aligned so the seam keeps each word once, and a word only one window heard is
never cut. The same merge joins windows laid at a fixed stride (whisper-jax's),
whose every seam is an overlap, by a rule of its own (`_cut_by_agreement`).
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from asr_tui.core.backends.longform.pauses import Cuts
from asr_tui.core.backends.longform.window import Window
from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES, Segment

UNHEARD_SECONDS = 1.0  # audio with no transcript that is let go (a pause), at a seam or at the end
SEAM_SLACK_SECONDS = 1.0  # words this far outside an overlap may still be the same words
MIN_AGREEMENT = 2  # words two windows must agree on in a row to align a seam by them: "the" is not enough
MAX_SKEW_SECONDS = 3.0  # estimated word times of two windows for the same words differ by less
LONG_AGREEMENT = 4  # words in a row that align a seam whatever their estimated times, where their segments' stamps meet
REDECODE_LOOKBACKS = (0.0, 5.0, 2.5)  # where a hole's window starts, in seconds before the coverage ends, in turn
REDECODE_REACH_SECONDS = 5.0  # how far a hole's window goes past the next window's first word: their overlap
SHORT_HOLE_SECONDS = 10.0  # a hole between heard words no longer than this: a window that stopped short
STAMP_SLACK_SECONDS = 0.5  # how far a word may sound outside its segment's stamps: about a word


@dataclass(frozen=True)
class _Word:
    text: str
    start: float  # estimated from the word's share of its segment's characters
    end: float
    segment: int  # index into the window's segments
    position: int  # index of the word inside its segment
    last: bool  # the segment's final word
    stamps: tuple[float, float]  # its segment's start and end, as the model stamped them

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
            words.append(_Word(part, start, segment.start + done * per_char, index, position, position == len(parts) - 1,
                               (segment.start, segment.end)))
    return words


def word_key(word: str) -> str:
    """A word as two transcripts are compared by it: lower case, without punctuation."""
    return re.sub(r"[^\w']", "", word.lower())


def _cut(previous: list[_Word], following: list[_Word], overlap_start: float, overlap_end: float,
         trusted: str | None) -> tuple[int, int]:
    """How many words of `previous` to keep and of `following` to skip: the middle of
    the longest run of words both windows heard in the overlap, unless `following`
    stopped short past it (below). Without one, where
    both heard the audio, the words of the `trusted` window ("previous" or
    "following"), or of `previous` where `following` stopped inside that stretch;
    otherwise the overlap's midpoint. Outside the stretch both heard, every word
    stays.

    Words both heard lie in segments that `previous` stamped ending inside `following`
    and that `following` stamped starting before `previous` stopped hearing, a word's
    length (`STAMP_SLACK_SECONDS`) or more, and near the overlap (`SEAM_SLACK_SECONDS`):
    a window decoded again from where the speech heard ends shares none, and common
    words ("it was") found on both sides of such a seam, seconds apart, are not the
    same words.

    A run's words are the same words where their estimated times, at the word the
    seam is cut by, are `MAX_SKEW_SECONDS` apart or less; or where `LONG_AGREEMENT`
    or more agree in segments whose stamps overlap, wherever their estimated times
    fall. A segment stamped over a tone or music and the speech after it spreads its
    words over the whole stretch, seconds early: such a window decoded again over a
    beep put "along the canal, a tourist from Canada discovered" 3.1 s before the
    next window's same words, and both were kept.

    Past the run, up to the last word `previous` heard, both windows heard the
    audio. Where `following` has fewer words there than `previous` has past the cut,
    and none for `UNHEARD_SECONDS` after them, it stopped short ("A village carpenter
    sent at a cabin at a") and the words of `previous` stay."""
    if not previous or not following:
        return len(previous), 0
    heard_end = previous[-1].stamps[1]
    a = [i for i, w in enumerate(previous) if w.stamps[1] > overlap_start + STAMP_SLACK_SECONDS]
    b = [
        i for i, w in enumerate(following)
        if w.time <= overlap_end + SEAM_SLACK_SECONDS and w.stamps[0] < heard_end - STAMP_SLACK_SECONDS
    ]

    def same_words(size: int, mine: _Word, theirs: _Word) -> bool:
        if size >= LONG_AGREEMENT and mine.stamps[0] < theirs.stamps[1] and theirs.stamps[0] < mine.stamps[1]:
            return True
        return mine.time >= overlap_start - SEAM_SLACK_SECONDS and abs(mine.time - theirs.time) <= MAX_SKEW_SECONDS

    if a and b:
        matcher = difflib.SequenceMatcher(None, [word_key(previous[i].text) for i in a], [word_key(following[i].text) for i in b],
                                          autojunk=False)
        runs = [
            run for run in matcher.get_matching_blocks()
            if run.size >= MIN_AGREEMENT and same_words(run.size, previous[a[run.a + run.size // 2]], following[b[run.b + run.size // 2]])
        ]
        if runs:
            run = max(runs, key=lambda r: r.size)
            middle = run.size // 2
            keep, skip = a[run.a + middle], b[run.b + middle]
            shared_end = previous[-1].time + SEAM_SLACK_SECONDS
            theirs = list(itertools.takewhile(lambda w: w.time <= shared_end, following[skip:]))
            heard_to = theirs[-1].time if theirs else previous[-1].time
            rest = following[skip + len(theirs):]
            stopped = not rest or rest[0].time - heard_to > UNHEARD_SECONDS
            if stopped and len(previous) - keep > len(theirs):
                return len(previous), skip + len(theirs)
            return keep, skip
    # Between the first word `following` heard and the last one `previous` heard, both
    # heard the audio; outside it only one did, and its words stay.
    if following[-1].time < previous[-1].time:  # `following` stopped inside it: only `previous` heard it all
        trusted = "previous"
    if trusted == "following":
        return sum(1 for w in previous if w.time < following[0].time), 0
    cut = previous[-1].time if trusted == "previous" else (overlap_start + overlap_end) / 2
    cut = min(max(cut, following[0].time), previous[-1].time)
    keep = sum(1 for w in previous if w.time <= cut)
    skip = sum(1 for w in following if w.time <= cut)
    return keep, skip


def _cut_by_agreement(previous: list[_Word], following: list[_Word], overlap_start: float, overlap_end: float) -> tuple[int, int]:
    """`_cut` for windows laid at a fixed stride (whisper-jax's), each with seconds of
    context around its overlaps: the middle of the longest run of words both windows
    said in segments stamped over the overlap, whatever their estimated times.
    Two such windows may stamp the same sentence seconds apart (6 s on a 7-minute
    clip), so the times `_cut` trusts do not tell the same words here. Without such a
    run the windows heard different words there ("...than it looked." and "Why would
    the organ builder", stamped 4 s over each other), and every word stays. Where
    `following` ends with the run (it stopped short), `previous` keeps its words past
    the run, and `following` gives up the run's."""
    a = [i for i, w in enumerate(previous) if w.stamps[1] > overlap_start]
    b = [i for i, w in enumerate(following) if w.stamps[0] < overlap_end]
    matcher = difflib.SequenceMatcher(None, [word_key(previous[i].text) for i in a], [word_key(following[i].text) for i in b],
                                      autojunk=False)
    run = max(matcher.get_matching_blocks(), key=lambda r: r.size)
    if run.size < MIN_AGREEMENT:
        return len(previous), 0
    if b[run.b + run.size - 1] == len(following) - 1:
        return len(previous), len(following)
    return a[run.a + run.size // 2], b[run.b + run.size // 2]


def merge_windows(windows: list[tuple[Window, list[Segment]]], cut_in_pauses: Collection[int] = (),
                  fixed_stride: bool = False) -> list[Segment]:
    """windows: each window with its segments (in absolute time), in order of start.
    Where one overlaps the one before (a window decoded again, or every window when
    they are laid at a `fixed_stride`), the seam is cut where both windows' words agree.

    Where they agree on nothing, at a fixed stride both windows keep their words
    (`_cut_by_agreement`); otherwise the words both heard are taken from the window whose
    start is in `cut_in_pauses` (the start frames of the first pass's windows,
    `pauses.cuts_of`) when the other's is not. The other was decoded again for a hole,
    and the audio both heard lies at its edge in the middle of speech: at its start,
    inside a sentence, or at the end of one that goes before the next window, which
    reaches past that window's first word only to align their seam. Decoded from a
    pause to a pause, the first pass's window heard those words whole.

    A window that heard nothing has no seam: the next window's is with the last
    window that heard words."""
    merged: list[tuple[_Word, tuple[int, int]]] = []
    segment_bounds: dict[tuple[int, int], Segment] = {}
    previous: Window | None = None
    for w_index, (window, segments) in enumerate(windows):
        words = [(word, (w_index, word.segment)) for word in _words(segments)]
        for s_index, segment in enumerate(segments):
            segment_bounds[(w_index, s_index)] = segment
        if merged and previous is not None and window.offset < previous.end:
            before, after = [w for w, _ in merged], [w for w, _ in words]
            if fixed_stride:
                keep, skip = _cut_by_agreement(before, after, window.offset, previous.end)
            else:
                in_pauses = previous.start in cut_in_pauses, window.start in cut_in_pauses
                trusted = {(True, False): "previous", (False, True): "following"}.get(in_pauses)
                keep, skip = _cut(before, after, window.offset, previous.end, trusted)
            merged = merged[:keep] + words[skip:]
        else:
            merged.extend(words)
        if segments:
            previous = window
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


@dataclass(frozen=True)
class Redecode:
    window: Window
    index: int  # its place among the windows
    replaces: bool  # whether it takes the place of the window there or goes before it
    hole: tuple[int, int]  # the frames unheard, [start, end)
    stopped_short: bool  # the hole lies between heard words, at most `SHORT_HOLE_SECONDS` long


def redecode(windows: list[tuple[Window, list[Segment]]], content_frames: int, tried: set[int], cuts: Cuts) -> list[Redecode]:
    """Where the transcript has a hole (`_holes`), the window to decode again there.

    The new window starts where the coverage ends (the last heard segment's end, as
    the seek rule starts the next window), moved out of a word it would start in or
    at (`Cuts.window_start`): started seconds before it, in the middle
    of a sentence heard already, a window unprompted can skip those seconds and
    stamp the next words at its start, and the seam, finding no words in common, is
    then cut by those wrong times through words only it heard. A start that was
    tried already (`tried`, in frames) gives way to the next in `REDECODE_LOOKBACKS`,
    since a window that starts elsewhere in the speech is decoded afresh.

    It takes the place of the window after the hole when it starts inside it (it
    hears all that window could from there on), or when that window heard nothing.
    Otherwise it goes before that window and ends `REDECODE_REACH_SECONDS` past its
    first word, enough to align their seam: the hole is usually a few seconds a
    window stopped short of its end, and a call's decoding steps last as long as its
    longest window's transcript."""
    found: list[Redecode] = []
    taken = set(tried)
    for index, window, segments, covered, first, hole in _holes(windows, content_frames, cuts):
        # a hole that begins in silence (a window of it left undecoded) is decoded
        # from shortly before its sound, not over the silence
        heard_to = max(covered, _sound_reached(cuts.has_sound, *hole) / FRAMES_PER_SECOND - UNHEARD_SECONDS)
        earliest = windows[index - 1][0].start + 1  # the windows stay in order of start
        starts = [max(earliest, cuts.window_start(round((heard_to - back) * FRAMES_PER_SECOND))) for back in REDECODE_LOOKBACKS]
        start = next((s for s in starts if s not in taken), None)
        if start is None:
            continue
        # a window that heard nothing gives its place up whatever the start
        replaces = window is not None and (start >= window.start or not segments)
        end = content_frames if window is None or replaces else round((first + REDECODE_REACH_SECONDS) * FRAMES_PER_SECOND)
        stopped_short = bool(segments) and first - covered <= SHORT_HOLE_SECONDS
        found.append(Redecode(Window(start, min(WINDOW_FRAMES, content_frames - start, end - start)), index, replaces,
                              hole, stopped_short))
        taken.update(starts)
    return found


def unheard_between(cuts: Cuts, before: Segment, after: Segment) -> bool:
    """Whether a window went on past speech between two of its segments: more than
    `UNHEARD_SECONDS` between their stamps (`STAMP_SLACK_SECONDS` from each) that
    sounds like speech (`Cuts.sounds_like_speech`, where a pause in noise does not).
    Holes are found between windows' words, so speech unheard inside a window is
    never decoded again: on a Caribbean voice reading an essay, a window tiny.en
    failed at every temperature stamped "... flip is in" to 398.8 s and its next
    words from 413.8 s, and 22 words sequential kept were lost (`loops.batched`
    asks this of such windows only)."""
    start, end = before.end + STAMP_SLACK_SECONDS, after.start - STAMP_SLACK_SECONDS
    return end - start > UNHEARD_SECONDS and cuts.sounds_like_speech(round(start * FRAMES_PER_SECOND), round(end * FRAMES_PER_SECOND))


def open_holes(windows: list[tuple[Window, list[Segment]]], content_frames: int, cuts: Cuts) -> dict[tuple[int, int], int]:
    """Every hole (`_holes`), as `Redecode.hole` gives its frames, with the index of
    the window after it."""
    return {hole: index for index, *_, hole in _holes(windows, content_frames, cuts)}


def _holes(windows: list[tuple[Window, list[Segment]]], content_frames: int,
           cuts: Cuts) -> Iterator[tuple[int, Window | None, list[Segment], float, float, tuple[int, int]]]:
    """Every stretch of more than `UNHEARD_SECONDS` unheard before a window, or before
    the end of the audio, with sound in it (`has_sound`: a window decoded again over
    silence, a recording's quiet end, say, only gives the model a chance to invent
    words there). For each: the index of the window after it (the number of windows
    past the last), that window (None past the last) and its segments; the coverage,
    the time of the last word the windows before it heard; the time that window first
    heard words (its end if it heard none, the audio's end past the last window); and
    the frames unheard, from the slack after the coverage to that time. `redecode` and
    `open_holes` both walk the windows by it, so a hole has the same frames in each,
    and a set-aside try for it (`loops.batched`) is found again.

    A window that heard nothing over sound ends its hole where it ends, whether or
    not a window is decoded there: the next window's hole is one of its own, not one
    holding this one, and has the same frames in every round. (One that heard nothing
    over silence, not decoded, holds no hole; the next window's hole reaches back
    across it.)"""
    total, covered = content_frames / FRAMES_PER_SECOND, 0.0
    for index in range(1, len(windows) + 1):
        heard_before = windows[index - 1][1]
        if heard_before:
            covered = max(covered, heard_before[-1].end)
        window, segments = windows[index] if index < len(windows) else (None, [])
        first = total if window is None else segments[0].start if segments else window.end
        hole = round((covered + STAMP_SLACK_SECONDS) * FRAMES_PER_SECOND), round(first * FRAMES_PER_SECOND)
        if first - covered > UNHEARD_SECONDS and cuts.has_sound(*hole):
            yield index, window, segments, covered, first, hole
            covered = max(covered, first)


def _sound_reached(has_sound: Callable[[int, int], bool], start: int, end: int) -> int:
    """The first frame by which [start, frame) has sound (`has_sound` grows with the
    frame), searched by halves; `end` if none before it."""
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        if has_sound(start, middle):
            high = middle
        else:
            low = middle + 1
    return low
