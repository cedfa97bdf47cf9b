"""What a transcription produces, and the units its times are counted in.

A leaf module (it imports nothing of the project) so that backends, results, events
and the UI share one definition. The constants are Whisper's, as openai-whisper's
`audio.py` defines them: every clock in the model (samples, mel frames, encoder
positions, timestamp tokens) is a fixed multiple of the 16 kHz sample clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

SAMPLE_RATE = 16_000  # Whisper hears 16 kHz mono
SAMPLES_PER_FRAME = 160  # the mel spectrogram's hop: one frame every 10 ms
FRAMES_PER_SECOND = SAMPLE_RATE // SAMPLES_PER_FRAME
WINDOW_SECONDS = 30  # the encoder sees one fixed 30 s window
WINDOW_SAMPLES = WINDOW_SECONDS * SAMPLE_RATE
WINDOW_FRAMES = WINDOW_SECONDS * FRAMES_PER_SECOND
FRAMES_PER_TIMESTAMP = 2  # the encoder halves the mel frames; a timestamp token counts encoder positions
SECONDS_PER_TIMESTAMP = FRAMES_PER_TIMESTAMP / FRAMES_PER_SECOND


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the audio
    end: float
    text: str

    def to_dict(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "text": self.text}


@dataclass(frozen=True)
class Transcript:
    text: str
    segments: list[Segment]
    language: str | None = None
    # What a backend reports beyond the text, each key optional: "compile_s" and
    # "compile_cache_hits" (JAX), "stages" (seconds per stage, `core.stages`),
    # "compiled" (the programs this pass compiled: [{"program", "shapes"}]) and
    # "sampled_windows" (the windows decoded by sampling, `core.sampling`).
    stats: dict = field(default_factory=dict)


# Called with (audio seconds done, segments decoded since the last call).
ProgressFn = Callable[[float, list[Segment]], None]
