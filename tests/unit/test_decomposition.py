"""The speedup split into strategy, dtype and framework (`core.decomposition`)."""

from __future__ import annotations

import math

import pytest

from asr_tui.core import decomposition, export
from tests.unit.made_results import made_result


def row(backend: str, strategy: str, dtype: str, seconds: float, wer: float, batch: int = 16, **changes):
    """A result over the same 100 s file: its RTFx is 100 / seconds."""
    fields = dict(
        backend=backend, dtype=dtype, batch_size=batch if strategy == "batched" else 1,
        config_name=f"{backend} {strategy} {dtype}", audio="/clips/long.flac", audio_seconds=100.0,
        warm_runs_s=[seconds], wer=wer, substitutions=round(1000 * wer), deletions=0, insertions=0,
        reference_words=1000, decoding={"strategy": strategy, "temperatures": [0.0], "beam_size": 1},
    )
    return made_result(**fields | changes)


STUDY = [
    row("pytorch", "sequential", "float32", 10.0, 0.150),
    row("pytorch", "batched", "float32", 5.0, 0.148),
    row("jax", "sequential", "float32", 6.0, 0.150),
    row("jax", "batched", "float32", 4.0, 0.149),
    row("jax", "batched", "bfloat16", 2.0, 0.175),
]


def test_each_step_changes_one_factor_and_the_chain_multiplies_to_the_end_to_end_ratio():
    found = decomposition.decompose(STUDY)
    steps = {(s.factor, s.source.label, s.target.label): s for s in found.steps}
    assert set(steps) == {
        ("strategy", "pytorch sequential float32", "pytorch batched b16 float32"),
        ("strategy", "jax sequential float32", "jax batched b16 float32"),
        ("framework", "pytorch sequential float32", "jax sequential float32"),
        ("framework", "pytorch batched b16 float32", "jax batched b16 float32"),
        ("dtype", "jax batched b16 float32", "jax batched b16 bfloat16"),
    }
    assert steps["strategy", "pytorch sequential float32", "pytorch batched b16 float32"].ratio == pytest.approx(2.0)
    assert steps["framework", "pytorch batched b16 float32", "jax batched b16 float32"].ratio == pytest.approx(1.25)
    assert [s.factor for s in found.path] == ["strategy", "framework", "dtype"]
    assert found.end_to_end == pytest.approx(5.0)  # 10 s → 2 s
    assert math.prod(s.ratio for s in found.path) == pytest.approx(found.end_to_end)
    assert found.summary().startswith("pytorch sequential float32 → jax batched b16 bfloat16: 5.00x = strategy 2.00x")


def test_the_chain_ends_at_the_fastest_row_it_reaches():
    """A faster row with no one-factor neighbour (batch 32 beside a study at 16) takes
    no step; the chain still runs to the fastest row that steps reach."""
    found = decomposition.decompose([*STUDY, row("jax", "batched", "bfloat16", 1.0, 0.150, batch=32)])
    assert found.path and found.path[-1].target.label == "jax batched b16 bfloat16"
    assert found.end_to_end == pytest.approx(5.0)


def test_a_step_that_changes_accuracy_by_more_than_a_point_is_marked():
    found = decomposition.decompose(STUDY)
    marked = {(s.factor, s.target.label) for s in found.steps if s.accuracy_differs}
    assert marked == {("dtype", "jax batched b16 bfloat16")}  # 14.9 % → 17.5 %
    assert [r[4] for r in decomposition.table_rows(found) if r[4]] == ["accuracy differs"]
    # where a side's WER is one draw of its seed, the mark says so; within a point it is no difference
    drawn = [*STUDY[:3], row("jax", "batched", "float32", 4.0, 0.149, sampled_windows=2),
             row("jax", "batched", "bfloat16", 2.0, 0.175, sampled_windows=5)]
    marks = [r[4] for r in decomposition.table_rows(decomposition.decompose(drawn)) if r[4]]
    assert marks == ["accuracy differs; jax batched b16 float32 decoded 2 windows by sampling; "
                     "jax batched b16 bfloat16 decoded 5 windows by sampling"]


def test_a_step_whose_side_lost_speech_or_loops_beyond_the_other_is_marked_at_equal_wer():
    """Within a point of WER, a batched row that skipped 30 words, or a half-precision
    row that says a phrase again and again, did not do the same work; a run lost by
    both sides alike (within ten words) is no difference between them."""
    study = [
        row("pytorch", "sequential", "float32", 10.0, 0.150, lost_words=2),
        row("pytorch", "batched", "float32", 5.0, 0.152, lost_words=30),
        row("jax", "batched", "float32", 4.0, 0.152, lost_words=36),
        row("jax", "batched", "bfloat16", 2.0, 0.153, lost_words=30, repeated_words=40, repeated_phrase="a nem or",
            reference_repeated_words=0),
    ]
    marks = {r[1]: r[4] for r in decomposition.table_rows(decomposition.decompose(study))}
    assert marks == {
        "pytorch float32: sequential → batched b16": "pytorch batched b16 float32 lost 30 words in a row",
        "batched b16 float32: pytorch → jax": "",
        "jax batched b16: float32 → bfloat16": "jax batched b16 bfloat16 repeats a phrase (40 words)",
    }
    # a baseline losing 12 words in a row against a row losing 300 is marked all the same
    far = [row("pytorch", "sequential", "float32", 10.0, 0.150, lost_words=12),
           row("pytorch", "batched", "float32", 5.0, 0.155, lost_words=300)]
    assert [r[4] for r in decomposition.table_rows(decomposition.decompose(far))] == [
        "pytorch batched b16 float32 lost 300 words in a row"]


def test_a_step_with_a_side_whose_timing_is_marked_says_so():
    """A ratio is no firmer than its timings: a side whose warm passes vary by CV 50 %
    (or compiled, or ran beside a busy process) marks every step it is part of."""
    shaky = row("jax", "sequential", "float32", 6.0, 0.150, warm_runs_s=[3.0, 6.0, 9.0])
    marks = {r[1]: r[4] for r in decomposition.table_rows(decomposition.decompose([STUDY[0], shaky]))}
    assert marks == {"sequential float32: pytorch → jax": "jax sequential float32 timing marked ~"}


def test_rows_that_differ_in_anything_else_are_not_compared():
    others = [
        row("pytorch", "sequential", "float32", 10.0, 0.15),
        row("jax", "sequential", "float32", 6.0, 0.15, model="base.en"),  # another model
        row("jax", "batched", "float32", 4.0, 0.15, audio="/clips/other.flac"),  # other files
        row("pytorch", "batched", "float32", 5.0, 0.15, batch=4),
        row("pytorch", "batched", "bfloat16", 4.0, 0.15, batch=8),  # dtype and batch both differ
    ]
    found = decomposition.decompose(others)
    assert [(s.factor, s.target.label) for s in found.steps] == [("strategy", "pytorch batched b4 float32")]
    # the faster b8 bfloat16 row is no chain of one-factor steps away: the chain ends at b4
    assert [s.target.label for s in found.path] == ["pytorch batched b4 float32"]


def test_nothing_to_decompose_without_a_one_factor_pair():
    found = decomposition.decompose([row("pytorch", "sequential", "float32", 10.0, 0.15), row("jax", "batched", "bfloat16", 2.0, 0.15)])
    assert found.steps == () and found.path == () and found.summary() is None
    assert "Speedup decomposed" not in export.to_markdown([made_result()])


def test_the_markdown_export_carries_the_decomposition():
    text = export.to_markdown(STUDY)
    assert "Speedup decomposed: pytorch sequential float32 → jax batched b16 bfloat16: 5.00x" in text
    assert "| dtype | jax batched b16: float32 → bfloat16 | 2.00x | +2.6 | accuracy differs | 25.0 → 50.0 |" in text


def test_the_cli_table_shows_the_steps_and_the_chain():
    from rich.console import Console

    from asr_tui.cli.run import results_table

    console = Console(width=200, record=True)
    console.print(results_table(STUDY))
    text = console.export_text()
    assert "speedup decomposed" in text
    assert "pytorch sequential float32 → jax batched b16 bfloat16: 5.00x = strategy 2.00x × framework 1.25x × dtype 2.00x" in text
    assert "accuracy differs" in text


def test_a_step_whose_side_added_a_run_of_words_is_marked():
    """A seam kept twice with its copies heard differently repeats no phrase: the run
    of words the reference lacks marks the step."""
    study = [row("pytorch", "batched", "float32", 5.0, 0.150, added_words=2),
             row("jax", "batched", "float32", 8.0, 0.158, added_words=19)]
    assert [r[4] for r in decomposition.table_rows(decomposition.decompose(study))] == [
        "jax batched b16 float32 added 19 words in a row"]
