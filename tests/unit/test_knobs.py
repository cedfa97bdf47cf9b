"""The knob table drives every surface: each knob reaches RunConfig from a CLI flag,
a preset and its text form, and backends describe themselves consistently with it.
No model is loaded here."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

import pytest

from asr_tui.cli.run import build_configs, build_options, parser
from asr_tui.core import backends, presets
from asr_tui.core.config import DEVICES, DTYPES, KNOBS, RUN_KNOBS, STRATEGIES, RunConfig, RunOptions
from asr_tui.core.errors import AsrTuiError

# A value other than the default for each knob, valid together.
CHANGED = {
    "label": "mine", "backend": "ctranslate2", "model": "base", "device": "cpu", "dtype": "int8",
    "strategy": "batched", "batch_size": 4, "beam_size": 3, "patience": 2.0, "best_of": 2, "language": "de", "task": "translate",
    "threads": 2, "warmup": 0, "repeat": 5, "clip_seconds": 30.0, "temperatures": (0.0, 0.5), "condition_on_previous_text": False,
    "compression_ratio_threshold": 2.0, "logprob_threshold": -0.5, "no_speech_threshold": 0.5, "seed": 7,
    "max_new_tokens": 100, "compilation_cache": True, "torch_compile": True, "vad_filter": True,
}


def test_every_field_is_a_knob_and_every_knob_has_a_changed_value():
    assert [k.name for k in KNOBS] == [f.name for f in fields(RunConfig)]
    assert set(CHANGED) == {k.name for k in KNOBS}
    assert all(CHANGED[k.name] != k.default for k in KNOBS if k.name != "device")


def test_every_knob_is_settable_from_the_cli():
    argv = []
    for knob in KNOBS:
        value = CHANGED[knob.name]
        if knob.kind == "bool":
            argv.append(knob.flag if value else f"--no-{knob.flag[2:]}")
        else:
            argv += [knob.flag, knob.to_text(value)]
    configs, _, _ = build_configs(parser().parse_args(argv))
    assert configs == [RunConfig(**CHANGED)] and configs[0].label == "mine"


def test_old_flag_spellings_still_work():
    (config,), _, _ = build_configs(parser().parse_args(["--vad", "--beam-size", "5", "--temperatures", "0,0.2"]))
    assert config.vad_filter and config.beam_size == 5 and config.temperatures == (0.0, 0.2)


def test_a_backend_flag_brings_what_the_backend_decodes_with_only():
    """`--backend whisper-jax` alone runs: batched, temperatures 0; a flag given still wins (and is refused later)."""
    (config,), _, _ = build_configs(parser().parse_args(["--backend", "whisper-jax"]))
    assert (config.strategy, config.temperatures) == ("batched", (0.0,))
    (config,), _, _ = build_configs(parser().parse_args(["--backend", "whisper-jax", "--temperatures", "0,0.2"]))
    assert config.temperatures == (0.0, 0.2)
    (config,), _, _ = build_configs(parser().parse_args(["--backend", "jax"]))
    assert config.strategy == "sequential" and len(config.temperatures) == 6


def test_a_flag_that_changes_what_a_label_names_drops_the_label():
    """'PyTorch fp32' run with --dtype bfloat16 is named by its settings, as the TUI's form names it."""
    def names(*argv):
        return [c.display_name for c in build_configs(parser().parse_args(["--preset", "quick", *argv]))[0]]

    assert names("--dtype", "bfloat16") == ["pytorch tiny.en cpu bfloat16", "jax tiny.en cpu bfloat16"]
    assert names("--dtype", "float32") == names() == ["PyTorch fp32", "JAX fp32"]  # nothing it names changed
    assert names("--warmup", "2") == ["PyTorch fp32", "JAX fp32"]  # not a setting the name shows
    # one label for both: each is told apart by what it differs in (`config.named_apart`)
    assert names("--dtype", "bfloat16", "--label", "mine") == ["mine backend=pytorch", "mine backend=jax"]


def test_every_knob_round_trips_through_a_preset(tmp_path):
    preset = presets.Preset("all knobs", [RunConfig(**CHANGED)])
    path = tmp_path / "all.toml"
    path.write_text(preset.to_toml())
    loaded = presets.load(path).configs[0]
    assert loaded == preset.configs[0] and loaded.label == "mine"


def test_the_run_options_come_from_a_preset_key_under_the_flag(tmp_path):
    assert [k.name for k in RUN_KNOBS] == [f.name for f in fields(RunOptions)] == ["interleave"]
    path = tmp_path / "pair.toml"
    path.write_text(presets.Preset("pair", [RunConfig(), RunConfig(backend="jax")], options=RunOptions(interleave=True)).to_toml())
    assert presets.load(path).options == RunOptions(interleave=True)
    assert build_options(parser().parse_args(["--preset", str(path)])).interleave
    assert not build_options(parser().parse_args(["--preset", str(path), "--no-interleave"])).interleave
    assert build_options(parser().parse_args(["--interleave"])).interleave
    assert not build_options(parser().parse_args([])).interleave
    assert "interleave" not in presets.Preset("plain", [RunConfig()]).to_toml()  # defaults are not written


@pytest.mark.parametrize("knob", KNOBS, ids=lambda k: k.name)
def test_text_form_round_trips(knob):
    for value in (knob.default, CHANGED[knob.name]):
        assert knob.from_text(knob.to_text(value)) == value


def test_decoding_settings_are_the_decoding_knobs():
    settings = RunConfig(**CHANGED).decoding_settings()
    assert set(settings) == {k.name for k in KNOBS if k.decoding}
    assert settings["temperatures"] == [0.0, 0.5] and settings["max_new_tokens"] == 100


def test_beam_and_sampling_knobs_are_recorded_only_where_they_act():
    """openai-whisper runs a beam search at temperature 0 only, and samples above it."""
    pytorch = backends.backend_class("pytorch")()
    beam = RunConfig(beam_size=5, patience=2.0, best_of=3, temperatures=(0.0, 0.4))
    assert {k: pytorch.decoding_settings(beam)[k] for k in ("beam_size", "patience", "best_of")} == {
        "beam_size": 5, "patience": 2.0, "best_of": 3}
    assert pytorch.decoding_settings(beam.with_(beam_size=1))["patience"] is None  # greedy
    assert pytorch.decoding_settings(beam.with_(temperatures=(0.4,)))["patience"] is None  # sampled only
    assert pytorch.decoding_settings(beam.with_(temperatures=(0.0,)))["best_of"] is None  # never sampled


def test_language_names_become_codes_without_importing_torch():
    code = (
        "import sys; from asr_tui.core.config import RunConfig; "
        "print(RunConfig(model='base', language='German').language, RunConfig(language='English').language, "
        "'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["de", "en", "False"]


@pytest.mark.parametrize("name", ["pytorch", "jax", "ctranslate2", "whisper-jax"])
def test_built_in_backends_describe_themselves_in_knob_terms(name):
    assert name in backends.names()
    cls = backends.backend_class(name)
    assert cls.name == name
    assert set(cls.dtypes) <= set(DEVICES) and all(set(d) <= set(DTYPES) for d in cls.dtypes.values())
    assert set(cls.strategies) <= set(STRATEGIES)
    knob_names = {k.name for k in KNOBS}
    assert cls.options <= knob_names and not any(k.common for k in KNOBS if k.name in cls.options)


def test_backend_abilities_decide_the_checks():
    pytorch, jax = backends.backend_class("pytorch"), backends.backend_class("jax")
    assert jax.compiles and not pytorch.compiles
    with pytest.raises(AsrTuiError, match="float16 only on cuda"):
        pytorch().check(RunConfig(dtype="float16"))
    pytorch().check(RunConfig(dtype="float16", device="cuda"))
    with pytest.raises(AsrTuiError, match="decodes batched only: use strategy batched"):
        backends.backend_class("whisper-jax")().check(RunConfig(backend="whisper-jax", temperatures=(0.0,)))
    pytorch().check(RunConfig(strategy="batched", batch_size=2))
    jax().check(RunConfig(backend="jax", strategy="batched", batch_size=2))


def test_listing_backends_imports_none_of_them():
    code = (
        "import sys; from asr_tui.core import backends; names = backends.names(); "
        "print(len(names), any(m.startswith('asr_tui.core.backends.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["4", "False"]
