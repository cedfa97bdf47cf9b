"""Where a long recording is cut into windows of at most 30 s: in the longest pause
near each window's end, so that no window starts or ends inside a word.

A window cut through a word loses it (the quietest instant alone is often a stop
consonant inside a word), and a window that starts in the middle of a sentence can
skip its first seconds, whatever the backend. Cut in pauses, the windows need not
overlap: the first pass hears each sample once, in windows of 25-30 s instead of one
every 20 s (the windows decoded again where a transcript has a hole come on top), but
for windows of silence, which have nothing to hear.

The same pauses place what the model heard: a window decoded again starts in one,
and a segment is stamped where its sound is (`Cuts.window_start`, `Cuts.trimmed`),
no longer than its words can take (`word_sound.most_sound`), at the pace of the
recording once a first pass has heard it (`Cuts.paced`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from asr_tui.core.backends.longform.word_sound import WORD_SOUND_FRAMES, more_than_said, most_sound, spoken_words, syllables_of
from asr_tui.core.backends.longform.window import Window
from asr_tui.core.transcript import FRAMES_PER_SECOND, SAMPLES_PER_FRAME, WINDOW_FRAMES, Segment

SEARCH_FRAMES = 5 * FRAMES_PER_SECOND  # a window ends in the longest pause of its last 5 s
SOUND_FRAMES = 20  # frames with sound (`silent`) that make a stretch worth decoding: 0.2 s
GAP_FRAMES = 10  # quiet frames in a row that are a gap between words, not a stop consonant: 0.1 s
WORD_FRAMES = 100  # how far back a gap is looked for before a window's start: 1 s
LEAD_FRAMES = 50  # silence a window decoded again keeps before its first word: 0.5 s
PAUSE_FRAMES = 100  # a gap this long between a segment's sounds is a pause its words need not cross: 1 s
EDGE_FRAMES = 50  # sound past a pause at a segment's edge that can be a neighbour's word: 0.5 s
PACE_WORDS = 4  # a segment with this many words or more tells the pace a recording is spoken at
PACE_SEGMENTS = 8  # the fewest such segments that tell it
WINDOW_PACE_SEGMENTS = 4  # the fewest that tell a window's own pace (`Cuts.slowed_to`)
SPEECH_FRAMES = 50  # `loud` frames that make a stretch sound like speech: 0.5 s
NOISE_PERCENTILE = 5  # of the frames with sound: a recording's noise floor, or its quietest speech
SILENCE_FLOOR = 1e-8  # a frame's mean square at or below this is silence whatever the recording: -80 dBFS, dither
CLIPS = "quiet cuts"  # how a result records these windows
SETTINGS = {"clips": CLIPS, "soundless_windows": "not decoded"}  # what a result records of them


@dataclass(frozen=True)
class Cuts:
    """A recording cut into windows, which of its frames have sound (a window or a
    hole without is not decoded, where the model could only invent words), which
    are loud, as speech is, which lie between words, and, once a first pass has
    heard it, the pace it is spoken at."""

    windows: list[Window]
    sound: np.ndarray  # per frame, not `silent`
    loud: np.ndarray  # per frame, `loud`
    gaps: np.ndarray  # per frame, `gaps`: between words
    # frames of sound a syllable takes in this recording, as a runner's pace is time a
    # mile (`paced`: more is slower); None: not known
    pace: float | None = None

    @classmethod
    def of(cls, energy: np.ndarray) -> Cuts:
        """A recording's, from the energy of its frames (`frame_energy`)."""
        return cls(windows(energy), ~silent(energy), loud(energy), gaps(energy))

    def slowed_to(self, segments: list[Segment]) -> Cuts:
        """These cuts, judging one window's segments at the window's own pace
        (`paced`, from `WINDOW_PACE_SEGMENTS` of them) where that is slower than the
        recording's: a slow speaker among fast ones. Read at 100 wpm among 240,
        their segments passed for ones that skipped speech, and decoding their
        windows again cost 2.3 points. A window that skipped speech has few
        segments, so it is judged at the recording's pace."""
        own = self.paced(segments, WINDOW_PACE_SEGMENTS).pace
        return replace(self, pace=own) if own and self.pace and own > self.pace else self

    def window_start(self, frame: int) -> int:
        """Where a window meant to start at `frame` starts: in the gap between words
        at or last before it (one within `WORD_FRAMES`), `LEAD_FRAMES` before the
        next word where the gap is that long. Started inside a word or just at one,
        a window loses it: tiny.en heard "Everyone agreed" as "and re-wanna green"."""
        frame = max(frame, 0)
        first = max(frame - WORD_FRAMES, 0)
        gap = np.flatnonzero(self.gaps[first : frame + 1])
        if not gap.size:
            return frame
        onset = first + int(gap[-1]) + 1
        after = np.flatnonzero(~self.gaps[onset:])
        onset += int(after[0]) if after.size else len(self.gaps) - onset  # the next word's first frame
        lead = self.gaps[max(onset - LEAD_FRAMES, 0) : onset]
        word = np.flatnonzero(~lead)  # a word in the lead: the gap is shorter
        return min(frame, onset - len(lead) + (int(word[-1]) + 1 if word.size else 0))

    def trimmed(self, segment: Segment) -> Segment:
        """The segment where its words can be (`_heard`). The model stamps a
        segment over the pause before or after its words, by seconds, and over the
        next sentence where the window stopped early, which then goes unheard.

        Where no pause ends a segment with far too few words for its sound
        (`more_than_said`), it ends once it holds the most sound its words can
        take (`most_sound`): in continuous speech, a window came back
        as "When a family of new-" stamped over 14 s of noisy speech, which no
        window heard again. Ended so, a window's last segment leaves a hole there
        (`seams.redecode`); an earlier one only gets truer stamps, since holes are
        looked for between windows. (The batched loop keeps such a segment only
        where it is its window's first: `loops.batched`.)"""
        stretches = self._heard(segment)
        if not stretches:
            return segment
        if more_than_said(sum(s.size for s in stretches), segment.text, self.pace):
            stretches = [np.concatenate(stretches)[: most_sound(segment.text, self.pace)]]
        first = round(segment.start * FRAMES_PER_SECOND)
        return Segment((first + int(stretches[0][0])) / FRAMES_PER_SECOND, (first + int(stretches[-1][-1]) + 1) / FRAMES_PER_SECOND,
                       segment.text)

    def too_few_words(self, segments: list[Segment]) -> bool:
        """Whether the segments, as the model stamped them, hold far more sound where
        their words can be (`_heard`) than those words take (`more_than_said`): the
        model heard only some of it, and `trimmed` would end them early."""
        frames = sum(s.size for segment in segments for s in self._heard(segment))
        return more_than_said(frames, " ".join(s.text for s in segments), self.pace)

    def _heard(self, segment: Segment) -> list[np.ndarray]:
        """The stretches of the segment's sound (`_stamped`) that its words can be
        in. Its stamps meet its neighbours' where a word starts, give or take a
        word: a stretch under `EDGE_FRAMES` past a pause at either end is theirs.
        Where the rest holds far more sound than its words take
        (`more_than_said`), the window stopped early yet stamped its last
        few words ("A village carpenter sent at a cabin at a") over the next
        sentence too: they end at the first pause after enough sound for its words
        (`WORD_SOUND_FRAMES` each)."""
        stretches = self._stamped(segment)
        if more_than_said(sum(s.size for s in stretches), segment.text, self.pace):
            enough = np.cumsum([s.size for s in stretches]) >= spoken_words(segment.text) * WORD_SOUND_FRAMES
            stretches = stretches[: int(np.argmax(enough)) + 1]
        return stretches

    def _stamped(self, segment: Segment) -> list[np.ndarray]:
        """The stretches of the segment's frames outside a gap (counted from its
        first frame), split at pauses of `PAUSE_FRAMES` or more, less a stretch
        under `EDGE_FRAMES` past a pause at either end (`_heard` says why)."""
        first = round(segment.start * FRAMES_PER_SECOND)
        sounding = np.flatnonzero(~self.gaps[first : round(segment.end * FRAMES_PER_SECOND)])
        stretches = np.split(sounding, np.flatnonzero(np.diff(sounding) > PAUSE_FRAMES) + 1) if sounding.size else []
        if len(stretches) > 1 and stretches[-1].size < EDGE_FRAMES:
            stretches.pop()
        if len(stretches) > 1 and stretches[0].size < EDGE_FRAMES:
            stretches.pop(0)
        return stretches

    def skipped_speech(self, segment: Segment) -> bool:
        """Whether the model stamped the segment's words over far more sound than they
        take (`_heard`): it heard only some of that speech, so whatever the window
        says after the segment comes after speech it skipped."""
        return more_than_said(sum(s.size for s in self._stamped(segment)), segment.text, self.pace)

    def paced(self, segments: list[Segment], fewest: int = PACE_SEGMENTS) -> Cuts:
        """These cuts, knowing the pace of the recording: the median sound per
        syllable (`_stamped`) of the segments with `PACE_WORDS` words or more and
        some sound, where there are at least `fewest` of them. The median,
        since a segment that skipped speech holds far more sound than its words
        take, and one stamped in a pause none."""
        said = [(frames, syllables_of(segment.text)) for segment in segments if spoken_words(segment.text) >= PACE_WORDS
                and (frames := sum(s.size for s in self._stamped(segment)))]
        if len(said) < fewest:
            return self
        return replace(self, pace=float(np.median([frames / count for frames, count in said])))

    def last_speech(self, window: Window) -> float:
        """Seconds from the window's start to the end of its last `loud` frame (0 if
        none): how far its transcript should reach."""
        speech = np.flatnonzero(self.loud[window.start : window.start + window.frames])
        return (int(speech[-1]) + 1) / FRAMES_PER_SECOND if speech.size else 0.0

    def has_sound(self, start: int, end: int) -> bool:
        """Whether frames [start, end) hold at least `SOUND_FRAMES` of sound."""
        return int(np.count_nonzero(self.sound[max(start, 0) : max(end, 0)])) >= SOUND_FRAMES

    def sounds_like_speech(self, start: int, end: int) -> bool:
        """Whether frames [start, end) hold at least `SPEECH_FRAMES` of loud frames:
        above a noise floor, where a pause in noise is not."""
        return int(np.count_nonzero(self.loud[max(start, 0) : max(end, 0)])) >= SPEECH_FRAMES

    def sounds(self, window: Window) -> bool:
        """Whether the window holds sound (`has_sound` of its frames)."""
        return self.has_sound(window.start, window.start + window.frames)


def frame_energy(blocks: Iterable[np.ndarray]) -> np.ndarray:
    """Mean square of each 10 ms frame (the log-mel's hop) of consecutive blocks of
    samples, read once: a two-hour recording's energy is 2.9 MB, its samples 460 MB."""
    parts, carry = [], np.zeros(0, np.float32)
    for block in blocks:
        samples = np.concatenate((carry, np.asarray(block, np.float32)))
        whole = len(samples) // SAMPLES_PER_FRAME * SAMPLES_PER_FRAME
        parts.append(np.square(samples[:whole]).reshape(-1, SAMPLES_PER_FRAME).mean(axis=1))
        carry = samples[whole:]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def cuts_of(blocks: Iterable[np.ndarray], content_frames: int) -> Cuts:
    """The windows of a recording given as blocks of samples, which must span the
    log-mel's `content_frames` (one frame per whole 10 ms, as both count)."""
    energy = frame_energy(blocks)
    assert len(energy) == content_frames, (len(energy), content_frames)
    return Cuts.of(energy)


def windows(energy: np.ndarray) -> list[Window]:
    """Windows of at most 30 s covering every frame once, each ending in the middle of
    the longest pause of its last `SEARCH_FRAMES`."""
    found, start = [], 0
    while len(energy) - start > WINDOW_FRAMES:
        first = start + WINDOW_FRAMES - SEARCH_FRAMES
        pause_start, pause_end = longest_pause(energy[first : start + WINDOW_FRAMES])
        cut = first + (pause_start + pause_end) // 2
        found.append(Window(start, cut - start))
        start = cut
    found.append(Window(start, len(energy) - start))
    return found


def silent(energy: np.ndarray) -> np.ndarray:
    """Frames of digital silence: at the floor, or 40 dB below the recording's median
    frame. Not `quiet`: a noise floor is sound here, since speech in steady noise can
    sit within a few dB of it and the model still hears it."""
    return energy <= max(1e-4 * float(np.median(energy)), SILENCE_FLOOR) if len(energy) else np.zeros(0, bool)


def loud(energy: np.ndarray) -> np.ndarray:
    """Frames 10 dB above the recording's noise floor, as speech is and a pause in
    steady noise is not. The floor is a low percentile of the frames with sound, so
    one frame of digital silence (a file's first 10 ms) does not set it."""
    sound = energy[~silent(energy)]
    floor = float(np.percentile(sound, NOISE_PERCENTILE)) if sound.size else 0.0
    return energy > 10 * floor


def quiet(energy: np.ndarray) -> np.ndarray:
    """Frames within 10 dB of the quietest (a recording's noise floor) or 30 dB below
    the median frame (digital silence between words)."""
    return energy <= max(10 * energy.min(), 1e-3 * np.median(energy))


def gaps(energy: np.ndarray) -> np.ndarray:
    """Frames between words: runs of `GAP_FRAMES` or more that are digital silence
    (`silent`), within 10 dB of the quietest frame with sound (a noise floor), or
    30 dB below the median frame. Unlike `quiet`, one frame of digital silence (a
    file's first 10 ms) does not take the floor to zero, and a stop consonant's
    closure, a frame or two inside a word, is no gap."""
    if not len(energy):
        return np.zeros(0, bool)
    none = silent(energy)
    floor = float(energy[~none].min()) if (~none).any() else 0.0
    between = none | (energy <= max(10 * floor, 1e-3 * float(np.median(energy))))
    for start, end in zip(*_runs(between)):
        if end - start < GAP_FRAMES:
            between[start:end] = False
    return between


def longest_pause(energy: np.ndarray) -> tuple[int, int]:
    """[start, end) of the longest run of quiet frames (`quiet` among these), the
    latest of equals (the longer window)."""
    starts, ends = _runs(quiet(energy))
    longest = np.flatnonzero(ends - starts == (ends - starts).max())[-1]
    return int(starts[longest]), int(ends[longest])


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The starts and ends, [start, end), of each run of true frames in `mask`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return edges[::2], edges[1::2]
