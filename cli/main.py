"""Entry point: dispatch to the headless subcommands or open the TUI.

Imports stay inside the branches so that `asr-tui --help` and the TUI's first
screen never wait for torch, jax or Textual's heavier widgets.
"""

import signal

# Ctrl-C while the modules below are still importing ends the process as a plain
# SIGINT does (silently, status 130) instead of with a KeyboardInterrupt traceback;
# main() takes Ctrl-C over from there.
signal.signal(signal.SIGINT, signal.SIG_DFL)

import argparse  # noqa: E402 - after the handler, on purpose
import sys  # noqa: E402
from typing import Callable, TypeVar  # noqa: E402

from asr_tui.core.errors import AsrTuiError  # noqa: E402

T = TypeVar("T")

# What a shell reports for a process that SIGINT ended.
INTERRUPTED = 128 + signal.SIGINT


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments get one line, like every other bad input, not the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} ({self.prog} --help lists the options)\n")


def tui_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="asr-tui",
        description="Benchmark Whisper backends in a terminal UI. Subcommands: "
        "'asr-tui run --help' runs headless, 'asr-tui record --help' records from the microphone, "
        "'asr-tui bench --help' times a model's shape with random weights.",
    )
    parser.add_argument("--preset", help="preset name or TOML file to open with")
    parser.add_argument("audio", nargs="*", help="audio files to preselect")
    return parser


def dispatch(argv: list[str]) -> int:
    entry = _imported(lambda: _entry(argv))
    return entry()


def _entry(argv: list[str]) -> Callable[[], int]:
    """The command's main, imported (argument errors are raised here too)."""
    if argv and argv[0] == "run":
        from asr_tui.cli.run import main as run_main

        return lambda: run_main(argv[1:])
    if argv and argv[0] == "bench":
        from asr_tui.cli.bench import main as bench_main

        return lambda: bench_main(argv[1:])
    if argv and argv[0] == "record":
        from asr_tui.cli.record import main as record_main

        return lambda: record_main(argv[1:])
    args = tui_parser().parse_args(argv)
    from asr_tui.tui.app import launch

    return lambda: launch(preset=args.preset, audio=args.audio)


def _imported(load: Callable[[], T]) -> T:
    """`load()` with Ctrl-C held until it returns. An interrupt that lands inside a C
    extension's import (NumPy's) is printed by the extension as a traceback and
    comes back as an ImportError, so at start-up it is acted on after the imports."""
    interrupted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        value = load()
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise KeyboardInterrupt
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return dispatch(argv)
    except AsrTuiError as exc:
        print(f"asr-tui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Wherever it lands (an import, argument parsing, a prompt): one line, no traceback.
        print("asr-tui: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        # A second Ctrl-C while the interpreter shuts down ends it quietly too.
        signal.signal(signal.SIGINT, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
