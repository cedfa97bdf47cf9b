"""Decode any audio PyAV can read into what Whisper eats: 16 kHz mono float32.

PyAV bundles FFmpeg's libraries, so no system ffmpeg is needed (openai-whisper's own
loader shells out to one, which these machines do not have). `stream` decodes window
by window, so a consumer that works window by window holds one window, not the file;
`load` is the same decoder gathered into one array, for consumers that need it whole.
`decoded` decodes a file once into a scratch file that a run reads window by window:
a two-hour file costs the run no more memory than a ten-minute one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr_tui.core import paths
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.transcript import SAMPLE_RATE, WINDOW_SAMPLES

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
    paths.require_file(path, "audio file")
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


@dataclass(frozen=True)
class Decoded:
    """A file decoded once (outside any timed pass) to raw float32 samples in an
    unnamed scratch file, which the kernel deletes when it closes, even when the
    process is killed. Backends read it window by window (`blocks`) and only a backend
    whose library wants the whole array reads it whole (`samples`), so the decode
    stays out of every pass's time and the samples out of its memory."""

    path: Path  # the source
    fd: int  # the scratch file
    length: int  # samples

    @property
    def seconds(self) -> float:
        return self.length / SAMPLE_RATE

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples [start, stop), clipped to the file."""
        start, stop = max(0, start), min(stop, self.length)
        if stop <= start:
            return np.zeros(0, np.float32)
        size = 4 * (stop - start)
        data = bytearray(size)
        view, done = memoryview(data), 0
        while done < size:  # pread may return less than asked on a large read
            done += os.preadv(self.fd, [view[done:]], 4 * start + done)
        return np.frombuffer(data, np.float32)

    def blocks(self, block_samples: int = WINDOW_SAMPLES) -> Iterator[np.ndarray]:
        for start in range(0, self.length, block_samples):
            yield self.read(start, start + block_samples)

    def samples(self) -> np.ndarray:
        """The whole file in one array, for libraries that take nothing else."""
        return self.read(0, self.length)

    def cut(self, seconds: float) -> "Decoded":
        """The first `seconds` of the same scratch file (all of it if shorter): a length
        curve's clips cost no decoding of their own."""
        return dataclasses.replace(self, length=min(self.length, round(seconds * SAMPLE_RATE)))


@contextlib.contextmanager
def decoded(path: str | Path) -> Iterator[Decoded]:
    """Decode `path` into a scratch file (in TMPDIR: point it at a disk where /tmp is
    memory) and yield it; every decoding failure is an AsrTuiError naming the file."""
    with tempfile.TemporaryFile() as scratch:
        length = 0
        for chunk in stream(path):
            scratch.write(chunk.astype(np.float32, copy=False).tobytes())
            length += chunk.size
        scratch.flush()
        yield Decoded(Path(path), scratch.fileno(), length)


def probe_seconds(path: str | Path) -> float:
    """Duration from the container header, for listing files without decoding them."""
    import av

    path = Path(path)
    paths.require_file(path, "audio file")
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
