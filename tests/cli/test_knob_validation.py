"""Bad knob values are refused before any model loads, the same way for every
backend: through the real CLI (exit 2, one line, no traceback), a preset, and the
Configure form (inline, the edit not applied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_tui.core import presets
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from tests.cli_helpers import asr_tui, one_line_error

CASES = [
    (["--beam-size", "1000000000"], "beam_size must be at most 100"),
    (["--backend", "ctranslate2", "--best-of", "1000"], "best_of must be at most 100"),
    (["--temperatures", "nan,-5"], "temperatures must be a finite number"),
    (["--temperatures", "0,-5"], "temperatures must be at least 0"),
    (["--backend", "jax", "--temperatures", "0,1.5"], "temperatures must be at most 1"),
    (["--temperatures", "0.6,0.2"], "must not decrease"),
    (["--temperatures", "warm"], "temperatures: 'warm' is not a comma-separated list of numbers"),
    (["--language", "klingon"], "Whisper knows no language 'klingon'"),
    (["--model", "base", "--language", "germna"], "did you mean german"),
    (["--backend", "ctranslate2", "--language", "de"], "tiny.en is English-only"),
    (["--model", ""], "the model is empty"),
    (["--beam-size", "five"], "beam_size: 'five' is not a whole number"),
    (["--no-speech-threshold", "2"], "no_speech_threshold must be at most 1"),
    (["--backend", "jax", "--max-new-tokens", "1000"], "max_new_tokens must be at most 224"),
    (["--backend", "tensorflow"], "unknown backend 'tensorflow'"),
    (["--sweep", "batch_size=1,big"], "batch_size: 'big' is not a whole number"),
    (["--sweep", "dtype=float16,int8"], "no combination of the sweep is valid"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_cli_refuses_in_one_line(argv, expected):
    line = one_line_error(asr_tui("run", *argv))
    assert line.startswith("asr-tui: error: invalid configuration: ") and expected in line


def test_preset_values_are_checked_like_flags(tmp_path):
    preset = tmp_path / "huge.toml"
    preset.write_text("[[configs]]\nbackend = 'pytorch'\nbeam_size = 1000000000\n")
    line = one_line_error(asr_tui("run", "--preset", str(preset)))
    assert "huge.toml" in line and "beam_size must be at most 100" in line
    # a value only its backend refuses names the configuration among several
    mixed = tmp_path / "mixed.toml"
    mixed.write_text("[[configs]]\nbackend = 'jax'\n[[configs]]\nbackend = 'pytorch'\ndtype = 'int8'\n")
    line = one_line_error(asr_tui("run", "--preset", str(mixed)))
    assert line == "asr-tui: error: pytorch tiny.en cpu int8: pytorch backend does not support int8 (supported: float32, bfloat16)"
    assert one_line_error(asr_tui("run", "--preset", "")).startswith("asr-tui: error: an empty preset name (available: ")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("language", "klingon", "Whisper knows no language 'klingon'"),
        ("temperatures", "0.5,0.2", "must not decrease"),
        ("beam_size", "1000000000", "beam_size must be at most 100"),
        ("model", "", "the model is empty"),
    ],
)
async def test_form_shows_the_same_refusal_inline(audio_dir, field, value, expected):
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        before = app.configs[0]
        assert app.query_one(f"#row-{field}").display
        app.query_one(f"#field-{field}").value = value
        await pilot.pause()
        assert expected in str(app.query_one(f"#error-{field}").render())
        assert app.configs[0] == before  # the refused edit is not applied
