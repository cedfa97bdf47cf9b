"""Record from an input device (PortAudio through `sounddevice`) for quick A/B runs.

A recording is captured at the device's native rate, resampled to Whisper's 16 kHz
mono and written as a WAV file in the user data dir before anything else touches
it; from then on it is a source like any other file. A device that fails midway
still leaves what was captured on disk.
"""

from __future__ import annotations

import io
import threading
import wave
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from asr_tui.core import atomic, paths
from asr_tui.core.audio import SAMPLE_RATE
from asr_tui.core.errors import AsrTuiError

SILENCE_RMS = 1e-4  # below this the whole recording is treated as silence
NO_DEVICE = "no microphone: PortAudio lists no input device"
# PortAudio is not thread-safe: a device scan on a worker thread must not meet a
# stream opening, or a second scan
_PORTAUDIO = threading.Lock()


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    samplerate: float
    channels: int


def _sounddevice():
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        raise AsrTuiError(f"no microphone support: {exc} (install Debian's libportaudio2)") from None
    return sounddevice


def input_devices(rescan: bool = False) -> list[InputDevice]:
    """The devices that can record. PortAudio lists devices once, when it starts, so a
    microphone plugged in or a sound server started later stays unseen; `rescan`
    starts PortAudio again first (the way sounddevice's maintainers give), which
    closes every open stream: only while nothing records."""
    sd = _sounddevice()
    try:
        with _PORTAUDIO:
            if rescan:
                if sd._initialized:  # a start that failed left it down
                    sd._terminate()
                sd._initialize()
            devices = sd.query_devices()
    except (sd.PortAudioError, ValueError) as exc:
        raise AsrTuiError(f"cannot list audio devices: {exc}") from None
    return [
        InputDevice(i, d["name"], float(d["default_samplerate"]), int(d["max_input_channels"]))
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


def check_length(seconds: float) -> None:
    """Refuse a recording of no length: it records a few samples, then reads as a
    silent device."""
    if not seconds > 0:
        raise AsrTuiError("a recording needs a length above 0 s")


def default_device() -> InputDevice:
    devices = input_devices()
    if not devices:
        raise AsrTuiError(NO_DEVICE)
    sd = _sounddevice()
    default = sd.default.device[0] if sd.default.device[0] is not None else -1
    return next((d for d in devices if d.index == default), devices[0])


def recordings_dir() -> Path:
    return paths.data_dir() / "recordings"


def new_recording_path(started: datetime) -> Path:
    """A file for a new recording in the recordings folder, named by when it started;
    looked for as it is written, so a take started in the same second as another is
    never written over it."""
    stem = recordings_dir() / f"{started:%Y%m%d-%H%M%S}"
    path, count = stem.with_suffix(".wav"), 1
    while path.exists():
        count += 1
        path = stem.with_name(f"{stem.name}-{count}.wav")
    return path


def recordings() -> list[Path]:
    """Saved recordings, newest first."""
    directory = recordings_dir()
    return sorted(directory.glob("*.wav"), key=lambda p: p.stat().st_mtime, reverse=True) if directory.is_dir() else []


def resample(samples: np.ndarray, rate: float) -> np.ndarray:
    """Mono float32 at `rate` to 16 kHz, with FFmpeg's resampler (through PyAV)."""
    import av

    if len(samples) == 0:
        return samples.astype(np.float32)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    frame = av.AudioFrame.from_ndarray(samples.astype(np.float32).reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = int(rate)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame) + resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """16-bit PCM, 16 kHz mono; atomic like every file the project writes, and with the
    mode of the user's own files (the umask), as an export is: a recording is theirs."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    data = io.BytesIO()
    with wave.open(data, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    atomic.write_user_file(path, data.getvalue())
    return path


class Recording:
    """One capture in progress. `level` and `elapsed` are safe to read from another
    thread while it runs; `stop()` saves the file and returns its path."""

    def __init__(self, device: InputDevice | None = None, max_seconds: float = 60.0, out: Path | None = None) -> None:
        self.device = device or default_device()
        self.max_seconds = max_seconds
        self.out = out  # None: the recordings folder (`new_recording_path`)
        self.started = datetime.now()
        self.rms = 0.0
        self.peak = 0.0
        self.error: str | None = None
        self._blocks: list[np.ndarray] = []
        self._frames = 0
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._stopping = False
        self._stream = None

    @property
    def elapsed(self) -> float:
        return self._frames / self.device.samplerate

    def start(self) -> "Recording":
        sd = _sounddevice()

        def callback(indata, frames, _time, status) -> None:
            block = indata[:, 0].copy()
            with self._lock:
                self._blocks.append(block)
                self._frames += frames
                self.rms = float(np.sqrt(np.mean(block**2))) if frames else 0.0
                self.peak = float(np.max(np.abs(block))) if frames else 0.0
            if status.input_overflow:
                self.error = "input overflow: some audio was dropped"
            if self._frames >= self.max_seconds * self.device.samplerate:
                self._done.set()
                raise sd.CallbackStop()

        try:
            with _PORTAUDIO:
                self._stream = sd.InputStream(
                    device=self.device.index, channels=1, samplerate=self.device.samplerate, dtype="float32",
                    callback=callback, finished_callback=self._finished,
                )
                self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._stream = None
            raise AsrTuiError(f"cannot record from '{self.device.name}' at {self.device.samplerate:.0f} Hz: {exc}") from None
        return self

    def _finished(self) -> None:
        """PortAudio ended the stream: at the length asked for, on `stop`, or because
        the device or its sound server went away mid-take, which must not pass for a
        take that short on purpose."""
        if not self._stopping and self._frames < self.max_seconds * self.device.samplerate:
            self.error = (f"the input stopped after {self.elapsed:.1f} s of {self.max_seconds:g} s"
                          " (the device or its sound server went away)")
        self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> Path:
        """Stop (if still running) and save what was captured, even after a failure."""
        sd = _sounddevice()
        self._stopping = True
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except sd.PortAudioError as exc:
                self.error = f"the device failed: {exc}"
        self._done.set()
        with self._lock:
            captured = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)
        samples = resample(captured, self.device.samplerate)
        target = self.out or new_recording_path(self.started)
        try:
            path = write_wav(target, samples)
        except OSError as exc:
            if self.out is None:
                raise AsrTuiError(f"cannot save the recording in {target.parent}: {exc.strerror or exc}") from None
            # the place named went away while recording: the audio goes with the others
            path = write_wav(new_recording_path(self.started), samples)
            raise AsrTuiError(f"cannot write {self.out} ({exc.strerror or exc}); the recording is saved in {path}") from None
        if self.error:
            raise AsrTuiError(f"{self.error}; what was captured is saved in {path}")
        if len(samples) == 0 or float(np.sqrt(np.mean(samples**2))) < SILENCE_RMS:
            raise AsrTuiError(f"the recording is silent (saved in {path}): check the input device and its volume")
        return path


def record(seconds: float, device: InputDevice | None = None, out: Path | None = None, on_tick=None) -> Path:
    """Record for `seconds` (blocking), calling `on_tick(recording)` about ten times a second."""
    recording = Recording(device, seconds, out).start()
    try:
        while not recording.wait(0.1):
            if on_tick is not None:
                on_tick(recording)
    except KeyboardInterrupt:
        pass  # stopping early is a request, not a failure: what was captured is saved
    return recording.stop()
