"""A study folder's best row per backend: the fastest that transcribes as much as the
baseline, never a faster row that transcribes less."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks import arguments
from benchmarks.study_table import best_rows, load
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


def test_documents_on_different_audio_are_refused(tmp_path):
    """A row on another clip would be judged against this clip's reference: one such
    row was picked as a backend's best, 'within a point' of a baseline on other audio."""
    for name, audio, seconds in (("a.json", "/clips/talk.wav", 22.0), ("b.json", "/clips/other.wav", 7.6)):
        (tmp_path / name).write_text(json.dumps({"runs": [made_result(audio=audio, audio_seconds=seconds).to_dict()]}))
    with pytest.raises(SystemExit, match="ran on different audio: other.wav \\(7.6 s\\); talk.wav \\(22 s\\)"):
        load(tmp_path)
    (tmp_path / "b.json").unlink()
    (tmp_path / "folder.json").mkdir()  # not a document: passed over
    assert len(load(tmp_path)) == 1


def test_benchmark_counts_are_checked_where_they_are_parsed():
    """--clip-repeats 0 built a clip of no words and printed tables that looked real."""
    assert arguments.positives("1,18,32") == [1, 18, 32] and arguments.seconds_from_zero("0,0.5") == [0.0, 0.5]
    assert arguments.seeds("0,2") == [0, 2]
    for parse, text in ((arguments.positive, "0"), (arguments.positive, "a"), (arguments.positives, "1,0"),
                        (arguments.seconds_from_zero, "-1"), (arguments.positive_seconds, "0"),
                        (arguments.positive_seconds, "inf"), (arguments.seconds_from_zero, "nan"), (arguments.seeds, "-1")):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)
