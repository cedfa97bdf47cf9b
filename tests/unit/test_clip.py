"""A clip is the first seconds of the file decoded once: the same samples, no decoding
of its own, and a file shorter than the clip runs whole with a note."""

from __future__ import annotations

import numpy as np

from asr_tui.core import audio
from asr_tui.core.runner import _clip
from asr_tui.core.samples import SAMPLE
from asr_tui.core.transcript import SAMPLE_RATE


def test_a_clip_is_the_start_of_the_decoded_file():
    with audio.decoded(SAMPLE) as whole:
        five, note = _clip(whole, 5.0)
        assert note is None and five.seconds == 5.0 and five.fd == whole.fd
        assert np.array_equal(five.samples(), whole.read(0, 5 * SAMPLE_RATE))
        assert sum(b.size for b in five.blocks()) == 5 * SAMPLE_RATE
        longer, note = _clip(whole, 600.0)
        assert longer.length == whole.length and "gettysburg.flac is 23.9 s long" in note and "600 s clip runs all of it" in note
