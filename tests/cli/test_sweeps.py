"""Sweeps: lists in a preset and `run --sweep` expand into the cross product with
labels; combinations refused by the rules or the backend are skipped with the reason."""

from __future__ import annotations

import json

import pytest

from asr_tui.cli.run import build_configs, parser
from asr_tui.core import presets
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.samples import SAMPLE
from tests.cli_helpers import asr_tui, one_line_error


def load(tmp_path, text: str) -> presets.Preset:
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return presets.load(path)


def test_preset_lists_expand_into_the_cross_product(tmp_path):
    preset = load(tmp_path, """
[[configs]]
backend = "ctranslate2"
strategy = "batched"
batch_size = [1, 4, 16]
dtype = ["float32", "int8"]
beam_size = [1, 5]
""")
    got = {(c.batch_size, c.dtype, c.beam_size) for c in preset.configs}
    assert got == {(b, d, k) for b in (1, 4, 16) for d in ("float32", "int8") for k in (1, 5)}
    names = [c.display_name for c in preset.configs]
    assert len(set(names)) == 12 and "ctranslate2 tiny.en cpu int8 batched b16 beam5" in names
    assert not preset.skipped


def test_refused_combinations_are_skipped_with_the_reason(tmp_path):
    # jax, not whisper-jax: whisper-jax is installed only where ../shared/third_party is,
    # and where it is not, every combination would be refused for that alone
    preset = load(tmp_path, """
[[configs]]
label = "j"
backend = "jax"
batch_size = 8
dtype = ["float32", "int8"]
strategy = ["sequential", "batched"]
""")
    assert [c.label for c in preset.configs] == ["j dtype=float32 strategy=batched"]
    reasons = {s.label: s.reason for s in preset.skipped}
    assert "does not support int8" in reasons["j dtype=int8 strategy=batched"]
    assert "use strategy batched" in reasons["j dtype=float32 strategy=sequential"]
    assert len(reasons) == 3


def test_a_list_valued_knob_sweeps_with_a_list_of_lists(tmp_path):
    plain = load(tmp_path, "[[configs]]\ntemperatures = [0.0, 0.2]\n")
    assert [c.temperatures for c in plain.configs] == [(0.0, 0.2)]
    swept = load(tmp_path, "[[configs]]\ntemperatures = [[0.0], [0.0, 0.2]]\n")
    assert [c.temperatures for c in swept.configs] == [(0.0,), (0.0, 0.2)]
    assert [c.display_name for c in swept.configs] == [
        "pytorch tiny.en cpu float32 temperatures=0", "pytorch tiny.en cpu float32 temperatures=0,0.2",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("batch_size = [1, 'x']", "'batch_size' must be int, not str"),
        ("beam_size = []", "'beam_size' sweeps over no values"),
        ("dtype = ['float16', 'int8']", "no combination of the sweep is valid"),
    ],
)
def test_bad_preset_sweeps_are_one_error_naming_the_knob(tmp_path, text, expected):
    with pytest.raises(AsrTuiError, match="sweep.toml: configs\\[1\\]") as info:
        load(tmp_path, f"[[configs]]\n{text}\n")
    assert expected in str(info.value)


def test_cli_sweep_applies_to_each_preset_config_and_lists_skips(capsys):
    args = parser().parse_args(["--preset", "quick", "--sweep", "dtype=float32,float16", "--sweep", "beam-size=1,2"])
    configs, _, _ = build_configs(args)
    # PyTorch refuses float16 on the CPU (JAX runs it, and both run beams): it says so on stderr
    assert [c.display_name for c in configs] == [
        "PyTorch fp32 dtype=float32 beam_size=1", "PyTorch fp32 dtype=float32 beam_size=2",
        "JAX fp32 dtype=float32 beam_size=1", "JAX fp32 dtype=float32 beam_size=2",
        "JAX fp32 dtype=float16 beam_size=1", "JAX fp32 dtype=float16 beam_size=2",
    ]
    skipped = capsys.readouterr().err.strip().splitlines()
    assert len(skipped) == 2 and all(line.startswith("asr-tui: skipped PyTorch fp32 dtype=float16") for line in skipped)


def test_cli_sweep_runs_every_valid_combination(tmp_path):
    out = tmp_path / "sweep.json"
    proc = asr_tui("run", "--warmup", "0", "--sweep", "beam_size=1,2", "--sweep", "dtype=float32,float16",
                   "--json", str(out), "--markdown", str(tmp_path / "sweep.md"), str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("asr-tui: skipped pytorch tiny.en") == 2 and "float16 only on cuda" in proc.stderr
    # what was asked for and not run stays with the results, not only on stderr
    doc = json.loads(out.read_text())
    assert len(doc["skipped"]) == 2 and all("float16 only on cuda" in s["reason"] for s in doc["skipped"])
    not_run = (tmp_path / "sweep.md").read_text().split("Not run:")[1]
    assert not_run.count("float16 only on cuda") == 2
    runs = doc["runs"]
    assert [(r["config_name"], r["beam_size"]) for r in runs] == [
        ("pytorch tiny.en cpu float32", 1), ("pytorch tiny.en cpu float32 beam2", 2),
    ]
    assert all(r["wer"] < 0.15 for r in runs)


def test_cli_sweep_of_an_unknown_knob_is_one_line():
    assert "unknown knob 'beams'" in one_line_error(asr_tui("run", "--sweep", "beams=1,2"))


def test_a_knob_given_as_a_flag_and_swept_is_refused():
    """The sweep would replace the flag's value without a word."""
    args = parser().parse_args(["--clip-seconds", "10", "--sweep", "clip_seconds=5,20"])
    with pytest.raises(AsrTuiError, match="--clip-seconds and --sweep clip_seconds=... both set clip_seconds"):
        build_configs(args)


def test_a_knob_swept_twice_is_refused():
    """The second list replaced the first without a word."""
    args = parser().parse_args(["--sweep", "dtype=float32", "--sweep", "dtype=int8"])
    with pytest.raises(AsrTuiError, match=r"--sweep dtype=\.\.\. is given twice: list every value in one"):
        build_configs(args)


def test_a_setting_the_backend_does_not_read_is_said(capsys):
    """faster-whisper has no torch.compile: a sweep over it measured one thing twice."""
    build_configs(parser().parse_args(["--backend", "ctranslate2", "--sweep", "torch_compile=on,off"]))
    assert capsys.readouterr().err.splitlines() == ["asr-tui: warning: ctranslate2 does not read torch_compile: no effect there"]
    build_configs(parser().parse_args(["--preset", "study-decomposed-cpu"]))  # a preset's own settings all act
    assert capsys.readouterr().err == ""


def test_a_swept_label_is_the_name():
    def names(*argv):
        return [c.display_name for c in build_configs(parser().parse_args(list(argv)))[0]]

    assert names("--sweep", "label=x,y") == ["x", "y"]  # not "x label=x"
    assert names("--sweep", "label=x,y", "--sweep", "beam_size=1,2") == ["x beam_size=1", "x beam_size=2",
                                                                          "y beam_size=1", "y beam_size=2"]
