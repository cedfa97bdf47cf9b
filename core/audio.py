"""Decode any audio PyAV can read into what Whisper eats: 16 kHz mono float32.

PyAV bundles FFmpeg's libraries, so no system ffmpeg is needed (openai-whisper's own
loader shells out to one, which these machines do not have). `stream` decodes window
by window, so a consumer that works window by window holds one window, not the file;
`load` is the same decoder gathered into one array, for consumers that need it whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
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


def stream(path: str | Path, chunk_seconds: float = 30.0) -> Iterator[np.ndarray]:
    """Decode, downmix and resample a file, yielding `chunk_seconds` of samples at a
    time (the last chunk shorter); every failure names the file."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AsrTuiError(f"audio file {path} does not exist")
    size = max(1, round(chunk_seconds * SAMPLE_RATE))
    pending: list[np.ndarray] = []
    held = 0
    yielded = False
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AsrTuiError(f"{path} has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            frames = container.decode(container.streams.audio[0])
            for frame in itertools.chain(frames, [None]):  # None flushes the resampler
                for out in resampler.resample(frame):
                    pending.append(out.to_ndarray().reshape(-1))
                    held += pending[-1].size
                while held >= size:
                    joined = np.concatenate(pending)
                    pending, held = [joined[size:]], joined.size - size
                    yielded = True
                    yield joined[:size]
    except AsrTuiError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AsrTuiError(f"cannot decode {path}: {_reason(exc)}") from None
    if held:
        yield np.concatenate(pending)
    elif not yielded:
        raise AsrTuiError(f"{path} contains no audio")


def load(path: str | Path) -> Audio:
    """The whole file in one array (see `stream`)."""
    samples = np.concatenate(list(stream(path, chunk_seconds=60.0)))
    return Audio(path=Path(path), samples=samples.astype(np.float32, copy=False))


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
