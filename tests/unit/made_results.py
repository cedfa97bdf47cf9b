"""Results made by hand, for the tests of what is computed from results (exports,
corpus figures, history): every field a real run fills, none of a model's work."""

from __future__ import annotations

from asr_tui.core.results import RunResult, Segment


def made_result(**changes) -> RunResult:
    fields = dict(
        backend="pytorch", model="tiny.en", weights_sha256="ab" * 32, device="cpu", dtype="float32", beam_size=1,
        batch_size=1, audio="/clips/one.flac", audio_seconds=12.5, load_s=0.75, first_run_s=2.5,
        warm_runs_s=[1.0, 1.25, 1.5], text="Four score and seven years ago.",
        segments=[Segment(0.0, 2.5, " Four score and"), Segment(2.5, 5.125, " seven years ago.")],
        config_name="PyTorch fp32", language="en", wer=0.25, substitutions=1, deletions=0, insertions=0,
        reference_words=4, reference="/clips/one.txt", rss_before_load_mb=310.0, peak_rss_mb=612.5,
        decoding={"beam_size": 1, "temperatures": [0.0]}, env={"hostname": "bench-1", "threads": 2},
        contention={"flagged": False, "reason": None}, finished_at="2026-01-02T03:04:05+00:00",
    )
    return RunResult(**fields | changes)
