"""Runner events cross from the worker thread to the UI as one Textual message type."""

from __future__ import annotations

from textual.message import Message

from asr_tui.core.events import Event


class RunnerEvent(Message):
    """Posted from the runner's thread (`post_message` is thread-safe)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event
