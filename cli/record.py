"""`asr-tui record`: capture from the microphone into a WAV file (16 kHz mono)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from asr_tui.core import export, microphone
from asr_tui.core.errors import AsrTuiError


DEFAULT_SECONDS = 10.0


def add_arguments(parser: argparse.ArgumentParser, device_flag: str = "--device") -> None:
    """The recording options, shared by `record` and `run --mic` (where --device means cpu/cuda)."""
    parser.add_argument(device_flag, dest="input_device", type=int, help="input device index (asr-tui record --list shows them)")
    parser.add_argument("--seconds", type=float, help=f"how long to record (default {DEFAULT_SECONDS:g}; ctrl+c stops early)")


def seconds(args: argparse.Namespace) -> float:
    return DEFAULT_SECONDS if args.seconds is None else args.seconds


# where the TUI says "R looks again", a shell user may need to know where PortAudio looked
SERVER_HINT = "is a sound server running and reachable? PulseAudio reads PULSE_SERVER and PULSE_COOKIE"


def device(index: int | None) -> microphone.InputDevice:
    if index is None:
        try:
            return microphone.default_device()
        except AsrTuiError as exc:
            raise AsrTuiError(f"{exc} ({SERVER_HINT})" if str(exc) == microphone.NO_DEVICE else str(exc)) from None
    found = next((d for d in microphone.input_devices() if d.index == index), None)
    if found is None:
        raise AsrTuiError(f"no input device {index} (asr-tui record --list shows them)")
    return found


def capture(index: int | None, seconds: float, out: Path | None) -> Path:
    """Record with a live level line on stderr (a terminal's: in a log file it would be
    one endless line); returns the saved file."""
    try:
        microphone.check_length(seconds)
    except AsrTuiError as exc:
        raise AsrTuiError(f"--seconds {seconds:g}: {exc}") from None
    if out is not None:
        if out.suffix.lower() != ".wav":
            raise AsrTuiError(f"--out {out}: a recording is written as WAV; give the file a .wav name")
        export.check_writable(out)  # before the recording, not after it
    chosen = device(index)
    err = Console(stderr=True)
    err.print(f"recording {seconds:g} s from {chosen.name} ({chosen.samplerate:.0f} Hz); ctrl+c stops early", markup=False, highlight=False)

    def tick(recording: microphone.Recording) -> None:
        bar = "#" * int(min(1.0, recording.peak) * 30)
        err.print(f"\r{recording.elapsed:5.1f} s  level {bar:<30}", end="")

    path = microphone.record(seconds, chosen, out, tick if err.is_terminal else lambda _: None)
    err.print(f"\nsaved {path}" if err.is_terminal else f"saved {path}", markup=False, highlight=False)
    return path


def main(argv: list[str]) -> int:
    from asr_tui.cli.main import OneLineParser

    parser = OneLineParser(prog="asr-tui record", description=__doc__)
    add_arguments(parser)
    parser.add_argument("--out", type=Path, help="WAV file to write (default: a timestamped file in the user data dir)")
    parser.add_argument("--list", action="store_true", help="list input devices and exit")
    args = parser.parse_args(argv)
    try:
        if args.list:
            devices = microphone.input_devices()
            if not devices:
                raise AsrTuiError(f"{microphone.NO_DEVICE} ({SERVER_HINT})")
            for d in devices:
                print(f"{d.index}: {d.name} ({d.samplerate:.0f} Hz, {d.channels} channels)")
            return 0
        capture(args.input_device, seconds(args), args.out)
    except AsrTuiError as exc:
        print(f"asr-tui: error: {exc}", file=sys.stderr)
        return 2
    return 0
