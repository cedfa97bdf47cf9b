"""Exports in every format, on results made by hand: transcript timestamps to the
millisecond, the user's text kept intact in CSV and Markdown cells, and the JSON
document read back into the same results."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from asr_tui.core import export, table_notes
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.results import SCHEMA, RunResult, Segment
from tests.unit.made_results import made_result

# 59.9996 s rounds up to a whole minute and 3599.9996 s to a whole hour: the carry
# must reach the minutes and hours fields, not print "60" seconds.
SEGMENTS = [
    Segment(0.0, 2.5, " Four score"),
    Segment(59.9996, 3599.9996, " and seven "),
    Segment(3723.5, 3725.042, "years ago."),
]


def test_srt_numbers_cues_from_one_with_comma_milliseconds():
    assert export.transcript(made_result(segments=SEGMENTS), "srt") == (
        "1\n00:00:00,000 --> 00:00:02,500\nFour score\n\n"
        "2\n00:01:00,000 --> 01:00:00,000\nand seven\n\n"
        "3\n01:02:03,500 --> 01:02:05,042\nyears ago.\n"
    )


def test_vtt_has_its_header_and_dot_milliseconds():
    assert export.transcript(made_result(segments=SEGMENTS), "vtt") == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.500\nFour score\n\n"
        "00:01:00.000 --> 01:00:00.000\nand seven\n\n"
        "01:02:03.500 --> 01:02:05.042\nyears ago.\n"
    )
    assert export.transcript(made_result(segments=[]), "vtt") == "WEBVTT\n\n"


def test_txt_is_the_text_on_one_line():
    assert export.transcript(made_result(text="  Four score.  "), "txt") == "Four score.\n"


def test_unknown_transcript_format():
    with pytest.raises(AsrTuiError, match="unknown transcript format 'doc' \\(choose txt, srt, vtt\\)"):
        export.transcript(made_result(), "doc")


def test_csv_keeps_commas_and_quotes_in_a_label_and_leaves_unknowns_empty():
    labelled = made_result(config_name='beam 5, "wide"', warm_runs_s=[], wer=None, peak_rss_mb=None)
    header, first, second = list(csv.reader(io.StringIO(export.to_csv([labelled, made_result()]))))
    assert header == [name for name, _ in export.COLUMNS]
    first, second = dict(zip(header, first)), dict(zip(header, second))
    assert first["config"] == 'beam 5, "wide"' and first["audio"] == "one.flac"
    assert first["warm_median_s"] == first["wer"] == first["peak_rss_mb"] == first["cv"] == ""
    assert first["rtfx"] == "5.0"  # no warm pass: counted at the first pass, 12.5 s / 2.5 s
    assert second["warm_median_s"] == "1.25" and second["rtfx"] == "10.0" and second["wer"] == "0.25"


def test_a_reused_model_s_load_time_is_counted_on_one_row():
    loaded, reused = made_result(), made_result(audio="/clips/two.flac", model_reused=True)
    header, *table = list(csv.reader(io.StringIO(export.to_csv([loaded, reused]))))
    assert [dict(zip(header, row))["load_s"] for row in table] == ["0.75", ""]


def test_csv_says_where_and_when_each_row_ran():
    """History's export mixes runs of many days and machines: each row names both."""
    header, row = list(csv.reader(io.StringIO(export.to_csv([made_result()]))))
    row = dict(zip(header, row))
    assert row["finished_at"] == "2026-01-02T03:04:05+00:00" and row["host"] == "bench-1"


def cells(line: str) -> list[str]:
    """A Markdown table row's cells, split at the pipes that are not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


STEADY = [1.25, 1.25, 1.25]  # warm passes that earn no warning line under the table


def test_markdown_escapes_a_pipe_in_a_label():
    header, rule, row = export.to_markdown([made_result(config_name="cpu | int8", warm_runs_s=STEADY)]).splitlines()
    assert len(cells(row)) == len(cells(header)) == len(export.COLUMNS) and rule.count("---") == len(export.COLUMNS)
    assert cells(row)[0] == r"cpu \| int8"


def test_markdown_adds_corpus_figures_only_for_several_files():
    one = export.to_markdown([made_result(warm_runs_s=STEADY)])
    assert len(one.splitlines()) == 3
    two = export.to_markdown([made_result(warm_runs_s=STEADY),
                              made_result(audio="/clips/two.flac", substitutions=0, wer=0.0, warm_runs_s=STEADY)])
    per_file, corpus = two.split("\n\n")
    assert len(per_file.splitlines()) == 4
    header, _, row = corpus.splitlines()
    corpus_row = dict(zip(cells(header), cells(row)))
    assert corpus_row["config_name"] == "PyTorch fp32" and corpus_row["files"] == "2"
    assert corpus_row["wer"] == "0.125"  # one error over eight reference words


def test_markdown_says_what_is_not_like_for_like_above_the_table_and_each_warning_below():
    ct2 = made_result(backend="ctranslate2", config_name="ct2 int8", dtype="int8", warm_runs_s=[1.0, 1.01, 1.02, 1.01, 3.0])
    text = export.to_markdown([made_result(), ct2])
    lines = text.splitlines()
    assert lines[0] == "**not like for like: dtype (PyTorch fp32: float32; ct2 int8: int8)**"
    assert "- row 1: ~ unstable: warm passes vary by CV 20% (10% or more)" in lines
    header = cells(lines[2])
    assert [dict(zip(header, cells(line)))["marks"] for line in lines[4:6]] == ["~", "~^"]
    assert any(line.startswith("- row 2: ^ outlier measured pass 5 (3.00 s)") for line in lines)


def test_json_document_reads_back_into_the_same_results():
    results = [
        made_result(),
        made_result(audio="/clips/two.flac", wer=None, substitutions=None, deletions=None, insertions=None,
                    reference_words=None, reference=None, compile_s=3.5, segments=[], contention=None),
    ]
    doc = json.loads(export.to_json(results))
    assert doc["schema"] == SCHEMA and doc["env"] == results[0].env
    assert [RunResult.from_dict(run) for run in doc["runs"]] == results
    run = doc["runs"][0]  # the derived figures are written for readers of the file
    assert (run["warm_median_s"], run["rtfx"], run["unstable"]) == (1.25, 10.0, True)
    assert doc["corpus"][0]["files"] == 2 and doc["corpus"][0]["files_without_reference"] == 1


def test_a_record_from_a_newer_version_still_reads():
    data = made_result().to_dict() | {"a_field_from_later": 1}
    assert RunResult.from_dict(data) == made_result()


def test_table_format_by_suffix_and_nothing_left_beside_it(tmp_path):
    for name in ("out.JSON", "out.csv", "out.md"):
        written = export.write_table([made_result()], tmp_path / name)
        assert written.read_text(encoding="utf-8").strip()
    assert json.loads((tmp_path / "out.JSON").read_text())["runs"][0]["config_name"] == "PyTorch fp32"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.JSON", "out.csv", "out.md"]
    with pytest.raises(AsrTuiError, match="cannot export to 'out.xlsx': use .json, .csv or .md"):
        export.write_table([made_result()], tmp_path / "out.xlsx")


def test_write_failures_are_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(AsrTuiError, match=f"^cannot write {blocker / 'out.csv'}: ") as info:
        export.write_table([made_result()], blocker / "out.csv")
    assert "\n" not in str(info.value)
    with pytest.raises(AsrTuiError, match="unknown transcript format 'doc'"):
        export.write_transcript(made_result(), tmp_path / "talk.doc")
    assert export.write_transcript(made_result(segments=SEGMENTS), tmp_path / "talk.srt").read_text().startswith("1\n")


def test_markdown_says_what_the_cli_says_under_its_table():
    """Speed against the first configuration and the WER's normaliser: a shared
    report keeps what the terminal showed."""
    normaliser = "whisper.normalizers.EnglishTextNormalizer (openai-whisper 20250625)"
    first = made_result(warm_runs_s=[2.0, 2.0, 2.0], normaliser=normaliser)
    second = made_result(config_name="JAX fp32", backend="jax", warm_runs_s=[1.0, 1.0, 1.0], normaliser=normaliser)
    lines = export.to_markdown([first, second]).splitlines()
    assert table_notes.SPEEDS_HEADING in lines
    assert "- JAX fp32 on one.flac: 2.00 ± 0.00x the speed of PyTorch fp32" in lines
    assert f"WER after {normaliser}; raw WER on the words as written" in lines
    # a side whose timing is in doubt (a busy machine) puts the ratio in doubt, said beside it
    busy = made_result(config_name="JAX fp32", backend="jax", warm_runs_s=[1.0, 1.0, 1.0],
                       contention={"flagged": True, "reason": "other processes used 0.74 cores"})
    assert table_notes.relative_speeds([first, busy]) == [
        "JAX fp32 on one.flac: 2.00 ± 0.00x the speed of PyTorch fp32 (timing marked !)"]


def test_a_configuration_measured_again_is_not_set_against_itself():
    """History's export holds one configuration's runs from several sessions: each is
    set against the first other configuration, never against its own earlier run."""
    a_new = made_result(warm_runs_s=[2.0, 2.0], finished_at="2026-01-03T00:00:00+00:00")
    a_old = made_result(warm_runs_s=[6.0, 6.0])
    b = made_result(config_name="JAX fp32", backend="jax", warm_runs_s=[1.0, 1.0])
    assert table_notes.relative_speeds([a_new, a_old, b]) == ["JAX fp32 on one.flac: 2.00 ± 0.00x the speed of PyTorch fp32"]


def test_each_run_is_set_against_its_own_process_first():
    """History holds two sittings: each JAX run is set against the PyTorch run of its own
    sitting, and one with none there says its base was measured apart."""
    def run(config: str, process: str, seconds: float, backend: str = "pytorch"):
        return made_result(config_name=config, backend=backend, warm_runs_s=[seconds, seconds],
                           env={"threads": 2, "process": process})

    newest = [run("PyTorch fp32", "p3", 3.0), run("JAX fp32", "p2", 1.0, "jax"), run("PyTorch fp32", "p2", 4.0),
              run("JAX fp32", "p1", 1.0, "jax"), run("PyTorch fp32", "p1", 2.0), run("JAX fp32", "p0", 1.0, "jax")]
    assert table_notes.relative_speeds(newest) == [
        "JAX fp32 on one.flac: 4.00 ± 0.00x the speed of PyTorch fp32",
        "JAX fp32 on one.flac: 2.00 ± 0.00x the speed of PyTorch fp32",
        "JAX fp32 on one.flac: 3.00 ± 0.00x the speed of PyTorch fp32, measured in another process",
    ]


def test_markdown_carries_the_stages_table():
    """Where the time went, as the terminal shows it: a report read later keeps it."""
    timed = made_result(passes=[{"kind": "warm", "stages": {"encoder": 0.5, "decoder": 0.75}}])
    text = export.to_markdown([timed])
    assert f"{table_notes.STAGES_TITLE} and energy" in text
    header, _, row = text.split(table_notes.STAGES_TITLE)[1].strip().splitlines()[2:5]
    assert dict(zip(cells(header), cells(row)))["encoder"] == "0.500"
    assert table_notes.STAGES_TITLE not in export.to_markdown([made_result()])  # no passes recorded: no table


def test_seconds_over_other_clips_of_a_file_are_not_a_speed_ratio():
    """A 20 s clip in 1 s is 4x the speed of a 5 s clip in 1 s, not 1.00x: clips of
    one file are different audio, and each is compared only with its own length."""
    five = made_result(config_name="5 s", clip_seconds=5.0, audio_seconds=5.0, warm_runs_s=[1.0, 1.0])
    twenty = made_result(config_name="20 s", clip_seconds=20.0, audio_seconds=20.0, warm_runs_s=[1.0, 1.0])
    twenty_jax = made_result(config_name="20 s jax", backend="jax", clip_seconds=20.0, audio_seconds=20.0, warm_runs_s=[0.5, 0.5])
    assert table_notes.relative_speeds([five, twenty, twenty_jax]) == ["20 s jax on one.flac: 2.00 ± 0.00x the speed of 20 s"]
