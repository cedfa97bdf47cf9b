from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from asr_tui.core import audio
from asr_tui.core.errors import AsrTuiError
from tests.speech import encode


@pytest.mark.parametrize(("suffix", "codec"), [("flac", "flac"), ("mp3", "mp3"), ("ogg", "libopus"), ("m4a", "aac"), ("wav", "pcm_s16le")])
def test_decodes_formats_to_16k_mono(speech_clip, tmp_path, suffix, codec):
    original = audio.load(speech_clip[0])
    path = encode(original.samples, audio.SAMPLE_RATE, tmp_path / f"clip.{suffix}", codec)
    decoded = audio.load(path)
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    assert decoded.seconds == pytest.approx(original.seconds, abs=0.1)
    assert audio.probe_seconds(path) == pytest.approx(original.seconds, abs=0.1)
    # Lossy codecs delay and smear samples, but the speech envelope must survive.
    assert envelope_similarity(original.samples, decoded.samples) > 0.9


def envelope_similarity(a: np.ndarray, b: np.ndarray, frame: int = 160, max_lag: int = 30) -> float:
    """Best correlation of 10 ms loudness envelopes over lags of up to 0.3 s
    (encoders such as AAC prepend priming samples)."""
    env = lambda x: np.abs(x[: len(x) - len(x) % frame]).reshape(-1, frame).mean(axis=1)  # noqa: E731
    ea, eb = env(a), env(b)
    n = min(len(ea), len(eb)) - max_lag
    return max(np.corrcoef(ea[:n], eb[lag : lag + n])[0, 1] for lag in range(max_lag))


def test_resamples_stereo_44k(tmp_path, speech_clip):
    import av

    mono = audio.load(speech_clip[0]).samples
    path = tmp_path / "stereo.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=44100)
        stream.layout = "stereo"
        resampler = av.AudioResampler(format="s16", layout="stereo", rate=44100)
        frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = 16000
        for out in resampler.resample(frame) + resampler.resample(None):
            container.mux(stream.encode(out))
        for packet in stream.encode(None):
            container.mux(packet)
    decoded = audio.load(path)
    assert decoded.seconds == pytest.approx(len(mono) / 16000, abs=0.05)


def test_missing_file(tmp_path):
    with pytest.raises(AsrTuiError, match="does not exist"):
        audio.load(tmp_path / "nope.wav")
    with pytest.raises(AsrTuiError, match="audio file /dev/null is not a file"):  # it exists: said as what it is
        audio.load(Path("/dev/null"))


def test_unreadable_file(tmp_path):
    path = tmp_path / "garbage.mp3"
    path.write_bytes(b"this is not audio at all" * 100)
    with pytest.raises(AsrTuiError, match="garbage.mp3"):
        audio.load(path)


def test_file_without_audio_stream(tmp_path):
    import av

    path = tmp_path / "video.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(AsrTuiError, match="no audio stream"):
        audio.load(path)


def test_empty_audio(tmp_path):
    path = encode(np.zeros(0, np.float32), 16000, tmp_path / "empty.wav", "pcm_s16le")
    with pytest.raises(AsrTuiError, match="empty.wav"):
        audio.load(path)


def test_probe_rejects_empty_and_garbage(tmp_path):
    empty = encode(np.zeros(0, np.float32), 16000, tmp_path / "empty.flac", "flac")
    with pytest.raises(AsrTuiError, match="empty.flac"):
        audio.probe_seconds(empty)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF" + b"\x01" * 100)
    with pytest.raises(AsrTuiError, match="garbage.wav"):
        audio.probe_seconds(garbage)


def whole_file_decode(path) -> np.ndarray:
    """Every frame through one resampler into one array: the decode `stream` replaces."""
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=audio.SAMPLE_RATE)
        parts = [out.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for out in resampler.resample(frame)]
        parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(parts)


@pytest.mark.parametrize(("suffix", "codec", "rate"), [("flac", "flac", 16000), ("mp3", "mp3", 44100), ("wav", "pcm_s16le", 22050)])
def test_streaming_decode_equals_whole_file_decode(speech_clip, tmp_path, suffix, codec, rate):
    original = audio.load(speech_clip[0]).samples
    resampled = np.interp(np.arange(0, len(original), audio.SAMPLE_RATE / rate), np.arange(len(original)), original)
    path = encode(resampled.astype(np.float32), rate, tmp_path / f"clip.{suffix}", codec)
    chunk_seconds = 0.73  # not a multiple of any codec's frame
    chunks = list(audio.stream(path, chunk_seconds=chunk_seconds))
    size = round(chunk_seconds * audio.SAMPLE_RATE)
    assert len(chunks) > 3 and all(len(c) == size for c in chunks[:-1]) and 0 < len(chunks[-1]) <= size
    assert all(c.dtype == np.float32 for c in chunks)
    whole = whole_file_decode(path)
    assert np.array_equal(np.concatenate(chunks), whole)
    assert np.array_equal(audio.load(path).samples, whole)


def test_streaming_reports_bad_files_by_name(tmp_path):
    garbage = tmp_path / "garbage.flac"
    garbage.write_bytes(b"fLaC" + b"\x00" * 200)
    with pytest.raises(AsrTuiError, match="garbage.flac"):
        list(audio.stream(garbage))


def test_decoded_reads_the_stream_window_by_window_and_leaves_no_file(speech_clip):
    whole = audio.load(speech_clip[0]).samples
    with audio.decoded(speech_clip[0]) as clip:
        assert clip.length == len(whole) and clip.seconds == pytest.approx(len(whole) / audio.SAMPLE_RATE)
        assert np.array_equal(clip.samples(), whole)
        assert np.array_equal(np.concatenate(list(clip.blocks(12_345))), whole)
        assert np.array_equal(clip.read(-5, 100), whole[:100])  # clipped to the file
        assert clip.read(len(whole), len(whole) + 10).size == 0
        scratch = Path(f"/proc/self/fd/{clip.fd}")
        assert "(deleted)" in os.readlink(scratch)  # unnamed: nothing to clean up after a kill
    assert not scratch.exists()


def test_decoded_names_the_file_it_cannot_read(tmp_path):
    bad = tmp_path / "not-audio.wav"
    bad.write_text("hello")
    with pytest.raises(AsrTuiError, match="not-audio.wav"), audio.decoded(bad):
        pass
