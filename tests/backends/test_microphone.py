"""Recording through a real (virtual) device: PulseAudio null sink, PortAudio, ALSA."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from asr_tui.cli.record import SERVER_HINT
from asr_tui.core import audio, microphone
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.runner_helpers import run_once
from tests.bounds import SAMPLE_WER_BOUND
from tests.virtual_mic import no_card_config, play

REFERENCE = SAMPLE.with_suffix(".txt").read_text()


def aligned_correlation(capture: np.ndarray, original: np.ndarray) -> float:
    """Pearson correlation at the lag that best aligns the two (FFT cross-correlation);
    the capture may start before the playback or a little after it."""
    n = len(capture) + len(original)
    xcorr = np.fft.irfft(np.fft.rfft(capture, n) * np.conj(np.fft.rfft(original, n)), n)
    lag = int(np.argmax(xcorr))
    if lag >= len(capture):  # negative lag: the capture missed the first samples
        lag -= n
    a, b = (capture[lag:], original) if lag >= 0 else (capture, original[-lag:])
    m = min(len(a), len(b))
    a, b = a[:m], b[:m]
    # Three resamplings (16 k -> sink -> device rate -> 16 k) leave a fractional-sample
    # delay: align that too, with a phase ramp in the frequency domain.
    spectrum, freqs = np.fft.rfft(a), np.fft.rfftfreq(m)
    return max(
        float(np.corrcoef(np.fft.irfft(spectrum * np.exp(2j * np.pi * freqs * delta), m), b)[0, 1])
        for delta in np.linspace(-1.0, 1.0, 41)
    )


def test_capture_matches_the_played_file_and_transcribes(virtual_mic, tmp_path):
    device = microphone.default_device()
    recording = microphone.Recording(device, max_seconds=27, out=tmp_path / "capture.wav").start()
    player = play(SAMPLE)
    recording.wait(40)
    player.wait(10)
    path = recording.stop()
    capture, original = audio.load(path).samples, audio.load(SAMPLE).samples
    assert audio.load(path).seconds == pytest.approx(27, abs=0.2)
    assert aligned_correlation(capture, original) > 0.99
    result = run_once(RunConfig(warmup=0), [path])[0]
    assert wer(REFERENCE, result.text) <= SAMPLE_WER_BOUND, result.text


def test_silent_recording_is_saved_and_reported(virtual_mic, tmp_path):
    out = tmp_path / "silence.wav"
    with pytest.raises(AsrTuiError, match="silent"):
        microphone.record(1.0, microphone.default_device(), out)
    assert audio.probe_seconds(out) == pytest.approx(1.0, abs=0.1)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # the user's file, as an export is: not mkstemp's 0600


def test_a_recording_whose_file_cannot_be_written_is_saved_with_the_others(virtual_mic, tmp_path):
    """Nothing lost: the place named went away (here a file where its folder should be),
    so the audio goes where recordings go, and the error says where."""
    (tmp_path / "not-a-folder").write_text("")
    out = tmp_path / "not-a-folder" / "take.wav"
    with pytest.raises(AsrTuiError, match=f"cannot write {out} .*; the recording is saved in ") as raised:
        microphone.record(1.0, microphone.default_device(), out)
    saved = Path(str(raised.value).rsplit("saved in ", 1)[1])
    assert saved.parent == microphone.recordings_dir()
    assert audio.probe_seconds(saved) == pytest.approx(1.0, abs=0.1)


def test_a_sound_server_that_dies_mid_take_is_an_error_and_the_take_is_kept(private_sound_server, tmp_path):
    """The server goes away three seconds into a ten-second take, with speech playing:
    the recording stops early, and that must not pass for a take of that length. Exit
    2, a last line saying so, and what was captured saved."""
    env, server = private_sound_server
    out = tmp_path / "take.wav"
    player = play(SAMPLE, env=env)
    proc = subprocess.Popen([sys.executable, "-m", "asr_tui.cli.main", "record", "--seconds", "10", "--out", str(out)],
                            stderr=subprocess.PIPE, text=True, env=env | {"XDG_DATA_HOME": str(tmp_path / "data")})
    try:
        assert proc.stderr.readline().startswith("recording 10 s from ")
        time.sleep(3)
        server.kill()
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
        player.kill()
        player.wait(5)
    assert proc.returncode == 2 and "Traceback" not in stderr
    said = stderr.strip().splitlines()[-1]
    assert re.fullmatch(rf"asr-tui: error: the input stopped after [\d.]+ s of 10 s .*; what was captured is saved in {re.escape(str(out))}",
                        said), stderr
    assert 0 < audio.probe_seconds(out) < 9  # what reached PortAudio before the server went


def test_a_take_started_in_the_same_second_as_another_is_not_written_over_it():
    started = datetime(2026, 12, 5, 23, 50, 1)
    first = microphone.new_recording_path(started)
    first.parent.mkdir(parents=True, exist_ok=True)
    first.write_bytes(b"an earlier take")
    second = microphone.new_recording_path(started)
    assert (first.name, second.name) == ("20261205-235001.wav", "20261205-235001-2.wav")
    assert second.parent == first.parent == microphone.recordings_dir()


def test_recordings_go_to_the_data_dir_newest_first(virtual_mic):
    player = play(SAMPLE)
    first = microphone.record(2.0)
    second = microphone.record(2.0)
    player.terminate()
    assert first.parent == microphone.recordings_dir()
    assert microphone.recordings()[:2] == [second, first]


def run_without_devices(tmp_path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ALSA_CONFIG_PATH": str(no_card_config(tmp_path))}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120)


def test_no_input_device_core_cli_and_tui(tmp_path):
    core = run_without_devices(tmp_path, """
        from asr_tui.core import microphone
        from asr_tui.core.errors import AsrTuiError
        try:
            microphone.default_device()
        except AsrTuiError as exc:
            print("ERROR", exc)
    """)
    assert f"ERROR {microphone.NO_DEVICE}" in core.stdout, core.stderr

    cli = run_without_devices(tmp_path, "import sys; from cli.main import main; sys.exit(main(['record', '--seconds', '1']))")
    assert cli.returncode == 2 and cli.stderr.strip().splitlines() == [f"asr-tui: error: {microphone.NO_DEVICE} ({SERVER_HINT})"]
    zero = run_without_devices(tmp_path, "import sys; from cli.main import main; sys.exit(main(['record', '--seconds', '0']))")
    assert zero.returncode == 2 and zero.stderr.strip().splitlines() == ["asr-tui: error: --seconds 0: a recording needs a length above 0 s"]
    listed = run_without_devices(tmp_path, "import sys; from cli.main import main; sys.exit(main(['record', '--list']))")
    assert listed.returncode == 2 and listed.stderr.strip().splitlines() == [f"asr-tui: error: {microphone.NO_DEVICE} ({SERVER_HINT})"]
    # a file named for the recording that cannot be one is refused before anything is recorded
    (tmp_path / "folder.wav").mkdir()
    for out, why in ((tmp_path / "take.mp3", "a recording is written as WAV; give the file a .wav name"),
                     (tmp_path / "folder.wav", "Is a directory")):
        refused = run_without_devices(tmp_path, f"import sys; from cli.main import main; sys.exit(main(['record', '--out', '{out}']))")
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1 and why in refused.stderr, refused.stderr

    tui = run_without_devices(tmp_path, """
        import asyncio
        from asr_tui.core import presets
        from asr_tui.core.samples import SAMPLE
        from asr_tui.tui.app import AsrTuiApp

        async def main():
            app = AsrTuiApp(presets.find("quick"), [SAMPLE])
            async with app.run_test(size=(100, 32)) as pilot:
                app.query_one("#source-tabs").active = "mic-tab"
                for _ in range(100):
                    await pilot.pause(0.1)
                    if "no microphone" in str(app.query_one("#mic-timer").render()):
                        break
                print("TIMER", app.query_one("#mic-timer").render())
                await pilot.press("m")
                await pilot.pause()
                print("STILL RUNNING", app.is_running)

        asyncio.run(main())
    """)
    assert "TIMER   no microphone: PortAudio lists no input device" in tui.stdout, tui.stderr
    assert "STILL RUNNING True" in tui.stdout


def test_a_microphone_that_appears_later_is_found_by_looking_again(virtual_mic, tmp_path):
    """The app starts where ALSA has no sound card; then the sound server becomes
    reachable (its configuration is back) and R in the Microphone tab lists it, as a
    microphone plugged in after start-up would be."""
    tui = run_without_devices(tmp_path, """
        import asyncio, os
        from asr_tui.core import presets
        from asr_tui.core.samples import SAMPLE
        from asr_tui.tui.app import AsrTuiApp
        from tests.tui_helpers import started, wait_until

        async def main():
            app = AsrTuiApp(presets.find("quick"), [SAMPLE])
            async with app.run_test(size=(100, 32)) as pilot:
                await started(pilot)
                app.query_one("#source-tabs").active = "mic-tab"
                pane, timer = app.query_one("#mic-pane"), app.query_one("#mic-timer")
                await wait_until(pilot, lambda: "no microphone" in str(timer.render()), timeout=30)
                print("BEFORE", pane.devices, timer.render())
                del os.environ["ALSA_CONFIG_PATH"]
                await wait_until(pilot, lambda: app.focused is app.query_one("#recordings"), timeout=10)
                await pilot.press("R")
                await wait_until(pilot, lambda: bool(pane.devices), timeout=30)
                print("TOLD", [str(n.message) for n in app._notifications])
                print("AFTER", [d.name for d in pane.devices], app.query_one("#mic-device").value, timer.render())

        asyncio.run(main())
    """)
    assert "BEFORE [] " in tui.stdout and "R looks again" in tui.stdout, tui.stdout + tui.stderr
    after = next(line for line in tui.stdout.splitlines() if line.startswith("AFTER"))
    assert "'pulse'" in after and after.endswith("idle"), after
    assert re.search(r"TOLD \['found \d+ input devices?'\]", tui.stdout), tui.stdout
