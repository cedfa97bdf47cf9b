"""Whether a result's transcript is one draw of its temperature fallback.

Where a window fails the quality checks at temperature 0, openai-whisper's fallback
decodes it again by sampling, and the seed picks what it hears. A seeded rerun does
the same work, but another seed is another draw: on a Caribbean voice reading a
licence, sequential tiny.en scored WER 0.356 with seed 0 and 0.637 with seed 1, and a
prompt carries one sampled window's errors into every window after it
(`benchmarks/results/seed-spread-2026-12-07/`). Two rows whose WERs differ, either of
them sampled, may differ by their seeds alone, so such a row is marked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asr_tui.core.stability import Note

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult

SAMPLED_MARK = "?"
MARKS = SAMPLED_MARK


def notes(result: "RunResult") -> list[Note]:
    """A note where any window was decoded by sampling: by the fallback, or by a
    schedule that starts above 0."""
    if not result.sampled_windows:
        return []
    windows = f"{result.sampled_windows} window{'s' if result.sampled_windows > 1 else ''}"
    seed = result.decoding.get("seed")
    return [Note(SAMPLED_MARK, f"decoded {windows} by sampling, at a temperature above 0"
                               f"{'' if seed is None else f' (seed {seed})'}: another seed can give other words and "
                               "another WER")]
