"""The headless results table stays readable in an 80-column terminal."""

from __future__ import annotations

from rich.console import Console

from asr_tui.cli.run import results_table
from tests.unit.made_results import made_result

RESULTS = [
    made_result(config_name="pytorch tiny.en cpu float32", warm_runs_s=[1.0, 1.1, 1.05]),
    made_result(config_name="jax tiny.en cpu bfloat16 batched b16", backend="jax", dtype="bfloat16", warm_runs_s=[0.25, 0.26, 0.25]),
]


def rendered(width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the console
    console.print(results_table(RESULTS, width))
    return console.export_text()


def test_an_80_column_terminal_gets_whole_figures():
    text = rendered(80)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for column in ("RTFx", "WER", "warm s", "CV %"):
        assert column in text
    assert "--json has every column" in text


def test_a_wide_terminal_gets_every_column():
    text = rendered(200)
    assert "raw WER" in text and "min-max s" in text and "load s" in text and "every column" not in text
