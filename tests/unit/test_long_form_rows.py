"""`benchmarks.long_form` on several backends and on clips of one's own: each row is
held to its own backend's sequential rows, and a clip without its reference is refused
before anything is decoded."""

from __future__ import annotations

import argparse

import pytest

from asr_tui.core.alignment import align
from benchmarks.long_form import lost_where_kept, own_clip, rows


def test_each_row_is_held_to_its_own_backends_sequential_rows():
    found = rows(["jax", "pytorch"], "tiny.en", 16, ["float32", "bfloat16"], unprompted=True)
    by_label = {row.config.label: row for row in found}
    assert len(found) == 8
    for row in found:
        backend = row.config.backend
        assert by_label[row.sequential].config.backend == backend
        assert by_label[row.sequential].config.strategy == "sequential"
        assert by_label[row.unprompted].config.condition_on_previous_text is False
        assert by_label[row.unprompted].config.backend == backend
    assert by_label["pytorch batched bf16 b16"].config.dtype == "bfloat16"


def test_without_unprompted_rows_none_is_named():
    found = rows(["pytorch"], "tiny.en", 8, ["float32"], unprompted=False)
    assert [row.config.label for row in found] == ["pytorch sequential fp32", "pytorch batched fp32 b8"]
    assert all(row.unprompted is None for row in found)


def test_a_clip_of_ones_own_needs_its_reference_beside_it(tmp_path):
    wav = tmp_path / "talk.wav"
    wav.write_bytes(b"RIFF")
    with pytest.raises(argparse.ArgumentTypeError, match="talk.txt cannot be read"):
        own_clip(str(wav))
    for unusable, why in ((b" \n", "is empty"), (b"\xff\xfe caf\xe9", "cannot be read")):
        wav.with_suffix(".txt").write_bytes(unusable)
        with pytest.raises(argparse.ArgumentTypeError, match=why):
            own_clip(str(wav))
    wav.with_suffix(".txt").write_text("hello there", encoding="utf-8")
    assert own_clip(str(wav)) == ("talk", wav, "hello there")
    with pytest.raises(argparse.ArgumentTypeError, match="no such file"):
        own_clip(str(tmp_path / "absent.wav"))


def test_a_row_is_held_to_sequential_at_its_own_seed_and_sequential_to_its_other_seeds():
    reference = "apple bread cider dates eggs figs grapes honey ice jam kale lime"
    heard = {  # (clip, shift, seed, row): transcript
        ("talk", 0.0, 0, "seq"): reference,
        ("talk", 0.0, 1, "seq"): "apple bread cider dates eggs figs",  # its fallback sampled: six words lost
        ("talk", 0.5, 0, "seq"): "apple bread cider dates eggs figs grapes honey",  # behind silence: four lost
        ("talk", 0.0, 0, "batched"): "apple bread cider lime",  # eight lost that seed 0's sequential kept
        ("talk", 0.0, 1, "batched"): "apple bread cider dates",  # two lost that seed 1's sequential kept
        ("other", 0.0, 0, "seq"): reference,  # another clip is no yardstick for this one
        ("other", 0.0, 0, "batched"): reference,
    }
    aligned = {key: align(reference, text) for key, text in heard.items()}
    found = lost_where_kept(aligned, {"seq": "seq", "batched": "seq"})
    assert found["talk", 0.0, 0, "batched"] == 8
    assert found["talk", 0.0, 1, "batched"] == 2
    assert found["talk", 0.0, 1, "seq"] == 6 and found["talk", 0.0, 0, "seq"] == 0
    assert found["talk", 0.5, 0, "seq"] == 4  # kept at the other shift with the same seed
    assert found["other", 0.0, 0, "seq"] is None and found["other", 0.0, 0, "batched"] == 0
