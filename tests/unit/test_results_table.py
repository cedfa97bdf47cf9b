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


def test_an_interleaved_run_says_the_order_its_passes_ran_in():
    a = made_result(config_name="PyTorch", interleaved=True, pass_started_at=[1.0, 4.0, 5.0])
    b = made_result(config_name="JAX", backend="jax", interleaved=True, pass_started_at=[2.0, 3.0, 6.0])
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(results_table([a, b], 200))
    assert "passes interleaved (A = PyTorch, B = JAX): one.flac: A1 B1 B2 A2 A3 B3" in console.export_text()
    console.print(results_table(RESULTS, 200))
    assert console.export_text().count("passes interleaved") == 0  # export_text clears the record


def test_two_files_of_one_name_are_told_apart_by_their_folders():
    """Interleaved over copies of one clip in two folders, the order line ran both files'
    passes together under one name, and the speed lines read alike."""
    runs = [
        made_result(config_name=name, backend=backend, audio=f"/clips/{folder}/talk.flac", interleaved=True,
                    pass_started_at=[start, start + 3])
        for folder, offset in (("a", 0.0), ("b", 10.0))
        for name, backend, start in (("PyTorch", "pytorch", offset + 1.0), ("JAX", "jax", offset + 2.0))
    ]
    console = Console(width=300, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(results_table(runs, 300))
    text = console.export_text()
    assert "passes interleaved (A = PyTorch, B = JAX): a/talk.flac: A1 B1 A2 B2; b/talk.flac: A1 B1 A2 B2" in text
    assert "JAX on a/talk.flac" in text and "JAX on b/talk.flac" in text


def test_the_stage_table_names_each_row_s_file_when_there_are_several():
    passes = [{"kind": "warm", "stages": {"encoder": 0.5, "decoder": 0.5}}]
    one = made_result(passes=passes)
    two = made_result(audio="/clips/two.flac", passes=passes)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(results_table([one, two], 200))
    stage_rows = console.export_text().split("stages (median s")[1].splitlines()
    assert any("one.flac" in line for line in stage_rows) and any("two.flac" in line for line in stage_rows)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(results_table([one], 200))
    assert "one.flac" not in console.export_text().split("stages (median s")[1]  # one file: the config says it


def test_the_corpus_table_prints_figures_as_the_row_table_does():
    """0.0469 beside 0.0469, not 0.046875: one figure, one number of decimals."""
    one, two = made_result(reference_words=64, substitutions=3), made_result(audio="/clips/two.flac", reference_words=64, substitutions=0)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(results_table([one, two], 200))
    corpus_rows = console.export_text().split("corpus (WER")[1]
    assert " 0.0234 " in corpus_rows and "0.0234375" not in corpus_rows


def test_names_with_brackets_are_text_not_markup():
    """'[best]' would be read as a style and dropped, '[/x]' as a closing tag that fails."""
    odd = [made_result(config_name="cpu [/x]", audio="/clips/take[best].wav", warm_runs_s=[1.0, 1.1, 1.05]),
           made_result(config_name="cpu [b]bold[/b]", audio="/clips/take[best].wav", warm_runs_s=[1.0, 1.1, 1.05])]
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the console
    console.print(results_table(odd, 200))
    text = console.export_text()
    assert "cpu [/x]" in text and "cpu [b]bold[/b]" in text and "take[best].wav" in text
