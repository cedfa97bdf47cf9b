"""Where the batched strategy splits a recording into sections, one per stream.

Each section is decoded by openai-whisper's seek loop on its own (`loops.batched`),
so a cut is a place where one stream stops and the next begins, with no overlap to
merge: a word on the cut would be heard half by each. Cuts are therefore moved to
the quietest moment near where an even split would put them.
"""

from __future__ import annotations

import numpy as np

from asr_tui.core.transcript import FRAMES_PER_SECOND, WINDOW_FRAMES

# A section at least this long: each one after the first costs a lead-in window
# (`loops.batched`), so sections of two windows keep the windows decoded about as
# many as whisper-jax's overlapping ones (a 20 s step), while a long recording still
# fills every row.
MIN_SECTION_FRAMES = 2 * WINDOW_FRAMES
SEARCH_FRAMES = 5 * FRAMES_PER_SECOND  # how far a cut may move, each way, to find a pause
PAUSE_FRAMES = FRAMES_PER_SECOND // 5  # loudness is averaged over this long: a gap between words, not a stop consonant


def count(content_frames: int, batch_size: int) -> int:
    """How many sections (streams): as many as the batch holds, none shorter than
    `MIN_SECTION_FRAMES`."""
    return max(1, min(batch_size, content_frames // MIN_SECTION_FRAMES))


def cuts(loudness: np.ndarray, sections: int) -> list[int]:
    """Bounds of `sections` contiguous sections of frames 0 to len(loudness), first
    and last included: each inner cut at the quietest `PAUSE_FRAMES` within
    `SEARCH_FRAMES` of an even split. `loudness`: one value per mel frame (any
    monotonic measure of energy, e.g. the mean log-mel)."""
    total = len(loudness)
    smooth = np.convolve(loudness, np.ones(PAUSE_FRAMES) / PAUSE_FRAMES, mode="same")
    bounds = [0]
    for k in range(1, sections):
        even = k * total // sections
        low, high = max(bounds[-1] + 1, even - SEARCH_FRAMES), min(total - 1, even + SEARCH_FRAMES)
        bounds.append(low + int(np.argmin(smooth[low : high + 1])))
    return bounds + [total]
