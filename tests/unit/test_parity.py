"""Settings parity: exactly the settings that differ beyond those compared by design."""

from __future__ import annotations

from asr_tui.core import parity
from asr_tui.core.results import document
from tests.unit.made_results import made_result

DECODING = {"strategy": "sequential", "beam_size": 1, "temperatures": [0.0, 0.2], "vad_filter": None, "language": "en"}


def config(name: str, backend: str = "pytorch", **changes):
    decoding = DECODING | changes.pop("decoding", {})
    return made_result(config_name=name, backend=backend, decoding=decoding, **changes)


def test_backends_alike_in_every_other_setting_are_like_for_like():
    assert parity.differences([config("A"), config("B", "ctranslate2")]) == []
    assert parity.line([config("A"), config("B", "ctranslate2")]) is None


def test_every_other_differing_setting_is_listed_with_each_value():
    a = config("A")
    b = config("B", "whisper-jax", dtype="bfloat16", env={"threads": 4}, weights_sha256="cd" * 32,
               decoding={"temperatures": [0.0], "vad_filter": True, "chunk_length": 30})
    found = {d.setting: d.values for d in parity.differences([a, b])}
    assert found == {
        "weights_sha256": {"A": "ab" * 32, "B": "cd" * 32},
        "dtype": {"A": "float32", "B": "bfloat16"},
        "threads": {"A": "2", "B": "4"},
        "temperatures": {"A": "0,0.2", "B": "0"},
        "vad_filter": {"A": "not applied", "B": "True"},
    }
    assert parity.line([a, b]).startswith("not like for like: weights_sha256 (A: abab")


def test_a_knob_varied_alone_or_swept_as_a_grid_is_compared_not_listed():
    # one knob varied alone, same backend: that is the comparison
    assert parity.differences([config("f32"), config("int8", dtype="int8")]) == []
    # a full grid of two knobs (a sweep's cross product)
    grid = [config(f"{d} b{b}", dtype=d, batch_size=b) for d in ("float32", "bfloat16") for b in (1, 16)]
    assert parity.differences(grid) == []
    # the model compared: its weights' sha256 follows it
    assert parity.differences([config("tiny"), config("base", model="base", weights_sha256="ef" * 32)]) == []
    # framework x strategy (the decomposed study): the batch size goes with the strategy
    def cell(backend, strategy, batch):
        return config(f"{backend} {strategy}", backend, batch_size=batch, decoding={"strategy": strategy})
    study = [cell(b, s, n) for b in ("pytorch", "jax") for s, n in (("sequential", 1), ("batched", 16))]
    assert parity.differences(study) == []


def test_a_knob_that_differs_without_forming_a_grid_is_listed():
    three = [config("pt"), config("jax", "jax"), config("ct2 int8", "ctranslate2", dtype="int8")]
    assert [(d.setting, d.values) for d in parity.differences(three)] == [
        ("dtype", {"pt": "float32", "jax": "float32", "ct2 int8": "int8"})
    ]
    two_at_once = [config("A"), config("B", dtype="int8", decoding={"beam_size": 5})]
    assert [d.setting for d in parity.differences(two_at_once)] == ["dtype", "beam_size"]
    # the backend compared, and one of them batched as well: the strategy listed, and
    # not again through what it sets (batch size, no prompt, how the audio was cut)
    batched = config("jax b16", "jax", batch_size=16,
                     decoding={"strategy": "batched", "condition_on_previous_text": False, "clips": "quiet cuts"})
    sequential = config("pt", decoding={"condition_on_previous_text": True})
    assert [d.setting for d in parity.differences([sequential, batched])] == ["strategy"]


def test_what_a_strategy_sets_is_compared_among_configurations_of_that_strategy():
    b8 = config("pt b8", batch_size=8, decoding={"strategy": "batched", "clips": "quiet cuts"})
    b16 = config("jax b16", "jax", batch_size=16, decoding={"strategy": "batched", "clips": "quiet cuts"})
    peer = config("whisper-jax b16", "whisper-jax", batch_size=16, decoding={"strategy": "batched", "clips": "strided"})
    assert {d.setting: d.values for d in parity.differences([b8, b16, peer])} == {
        "batch_size": {"pt b8": "8", "jax b16": "16", "whisper-jax b16": "16"},
        "clips": {"pt b8": "quiet cuts", "jax b16": "quiet cuts", "whisper-jax b16": "strided"},
    }
    prompted, unprompted = (config(f"{backend}", backend, decoding={"condition_on_previous_text": on})
                            for backend, on in (("pytorch", True), ("jax", False)))
    assert [d.setting for d in parity.differences([prompted, unprompted])] == ["condition_on_previous_text"]


def test_a_library_switch_is_compared_among_the_results_that_record_it():
    """faster-whisper records without_timestamps; openai-whisper's loop has no such switch."""
    ct2, pt = config("CT2", "ctranslate2", decoding={"without_timestamps": False}), config("PT")
    assert parity.differences([ct2, pt]) == []
    untimed = config("CT2 untimed", "ctranslate2", decoding={"without_timestamps": True})
    assert {d.setting: d.values for d in parity.differences([ct2, untimed, pt])} == {
        "without_timestamps": {"CT2": "False", "CT2 untimed": "True", "PT": "not recorded"},
    }


def test_one_configuration_over_several_files_has_nothing_to_compare():
    assert parity.differences([config("A"), config("A", audio="/clips/two.flac")]) == []


def test_the_document_lists_the_differences():
    doc = document([config("A"), config("B", "jax", decoding={"temperatures": [0.0]})])
    assert doc["not_like_for_like"] == [{"setting": "temperatures", "values": {"A": "0,0.2", "B": "0"}}]


def test_a_switch_one_backend_lacks_is_the_same_as_off():
    """torch.compile off on PyTorch and absent from JAX do the same work; on, it differs."""
    off, on = (config("PyTorch", decoding={"torch_compile": value}) for value in (False, True))
    jax = config("JAX", "jax", decoding={"torch_compile": None})
    assert parity.differences([off, jax]) == []
    assert {d.setting: d.values for d in parity.differences([on, jax])} == {
        "torch_compile": {"PyTorch": "True", "JAX": "not applied"},
    }


def test_a_knob_swept_is_compared_with_what_it_brings():
    """Beam 2 applies a patience, a sampling schedule a best_of and a seed: the sweep
    compares the beam size or the schedule, and those come with it."""
    greedy = config("beam1", "ctranslate2", decoding={"beam_size": 1, "patience": None})
    beam = config("beam2", "ctranslate2", decoding={"beam_size": 2, "patience": 1.0})
    assert parity.differences([greedy, beam]) == []
    once = config("t0", decoding={"temperatures": [0.0], "best_of": None, "seed": None})
    fallback = config("t0,0.5", decoding={"temperatures": [0.0, 0.5], "best_of": 5, "seed": 0})
    assert parity.differences([once, fallback]) == []


def test_a_decomposed_study_and_a_grid_with_a_hole_are_designs():
    """Each factor of the decomposed study differs alone somewhere (its steps), though
    the six configurations are no full grid; a sweep whose one combination was refused
    likewise."""
    def row(backend, strategy, dtype):
        return config(f"{backend} {strategy} {dtype}", backend, dtype=dtype, batch_size=16 if strategy == "batched" else 1,
                      decoding={"strategy": strategy})

    study = [row(b, "sequential", "float32") for b in ("pytorch", "jax")]
    study += [row(b, "batched", d) for b in ("pytorch", "jax") for d in ("float32", "bfloat16")]
    assert parity.differences(study) == []
    holed = [config("pt f32"), config("ct2 f32", "ctranslate2"), config("ct2 int8", "ctranslate2", dtype="int8")]
    assert parity.differences(holed) == []
    # but a value of its own that no step isolates is listed, though another pair varies the knob
    odd = [config("ct2 f32", "ctranslate2"), config("ct2 int8", "ctranslate2", dtype="int8"), config("pt f16", dtype="float16")]
    assert [d.setting for d in parity.differences(odd)] == ["dtype"]


def test_a_whole_number_recorded_as_a_float_is_the_same_setting():
    """faster-whisper records chunk_length 30, our batched loop 30.0: the same window."""
    ours = config("jax b16", "jax", batch_size=16, decoding={"strategy": "batched", "chunk_length_s": 30.0})
    theirs = config("ct2 b16", "ctranslate2", batch_size=16, decoding={"strategy": "batched", "chunk_length_s": 30})
    assert parity.differences([ours, theirs]) == []
    shorter = config("ct2 b16 20 s", "ctranslate2", batch_size=16, decoding={"strategy": "batched", "chunk_length_s": 20.5})
    assert {d.setting: d.values for d in parity.differences([ours, shorter])} == {
        "chunk_length_s": {"jax b16": "30", "ct2 b16 20 s": "20.5"}}
