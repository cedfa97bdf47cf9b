"""Corpus figures from results made by hand: WER is errors over words across the
files (never a mean of per-file WERs), RTFx total audio over total compute, one row
per configuration, a rerun counted once."""

from __future__ import annotations

import pytest

from asr_tui.core.corpus import summarize
from tests.unit.made_results import made_result


def scored(audio: str, errors: tuple[int, int, int], words: int, **changes):
    s, d, i = errors
    return made_result(audio=audio, substitutions=s, deletions=d, insertions=i, reference_words=words,
                       wer=(s + d + i) / words if words else 0.0, **changes)


def test_wer_is_errors_over_words_not_a_mean_of_file_wers():
    short = scored("/a.wav", (1, 0, 0), 4)  # 0.25 on its own
    long = scored("/b.wav", (0, 1, 1), 76)
    (row,) = summarize([short, long])
    assert (row.substitutions, row.deletions, row.insertions, row.reference_words) == (1, 1, 1, 80)
    assert row.wer == pytest.approx(3 / 80)  # a mean of file WERs would say 0.138


def test_rtfx_is_total_audio_over_total_compute():
    warm = scored("/a.wav", (0, 0, 0), 4, audio_seconds=30.0, warm_runs_s=[2.0, 3.0, 9.0])  # median 3
    cold = scored("/b.wav", (0, 0, 0), 4, audio_seconds=10.0, warm_runs_s=[], first_run_s=2.0)  # first pass
    (row,) = summarize([warm, cold])
    assert (row.audio_seconds, row.compute_seconds) == (40.0, 5.0) and row.rtfx == pytest.approx(8.0)


def test_files_without_a_reference_count_towards_rtfx_only():
    unscored = made_result(audio="/c.wav", wer=None, substitutions=None, deletions=None, insertions=None,
                           reference_words=None, audio_seconds=20.0)
    (row,) = summarize([scored("/a.wav", (2, 0, 0), 10), unscored])
    assert row.files == 2 and row.files_without_reference == 1
    assert row.wer == pytest.approx(0.2) and row.audio_seconds == pytest.approx(32.5)
    (alone,) = summarize([unscored])
    assert alone.wer is None and alone.to_dict()["wer"] is None


def test_empty_references():
    assert summarize([scored("/silence.wav", (0, 0, 0), 0)])[0].wer == 0.0
    assert summarize([scored("/silence.wav", (0, 0, 2), 0)])[0].wer == 1.0  # words heard in silence


def test_one_row_per_configuration_in_order_of_first_appearance():
    """Two unlabelled configurations that differ only in beam size or in a decoding
    knob share a name, and are still two rows."""
    greedy = [scored(f"/{n}.wav", (0, 0, 0), 4) for n in "ab"]
    beams = [scored(f"/{n}.wav", (1, 0, 0), 4, beam_size=5) for n in "ab"]
    other_seed = [scored("/a.wav", (0, 1, 0), 4, decoding={"beam_size": 1, "temperatures": [0.0], "seed": 3})]
    rows = summarize([greedy[0], beams[0], greedy[1], other_seed[0], beams[1]])
    assert [(r.files, r.substitutions, r.deletions) for r in rows] == [(2, 0, 0), (2, 2, 0), (1, 0, 1)]
    assert {r.config_name for r in rows} == {"PyTorch fp32"}


def test_a_rerun_counts_once_at_its_latest_measurement():
    first = scored("/a.wav", (3, 0, 0), 10, warm_runs_s=[4.0])
    rerun = scored("/a.wav", (1, 0, 0), 10, warm_runs_s=[2.0])
    (row,) = summarize([first, scored("/b.wav", (0, 0, 0), 10), rerun])
    assert row.files == 2 and row.substitutions == 1 and row.compute_seconds == pytest.approx(3.25)


def test_a_rerun_counts_at_the_one_that_finished_last_in_any_order():
    """History lists the newest run first: its export must not count a file at its
    oldest run (one that still held JAX's compilation, say)."""
    old = scored("/a.wav", (3, 0, 0), 10, warm_runs_s=[4.0], finished_at="2026-01-02T03:04:05+00:00")
    new = scored("/a.wav", (1, 0, 0), 10, warm_runs_s=[2.0], finished_at="2026-01-03T09:00:00+00:00")
    for order in ([old, new], [new, old]):
        (row,) = summarize(order)
        assert row.substitutions == 1 and row.compute_seconds == pytest.approx(2.0)


def test_to_dict_rounds_for_reading():
    data = summarize([scored("/a.wav", (1, 0, 0), 3, audio_seconds=10.0004, warm_runs_s=[3.0])])[0].to_dict()
    assert (data["wer"], data["audio_seconds"], data["compute_seconds"], data["rtfx"]) == (0.333333, 10.0, 3.0, 3.333)
