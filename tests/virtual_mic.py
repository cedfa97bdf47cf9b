"""A real-time virtual microphone: a PulseAudio null sink whose monitor is the default
source, fed by `paplay`; PortAudio records it through ALSA's pulse plugin.

A silent stream keeps playing into the sink, or the idle sink delivers audio in
2-second bursts. Everything started here is stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SINK = "asrtuitest"
# An ALSA configuration whose only device is a sound card that does not exist:
# PortAudio then lists no input device at all.
NO_CARD_ALSA = "pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n"


def _pactl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, env=env)


def _answers(env: dict[str, str] | None = None) -> bool:
    """Whether a server answers within 5 s."""
    for _ in range(50):
        if _pactl("info", env=env).returncode == 0:
            return True
        time.sleep(0.1)
    return False


def _keep_alive(env: dict[str, str] | None = None) -> subprocess.Popen:
    """Silence played into the sink for as long as it runs."""
    return subprocess.Popen(
        ["pacat", "--playback", "-d", SINK, "--rate=48000", "--channels=1", "--format=s16le", "/dev/zero"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )


def _need_pulseaudio() -> None:
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        pytest.skip("PulseAudio is not installed (scripts/install.sh --test installs it)")


@pytest.fixture(scope="session")
def virtual_mic():
    _need_pulseaudio()
    # whether a server answers, not `pulseaudio --check`: as root (CI) that says "not
    # running" of a daemon that is, and every session would start one more
    started = _pactl("info").returncode != 0
    if started:
        subprocess.run(["pulseaudio", "-D", "--exit-idle-time=-1", "--disallow-exit"], check=True, capture_output=True)
        _answers()
    module = _pactl("load-module", "module-null-sink", f"sink_name={SINK}", "rate=48000").stdout.strip()
    previous_source = _pactl("get-default-source").stdout.strip()
    _pactl("set-default-source", f"{SINK}.monitor")
    keep_alive = _keep_alive()
    if "sounddevice" in sys.modules:  # PortAudio started in this process before the server: look again
        from asr_tui.core import microphone

        microphone.input_devices(rescan=True)
    try:
        yield SINK
    finally:
        keep_alive.terminate()
        keep_alive.wait(5)
        if previous_source:
            _pactl("set-default-source", previous_source)
        if module:
            _pactl("unload-module", module)
        if started:
            subprocess.run(["pulseaudio", "--kill"], capture_output=True)


@pytest.fixture
def private_sound_server(tmp_path) -> Iterator[tuple[dict[str, str], subprocess.Popen]]:
    """A PulseAudio server of the test's own, for a test that kills it: the
    environment that points a client (PortAudio's ALSA plugin, paplay) at it, and its
    process. Its default source is a null sink's monitor, kept fed like
    `virtual_mic`'s; the session's server is left alone."""
    _need_pulseaudio()
    socket = tmp_path / "native"
    env = os.environ | {"PULSE_SERVER": f"unix:{socket}", "XDG_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1", "--disallow-exit",
         "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1",
         "-L", f"module-null-sink sink_name={SINK} rate=48000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    keep_alive = None
    try:
        assert _answers(env), "a PulseAudio server of the test's own did not start"
        assert _pactl("set-default-source", f"{SINK}.monitor", env=env).returncode == 0
        keep_alive = _keep_alive(env)
        yield env, server
    finally:
        server.kill()
        server.wait(5)
        if keep_alive is not None:
            keep_alive.kill()
            keep_alive.wait(5)


def play(path: Path, sink: str = SINK, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "-d", sink, str(path)], env=env)


def no_card_config(directory: Path) -> Path:
    path = directory / "alsa-no-card.conf"
    path.write_text(NO_CARD_ALSA)
    return path
