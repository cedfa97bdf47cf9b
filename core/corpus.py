"""Corpus figures: one configuration over a set of files, as ASR engineers compare them.

Corpus WER is every file's errors (substitutions, deletions, insertions, after
Whisper's normaliser) over every reference word, which is what jiwer's
`process_words` gives over the whole set; a mean of per-file WERs would let a short
file weigh as much as a long one. Corpus RTFx is total audio over total compute (each
file counted at its warm median), as the Open ASR Leaderboard defines it. Files
without a reference count towards RTFx only, and the row says how many.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from asr_tui.core.metrics import rtfx

if TYPE_CHECKING:
    from asr_tui.core.results import RunResult


@dataclass(frozen=True)
class CorpusSummary:
    config_name: str
    files: int
    wer: float | None  # None when no file had a reference
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int
    audio_seconds: float
    compute_seconds: float
    rtfx: float
    files_without_reference: int

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("audio_seconds", "compute_seconds", "rtfx"):
            data[name] = round(data[name], 3)
        if self.wer is not None:
            data["wer"] = round(self.wer, 6)
        return data


def configuration(result: "RunResult") -> tuple:
    """What makes two results the same configuration: its name alone is not enough
    (runs at different times can give one name to configurations that differ in beam
    size or threads; one run names its configurations apart, `config.named_apart`)."""
    return (
        result.config_name, result.backend, result.model, result.device, result.dtype,
        result.beam_size, result.batch_size, result.clip_seconds, result.env.get("threads"),
        json.dumps(result.decoding, sort_keys=True),
    )


def by_configuration(results: list["RunResult"]) -> list[list["RunResult"]]:
    """The results of each configuration, in the order configurations first appear. A
    file measured again under the same configuration (a rerun in the TUI) counts once,
    at its latest measurement: the one that finished last, whatever the order given
    (History lists the newest first), else the later in the list."""
    groups: dict[tuple, dict[str, "RunResult"]] = {}
    for result in results:
        files = groups.setdefault(configuration(result), {})
        kept = files.get(result.audio)
        if kept is None or result.finished_at >= kept.finished_at:  # ISO 8601 in UTC: sorts as it reads
            files[result.audio] = result
    return [list(files.values()) for files in groups.values()]


def summarize(results: list["RunResult"]) -> list[CorpusSummary]:
    """One summary per configuration (see `by_configuration`)."""
    return [summary(files) for files in by_configuration(results)]


def summary(results: list["RunResult"]) -> CorpusSummary:
    """The corpus figures of one configuration's files."""
    scored = [r for r in results if r.reference_words is not None]
    s = sum(r.substitutions for r in scored)
    d = sum(r.deletions for r in scored)
    i = sum(r.insertions for r in scored)
    words = sum(r.reference_words for r in scored)
    if not scored:
        wer = None
    elif words:
        wer = (s + d + i) / words
    else:
        wer = 0.0 if s + d + i == 0 else 1.0
    audio = sum(r.audio_seconds for r in results)
    compute = sum(r.compute_s for r in results)
    return CorpusSummary(
        config_name=results[0].config_name, files=len(results), wer=wer, substitutions=s, deletions=d,
        insertions=i, reference_words=words, audio_seconds=audio, compute_seconds=compute,
        rtfx=rtfx(audio, compute), files_without_reference=len(results) - len(scored),
    )
