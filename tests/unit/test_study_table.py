"""A study folder's best row per backend: the fastest that transcribes as much as the
baseline, never a faster row that transcribes less."""

from __future__ import annotations

from benchmarks.study_table import best_rows
from tests.unit.made_results import made_result


def timed(seconds: float, **changes):
    return made_result(warm_runs_s=[seconds] * 3, **changes)  # RTFx = 12.5 / seconds


def test_each_backend_shows_its_fastest_row_at_the_baselines_accuracy():
    base = timed(1.25, wer=0.20)  # RTFx 10
    jax_fast_worse = timed(0.25, backend="jax", wer=0.25)  # 50, but 5 points worse
    jax_fair = timed(0.5, backend="jax", wer=0.205)  # 25, half a point worse
    jax_dropping = timed(0.3, backend="jax", wer=0.20)  # 41.7 at equal WER, but lost a 12-word run
    ct2_only_worse = timed(0.5, backend="ctranslate2", wer=0.30)
    results = [base, jax_fast_worse, jax_fair, jax_dropping, ct2_only_worse]
    lost = {id(r): (0, 12 if r is jax_dropping else 1) for r in results}
    rows = {row[0]: row for row in best_rows(results, lost)}
    assert rows["jax"][2:4] == ["25.0", "0.2050"] and rows["jax"][-1] == ""
    assert rows["pytorch"][2] == "10.0"
    # a backend with no fair row shows its fastest, marked as such
    assert rows["ctranslate2"][2] == "25.0" and "none within a point" in rows["ctranslate2"][-1]
    assert [row[0] for row in best_rows(results, lost)] == ["jax", "ctranslate2", "pytorch"]  # fastest first
