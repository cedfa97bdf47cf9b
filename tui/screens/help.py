"""Every key binding on one page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """
# asr-tui

Compare Whisper backends on the same audio and weights. `escape`, `q` or `?` closes this page.

| key | where | action |
|---|---|---|
| `1` to `5` | anywhere | Sources, Configure, Run, Results, History |
| `r` | anywhere | run every configuration over the selected sources |
| `escape` | while running | cancel (stops within one chunk; the model used last stays loaded) |
| `q` | anywhere | quit (mid-run: asks, then cancels first) |
| `a` / `enter` | Sources › file tree | add the highlighted file (`a` on a folder: every audio file under it) |
| `o` | Sources › Files | type a folder or file to open (`~` works, `→` completes) |
| `u` | Sources › Files | show the folder above |
| `R` | Sources › Files | re-read the folder from disk |
| `x` | Sources › selected table | remove the highlighted source (asks first) |
| `f` | Sources › selected table | attach a reference transcript to the highlighted source |
| `M` | Sources | switch between the Files and Microphone tabs |
| `m` | Sources › Microphone | start or stop recording |
| `R` | Sources › Microphone | look for input devices again (one plugged in, or a sound server started, after the app) |
| `b` | Sources › Microphone | quick A/B: the first two configurations on the newest recording |
| `a` | Sources › recordings | add the highlighted recording to the sources |
| `n` / `x` | Sources › recordings | rename or delete the highlighted recording |
| `n` | Configure | new configuration (a copy of the selected one) |
| `x` | Configure | remove the selected configuration |
| `p` | Configure | load a preset |
| `ctrl+s` | Configure | save the configurations as a preset |
| `space` | Results, History | mark a run for comparison (two at most) |
| `c` | Results, History | compare the two marked runs |
| `s` / `S` | Results | sort by the next column (best first; time, names, length ascending) / reverse; or click a header |
| `e` | Results, History | export the table (History: the rows shown) as .json, .csv or .md |
| `t` | Results | export the highlighted transcript (.txt, .srt, .vtt) |
| `ctrl+↓` / `ctrl+↑` | Results | scroll the tab a page down to the charts / back up |
| `/` | History | type a filter (every word must appear in the row); `enter` or `escape` back to the table |
| `R` | History | re-read the history file |
| `ctrl+p` | anywhere | command palette (also: export, compare, add a file, microphone, history) |
| `?` | anywhere | this help |

Timings: the first run includes compilation (JAX) and cold caches; warm runs follow
the warm-up runs; RTFx is audio seconds over the warm median. "reused" load time: the
model was already resident, from an earlier run or this run's first file. RSS MB is
the process's peak resident memory, GPU MB the framework's peak GPU allocation. Every
result is also appended to the history file in the user data directory as it
finishes, even after the terminal hangs up (a dropped SSH session): the History tab
shows them.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Markdown(HELP)
