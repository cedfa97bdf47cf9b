from __future__ import annotations

from pathlib import Path

import pytest

from asr_tui.core import presets
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError


def test_bundled_presets_all_load():
    found, errors = presets.discover()
    assert not errors
    names = {p.slug for p in found}
    assert presets.DEFAULT_PRESET in names
    assert all(p.bundled and p.configs for p in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("configs = [", "not valid TOML"),
        ("colour = 'red'\n[[configs]]\nbackend = 'pytorch'", "unknown key 'colour'"),
        ("[[configs]]\nbeam = 5", "configs[1]: unknown key 'beam'"),
        ("[[configs]]\nbeam_size = 'five'", "configs[1]: invalid configuration: 'beam_size' must be int"),
        ("[[configs]]\nwarmup = true", "'warmup' must be int"),
        ("[[configs]]\ndevice = 'tpu'", "device 'tpu'"),
        ("name = 'x'", "'configs' must be a non-empty array"),
    ],
)
def test_malformed_preset_names_file_key_reason(tmp_path, text, expected):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(AsrTuiError) as info:
        presets.load(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_malformed_user_preset_does_not_hide_the_rest():
    presets.user_dir().mkdir(parents=True, exist_ok=True)
    broken = presets.user_dir() / "broken.toml"
    broken.write_text("[[configs]]\nbatch_size = 'big'\n")
    try:
        found, errors = presets.discover()
        assert len(errors) == 1 and "broken.toml" in errors[0] and "batch_size" in errors[0]
        assert presets.DEFAULT_PRESET in {p.slug for p in found}
    finally:
        broken.unlink()


def test_save_overwrite_reload_delete():
    preset = presets.Preset("My CPU run", [RunConfig(beam_size=5, label="beam 5"), RunConfig(threads=1)], sources=["a.wav"])
    saved = presets.save(preset)
    assert saved.path.parent == presets.user_dir() and not saved.bundled
    loaded = presets.find("my-cpu-run")
    assert loaded.configs == preset.configs and loaded.sources == [str(Path("a.wav").absolute())]
    assert loaded.configs[0].label == "beam 5"
    with pytest.raises(AsrTuiError, match="exists"):
        presets.save(preset)
    presets.save(presets.Preset("My CPU run", [RunConfig()]), overwrite=True)
    assert len(presets.find("my-cpu-run").configs) == 1
    presets.delete(presets.find("my-cpu-run"))
    with pytest.raises(AsrTuiError, match="no preset named"):
        presets.find("my-cpu-run")


def test_a_user_preset_over_a_bundled_name_is_said_when_found():
    """`--preset quick` then runs the user's copy, which may hold other configurations
    than the bundled `quick`: the run says whose it is."""
    assert presets.hides_bundled(presets.find("quick")) is None
    own = presets.save(presets.Preset("quick", [RunConfig(backend="ctranslate2")]))
    try:
        found = presets.find("quick")
        assert found.configs[0].backend == "ctranslate2"
        assert presets.hides_bundled(found) == f"preset 'quick' is your own, {own.path}, which hides the bundled one of that name"
        assert presets.hides_bundled(presets.save(presets.Preset("mine", [RunConfig()]))) is None
    finally:
        own.path.unlink()
        (presets.user_dir() / "mine.toml").unlink(missing_ok=True)


def test_bundled_preset_cannot_be_deleted():
    with pytest.raises(AsrTuiError, match="bundled"):
        presets.delete(presets.find(presets.DEFAULT_PRESET))


def test_switches_and_strategy_round_trip():
    preset = presets.Preset("switches", [RunConfig(backend="ctranslate2", strategy="batched", batch_size=8, vad_filter=True)])
    saved = presets.save(preset)
    try:
        config = presets.load(saved.path).configs[0]
        assert config.vad_filter is True and config.strategy == "batched" and config.batch_size == 8
    finally:
        presets.delete(saved)
