"""Entry point: dispatch to the headless subcommands or open the TUI.

Imports stay inside the branches so that `asr-tui --help` and the TUI's first
screen never wait for torch, jax or Textual's heavier widgets.
"""

from __future__ import annotations

import argparse
import sys

from asr_tui.core.errors import AsrTuiError


def tui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asr-tui",
        description="Benchmark Whisper backends in a terminal UI. Subcommands: "
        "'asr-tui run --help' runs headless, 'asr-tui record --help' records from the microphone.",
    )
    parser.add_argument("--preset", help="preset name or TOML file to open with")
    parser.add_argument("audio", nargs="*", help="audio files to preselect")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "run":
            from asr_tui.cli.run import main as run_main

            return run_main(argv[1:])
        if argv and argv[0] == "record":
            from asr_tui.cli.record import main as record_main

            return record_main(argv[1:])
        args = tui_parser().parse_args(argv)
        from asr_tui.tui.app import launch

        return launch(preset=args.preset, audio=args.audio)
    except AsrTuiError as exc:
        print(f"asr-tui: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
