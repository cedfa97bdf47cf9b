"""Every key binding on one page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """
# asr-tui

Compare Whisper backends on the same audio and weights.

| key | where | action |
|---|---|---|
| `1` `2` `3` `4` | anywhere | Sources, Configure, Run, Results |
| `r` | anywhere | run every configuration over the selected sources |
| `escape` | while running | cancel (stops within one chunk; the model stays loaded) |
| `a` / `enter` | Sources | add the highlighted file |
| `x` | Sources, Configure | remove the selected source or configuration |
| `f` | Sources | attach a reference transcript to the selected source |
| `n` | Configure | new configuration (a copy of the selected one) |
| `m` | Sources › Microphone | start or stop recording |
| `b` | Sources › Microphone | quick A/B: the first two configurations on the newest recording |
| `n` / `x` | Sources › Microphone | rename or delete the highlighted recording |
| `p` | Configure | load a preset |
| `ctrl+s` | Configure | save the configurations as a preset |
| `space` | Results | mark a run for comparison (two at most) |
| `c` | Results | compare the two marked runs |
| `s` | Results | sort by the next column |
| `e` | Results | export the table (.json, .csv, .md) |
| `t` | Results | export the highlighted transcript (.txt, .srt, .vtt) |
| `h` | Results | add earlier sessions' runs from the history file |
| `ctrl+p` | anywhere | command palette |
| `?` | anywhere | this help |
| `q` | anywhere | quit |

Timings: the first run includes compilation (JAX) and cold caches; warm runs follow
the warm-up runs; RTFx is audio seconds over the warm median. Every result is also
appended to the history file in the user data directory as it finishes, even after
the terminal hangs up (a dropped SSH session): `h` on Results shows them.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Markdown(HELP)
