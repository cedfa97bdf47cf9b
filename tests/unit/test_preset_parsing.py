"""Preset text and sweep values parsed without the CLI, the file system or a model:
what a preset file may hold, and how `--sweep` and preset lists become configurations."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_tui.core import presets, sweeps
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import invalid

PATH = Path("/presets/cpu-runs.toml")


def test_name_defaults_to_the_file_stem_and_everything_else_is_kept():
    preset = presets.parse("[[configs]]\nbackend = 'jax'\n[[configs]]\nbeam_size = 2\n", PATH, bundled=True)
    assert preset.name == "cpu-runs" and preset.slug == "cpu-runs" and preset.bundled and preset.path == PATH
    assert preset.configs == [RunConfig(backend="jax"), RunConfig(beam_size=2)]
    assert preset.sources == [] and preset.description == "" and preset.skipped == []


def test_to_toml_round_trips_name_description_sources_and_configs():
    preset = presets.Preset(
        "CPU runs", [RunConfig(label="greedy"), RunConfig(backend="ctranslate2", dtype="int8", language="en")],
        description="two engines", sources=["clips/a.wav", "set.tsv"],
    )
    parsed = presets.parse(preset.to_toml(), PATH)
    # relative sources are read from the preset's folder, wherever the run starts
    assert (parsed.name, parsed.description, parsed.sources) == ("CPU runs", "two engines", ["/presets/clips/a.wav", "/presets/set.tsv"])
    assert presets.parse("sources = ['/data/b.wav']\n[[configs]]\n", PATH).sources == ["/data/b.wav"]
    assert parsed.configs == preset.configs and [c.label for c in parsed.configs] == ["greedy", ""]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 3\n[[configs]]\n", "'name' and 'description' must be strings"),
        ("description = ['x']\n[[configs]]\n", "'name' and 'description' must be strings"),
        ("sources = 'a.wav'\n[[configs]]\n", "'sources' must be a list of paths"),
        ("sources = ['a.wav', 2]\n[[configs]]\n", "'sources' must be a list of paths"),
        ("configs = []\n", "'configs' must be a non-empty array of tables"),
        ("repeat = 2\n[[configs]]\n", "unknown key 'repeat' (a configuration's setting: put it in each [[configs]] table)"),
        ("colour = 'red'\n[[configs]]\n", "unknown key 'colour'"),
        ("configs = [1]\n", "configs[1] must be a table"),
        ("[[configs]]\n[[configs]]\nbeam_size = 0\n", "configs[2]: invalid configuration: beam_size must be at least 1"),
        ("[[configs]]\ntemperatures = []\n", "configs[1]: invalid configuration: at least one temperature is needed"),
    ],
)
def test_refusals_name_the_file_and_the_place(text, message):
    with pytest.raises(AsrTuiError) as info:
        presets.parse(text, PATH)
    assert str(info.value).startswith(f"{PATH}: {message}")


@pytest.mark.parametrize(("name", "slug"), [
    ("My CPU run!", "my-cpu-run"), ("  Beam 5 / int8  ", "beam-5-int8"),
    ("Café ünï [x] 音声", "café-ünï-x-音声"), ("音声", "音声"),  # letters of any script are letters
    ("Long name " * 30, ("long-name-" * 30)[:presets.MAX_SLUG_BYTES].rstrip("-")),  # a file name has a limit
    ("𝐀" * 70, "𝐀" * (presets.MAX_SLUG_BYTES // 4)),  # counted in bytes, and never cut inside a letter
])
def test_slugify(name, slug):
    assert presets.slugify(name) == slug


def test_a_name_too_long_for_a_file_is_no_preset_not_a_crash():
    with pytest.raises(AsrTuiError, match="no preset named 'xxx.*File name too long"):
        presets.find("x" * 300)


def test_a_name_without_letters_or_digits_has_no_slug():
    with pytest.raises(AsrTuiError, match="at least one letter or digit"):
        presets.slugify("!!!")


@pytest.mark.parametrize(
    ("flag", "name", "values"),
    [
        ("batch-size=1,4,16", "batch_size", [1, 4, 16]),
        ("dtype=float32, int8", "dtype", ["float32", "int8"]),
        ("vad_filter=on,off", "vad_filter", [True, False]),
        ("temperatures=0;0,0.2,0.4", "temperatures", [(0.0,), (0.0, 0.2, 0.4)]),
        ("batch_size=1,4,1", "batch_size", [1, 4]),  # twice would be two rows of one name
    ],
)
def test_sweep_flag(flag, name, values):
    assert sweeps.parse_flag(flag) == (name, values)


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("beam_size", "--sweep beam_size: expected KNOB=V1,V2"),
        ("beam_size= ", "--sweep beam_size= : expected KNOB=V1,V2"),
        ("beams=1,2", "--sweep beams=1,2: unknown knob 'beams'"),
        ("beam_size=1,two", "beam_size: 'two' is not a whole number"),
        # a value no configuration could take is a typo, not a combination to skip
        ("dtype=float32,int4", "--sweep dtype=float32,int4: unknown dtype 'int4' (choose float32"),
        ("beam_size=1,0", "--sweep beam_size=1,0: beam_size must be at least 1 (got 0)"),
    ],
)
def test_sweep_flag_refusals(flag, message):
    with pytest.raises(AsrTuiError, match="^invalid configuration: ") as info:
        sweeps.parse_flag(flag)
    assert message in str(info.value)


def test_split_types_single_and_swept_values():
    fixed, swept = sweeps.split({"backend": "jax", "logprob_threshold": -1, "batch_size": [1, 4], "temperatures": [0, 0.2]})
    assert fixed == {"backend": "jax", "logprob_threshold": -1.0, "temperatures": (0.0, 0.2)}
    assert swept == {"batch_size": [1, 4]}
    assert sweeps.split({"temperatures": [[0], [0, 0.2]]}) == ({}, {"temperatures": [(0.0,), (0.0, 0.2)]})
    assert sweeps.split({"temperatures": []}) == ({"temperatures": ()}, {})  # one empty schedule, refused later
    with pytest.raises(AsrTuiError, match="unknown key 'beam'"):
        sweeps.split({"beam": 5})


def no_batches_over_four(config: RunConfig) -> None:
    """A stand-in for a backend's check, so the sweep logic is tested on its own."""
    if config.batch_size > 4:
        raise invalid("this engine batches at most 4 windows")


def test_expand_skips_refused_combinations_with_the_reason():
    base = {"label": "mine", "strategy": "batched"}
    configs, skipped = sweeps.expand(base, {"batch_size": [1, 4, 16], "beam_size": [1, 2]}, no_batches_over_four)
    assert [c.label for c in configs] == [
        "mine batch_size=1 beam_size=1", "mine batch_size=1 beam_size=2",
        "mine batch_size=4 beam_size=1", "mine batch_size=4 beam_size=2",
    ]
    assert [str(s) for s in skipped] == [
        "skipped mine batch_size=16 beam_size=1: this engine batches at most 4 windows",
        "skipped mine batch_size=16 beam_size=2: this engine batches at most 4 windows",
    ]


def test_labels_only_where_the_summary_does_not_tell_combinations_apart():
    shown, _ = sweeps.expand({"strategy": "batched"}, {"batch_size": [1, 4]}, no_batches_over_four)
    assert [(c.label, c.display_name) for c in shown] == [
        ("", "pytorch tiny.en cpu float32 batched b1"), ("", "pytorch tiny.en cpu float32 batched b4"),
    ]
    hidden, _ = sweeps.expand({}, {"seed": [1, 2]}, no_batches_over_four)
    assert [c.label for c in hidden] == ["pytorch tiny.en cpu float32 seed=1", "pytorch tiny.en cpu float32 seed=2"]


def test_a_combination_the_rules_refuse_is_skipped_and_named():
    configs, skipped = sweeps.expand({}, {"batch_size": [1, 2]}, no_batches_over_four)  # sequential: batch 1 only
    assert [c.batch_size for c in configs] == [1]
    assert skipped == [sweeps.Skipped(
        "pytorch tiny.en batch_size=2", "sequential decoding runs one window at a time: use strategy batched for batch size > 1",
    )]


def test_expand_all_without_a_sweep_keeps_each_configuration():
    configs, skipped = sweeps.expand_all([{"beam_size": 2}, {"backend": "jax"}], {}, no_batches_over_four)
    assert configs == [RunConfig(beam_size=2), RunConfig(backend="jax")] and skipped == []
    configs, _ = sweeps.expand_all([{"beam_size": 2}, {"backend": "jax"}], {"seed": [1, 2]}, no_batches_over_four)
    assert [(c.backend, c.seed) for c in configs] == [("pytorch", 1), ("pytorch", 2), ("jax", 1), ("jax", 2)]


def test_an_empty_preset_name_is_refused_with_the_names_there_are():
    with pytest.raises(AsrTuiError, match=r"an empty preset name \(available: .*quick"):
        presets.find("")


def test_a_preset_sweep_value_no_configuration_could_take_is_an_error(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('[[configs]]\ndtype = ["float32", "int4"]\n')
    with pytest.raises(AsrTuiError, match=r"typo.toml: configs\[1\]: invalid configuration: unknown dtype 'int4'"):
        presets.load(path)
