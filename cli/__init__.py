"""The `asr-tui` command: the TUI by default, `run` for headless benchmarks."""
