"""Decode any audio PyAV can read into what Whisper eats: 16 kHz mono float32.

PyAV bundles FFmpeg's libraries, so no system ffmpeg is needed (openai-whisper's own
loader shells out to one, which these machines do not have).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE

AUDIO_SUFFIXES = frozenset(
    ".wav .flac .mp3 .ogg .opus .m4a .aac .wma .webm .mp4 .mkv .mov .aiff .aif".split()
)


@dataclass(frozen=True)
class Audio:
    path: Path
    samples: np.ndarray  # float32, mono, SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def _reason(exc: Exception) -> str:
    """FFmpeg's own words without the errno and the path repeated."""
    return getattr(exc, "strerror", None) or str(exc)


def load(path: str | Path) -> Audio:
    """Decode, downmix and resample a file; every failure names the file."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AsrTuiError(f"audio file {path} does not exist")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AsrTuiError(f"{path} has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AsrTuiError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AsrTuiError(f"cannot decode {path}: {_reason(exc)}") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise AsrTuiError(f"{path} contains no audio")
    return Audio(path=path, samples=samples)


def probe_seconds(path: str | Path) -> float:
    """Duration from the container header, for listing files without decoding them."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AsrTuiError(f"audio file {path} does not exist")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AsrTuiError(f"{path} has no audio stream")
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                seconds = container.duration / 1_000_000
            else:
                return load(path).seconds
    except AsrTuiError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AsrTuiError(f"cannot read {path}: {_reason(exc)}") from None
    if seconds <= 0:
        raise AsrTuiError(f"{path} contains no audio")
    return seconds
