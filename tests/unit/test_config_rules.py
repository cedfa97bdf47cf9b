"""RunConfig's rules that need more than one knob, and what it derives from its
values: refused at construction and at every change, whatever the backend."""

from __future__ import annotations

import pytest

from asr_tui.core.config import RunConfig, named_apart
from asr_tui.core.errors import AsrTuiError


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"batch_size": 2}, "sequential decoding runs one window at a time: use strategy batched"),
        ({"temperatures": ()}, "at least one temperature is needed"),
        ({"temperatures": (0.4, 0.2)}, "temperatures are a fallback schedule: they must not decrease"),
        ({"language": "de"}, "tiny.en is English-only: leave the language empty or set en"),
        ({"task": "translate"}, "tiny.en is English-only: it transcribes; translate needs a multilingual model"),
        ({"model": "  "}, "the model is empty"),
        ({"beam_size": 0}, "beam_size must be at least 1 (got 0)"),
        ({"beam_size": 5, "patience": 0.05}, "beam size × patience must round to 1..100 finished candidates (got 5 × 0.05)"),
        ({"beam_size": 50, "patience": 3.0}, "beam size × patience must round to 1..100 finished candidates (got 50 × 3)"),
    ],
)
def test_refused_at_construction_and_on_change(changes, message):
    with pytest.raises(AsrTuiError, match="^invalid configuration: ") as info:
        RunConfig(**changes)
    assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(AsrTuiError, match="^invalid configuration: "):
        RunConfig().with_(**changes)


def test_what_the_rules_allow():
    RunConfig(strategy="batched", batch_size=16)
    RunConfig(temperatures=(0.0, 0.0, 0.5))  # a repeated temperature is a retry, not a decrease
    RunConfig(model="base", language="de")
    RunConfig(patience=0.0)  # patience acts only in a beam search
    assert RunConfig(beam_size=5, patience=0.5).beam_candidates == 2  # openai-whisper's round(2.5), half to even
    assert RunConfig(language="English").language == "en"  # a name becomes its code


@pytest.mark.parametrize(
    ("model", "english_only"),
    [
        ("tiny.en", True), ("base", False), ("/models/tiny.en.pt", True), ("/models/small.pt", False),
        ("~/models/faster-whisper-tiny.en", True), ("~/models/faster-whisper-tiny.en/", True), (" tiny.en ", True),
    ],
)
def test_english_only_by_the_model_name(model, english_only):
    assert RunConfig(model=model).english_only is english_only


def test_names_and_keys():
    config = RunConfig(backend="jax", dtype="bfloat16", strategy="batched", batch_size=8)
    assert config.display_name == "jax tiny.en cpu bfloat16 batched b8"
    assert config.with_(label="mine").display_name == "mine"
    assert config.model_key == ("jax", "tiny.en", "cpu", "bfloat16")
    # knobs that change the decoding, not the resident model, keep the key
    assert config.with_(temperatures=(0.0,), threads=1).model_key == config.model_key


def test_label_does_not_make_two_configurations_differ():
    """Two runs of the same work under different names compare equal (compare=False)."""
    assert RunConfig(label="a") == RunConfig(label="b")
    assert RunConfig(beam_size=2) != RunConfig()


def test_to_dict_is_plain_toml_and_json():
    data = RunConfig(temperatures=(0.0, 0.5)).to_dict()
    assert "language" not in data  # None has no TOML spelling
    assert data["temperatures"] == [0.0, 0.5] and data["backend"] == "pytorch"
    assert RunConfig(**data) == RunConfig(temperatures=(0.0, 0.5))


def test_one_run_names_its_configurations_apart():
    """Rows and corpus figures go by name: two configurations that read alike get
    the settings they differ in, and one that differs alone keeps its name."""
    one = RunConfig(backend="ctranslate2", threads=1)
    named = named_apart([one, one.with_(threads=2), RunConfig(backend="jax")])
    assert [c.display_name for c in named] == [
        "ctranslate2 tiny.en cpu float32 threads=1", "ctranslate2 tiny.en cpu float32 threads=2", "jax tiny.en cpu float32",
    ]
    assert named[0] == one  # the settings are untouched
    labelled = named_apart([one.with_(label="fast"), one.with_(label="fast", beam_size=2, threads=2)])
    assert [c.display_name for c in labelled] == ["fast beam_size=1 threads=1", "fast beam_size=2 threads=2"]
    # names apart already: kept as they are (labels do not count in ==, so compare the names)
    kept = named_apart([one, one.with_(label="mine")])
    assert [c.display_name for c in kept] == ["ctranslate2 tiny.en cpu float32", "mine"]


def test_the_same_settings_twice_are_refused():
    one = RunConfig(threads=1)
    with pytest.raises(AsrTuiError, match=r"configurations 2 and 3 \('pytorch tiny.en cpu float32'\) have the same settings"):
        named_apart([RunConfig(backend="jax"), one, one.with_(label="")])
