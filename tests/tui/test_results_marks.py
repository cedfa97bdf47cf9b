"""The Results tab tells which timings and transcripts deserve less trust, and sums a corpus."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from asr_tui.core import presets
from asr_tui.core.sampling import SAMPLED_MARK
from asr_tui.core.stability import BUSY_MARK
from asr_tui.core.results import RunResult
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.widgets.tables import number
from tests.tui_helpers import plain_row
from tests.unit.made_results import made_result

REASON = "other processes used 1.8 cores while this run asked for 2 threads (top: python 4242)"


def result(audio: str, warm: list[float], busy: bool, errors: tuple[int, int, int, int]) -> RunResult:
    s, d, i, words = errors
    return RunResult(
        backend="pytorch", model="tiny.en", weights_sha256="0" * 64, device="cpu", dtype="float32", beam_size=1,
        batch_size=1, audio=audio, audio_seconds=20.0, load_s=0.5, first_run_s=2.0, warm_runs_s=warm, text="x",
        segments=[], config_name="PyTorch fp32", wer=(s + d + i) / words, substitutions=s, deletions=d,
        insertions=i, reference_words=words, peak_rss_mb=600.0,
        contention={"flagged": busy, "reason": REASON if busy else None},
    )


async def test_marks_reasons_and_corpus_row(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(120, 32)) as pilot:
        app.results.extend([
            result("a.wav", [1.0, 1.5, 1.2], busy=True, errors=(1, 0, 1, 10)),
            # two windows decoded by sampling: another seed is another draw of its words
            dataclasses.replace(result("b.wav", [1.0, 1.01, 0.99], busy=False, errors=(0, 2, 0, 30)),
                                sampled_windows=2),
        ])
        pane = app.query_one("#results-pane")
        pane.refresh_results()
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#results-table")
        assert table.row_count == 3
        assert plain_row(table, 0)[0] == "!~" and plain_row(table, 1)[0] == SAMPLED_MARK
        assert "peak RSS MB" in [str(c.label) for c in table.columns.values()]
        corpus = plain_row(table, 2)
        labels = [str(c.label) for c in table.columns.values()]
        wer, file = labels.index("WER"), labels.index("file")
        assert corpus[0] == "Σ" and corpus[file] == "2 files: #1-2"
        assert corpus[labels.index("audio s")] == "40.0" and corpus[wer] == "0.100"  # 4 errors / 40 words
        table.move_cursor(row=0)
        await pilot.pause()
        detail = str(app.query_one("#results-detail").render())
        assert REASON in detail and "unstable" in detail and "1.00-1.50 s" in detail
        table.move_cursor(row=1)
        await pilot.pause()
        detail = str(app.query_one("#results-detail").render())
        assert "unstable" not in detail and "other processes" not in detail
        assert "decoded 2 windows by sampling, at a temperature above 0: another seed" in detail
        # a.wav measured again: the corpus counts its latest run, and says so
        app.results.append(result("a.wav", [1.0, 1.01, 0.99], busy=False, errors=(0, 0, 0, 10)))
        pane.refresh_results()
        corpus = plain_row(table, 3)
        assert corpus[file] == "2 files: #2-3" and corpus[wer] == "0.050"
        assert "sum different files" not in str(app.query_one("#results-status").render())
        # another configuration over one of the files and a third: its Σ sums other audio, and the status says so
        app.results.extend([dataclasses.replace(result(name, [0.5], busy=False, errors=(0, 0, 0, 10)), config_name="other")
                            for name in ("a.wav", "c.wav")])
        pane.refresh_results()
        await pilot.pause()
        assert "the Σ rows sum different files" in str(app.query_one("#results-status").render())


def study_row(backend: str, strategy: str, dtype: str, seconds: float, wer: float) -> RunResult:
    """One configuration of the decomposed study over the same 100 s file."""
    return made_result(
        backend=backend, dtype=dtype, batch_size=16 if strategy == "batched" else 1, config_name=f"{backend} {strategy} {dtype}",
        audio="/clips/long.flac", audio_seconds=100.0, warm_runs_s=[seconds], wer=wer, substitutions=round(1000 * wer),
        deletions=0, insertions=0, reference_words=1000, decoding={"strategy": strategy, "temperatures": [0.0], "beam_size": 1},
    )


async def test_the_speedup_is_decomposed_under_the_table(audio_dir):
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("#results-pane")
        app.results.append(study_row("pytorch", "sequential", "float32", 10.0, 0.150))
        pane.refresh_results()
        await pilot.press("4")
        await pilot.pause()
        assert not app.query_one("#decomposition-table").display  # one configuration: nothing to split
        app.results.extend([
            study_row("pytorch", "batched", "float32", 5.0, 0.148),
            study_row("jax", "batched", "float32", 4.0, 0.149),
            study_row("jax", "batched", "bfloat16", 2.0, 0.175),
        ])
        pane.refresh_results()
        await pilot.pause()
        table = app.query_one("#decomposition-table")
        assert table.display and table.row_count == 3
        rows = [plain_row(table, i) for i in range(3)]
        assert [r[0] for r in rows] == ["strategy", "framework", "dtype"]
        assert rows[2][1] == "jax batched b16: float32 → bfloat16"
        assert rows[2][2] == "2.00x" and rows[2][4] == "accuracy differs"  # 14.9 % → 17.5 %
        summary = str(app.query_one("#decomposition-summary").render())
        assert "pytorch sequential float32 → jax batched b16 bfloat16: 5.00x = strategy 2.00x × framework 1.25x × dtype 2.00x" in summary


async def test_an_outlier_is_marked_explained_and_parity_is_said_above_results_and_compare(audio_dir):
    from asr_tui.tui.screens.compare import CompareScreen

    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("#results-pane")
        pt = made_result(warm_runs_s=[1.0, 1.01, 0.99, 1.0, 2.0], raw_wer=0.4,
                         normaliser="whisper.normalizers.EnglishTextNormalizer (openai-whisper 20250625)")
        ct2 = made_result(backend="ctranslate2", config_name="CT2 int8", dtype="int8", warm_runs_s=[0.5, 0.51, 0.49])
        app.results.extend([pt, ct2])
        pane.refresh_results()
        await pilot.press("4")
        await pilot.pause()
        parity = app.query_one("#results-parity")
        assert app.query_one("#results-parity-box").display
        assert str(parity.render()) == "not like for like: dtype (PyTorch fp32: float32; CT2 int8: int8)"
        table = app.query_one("#results-table")
        assert plain_row(table, 0)[0] == "~^" and plain_row(table, 1)[0] == ""
        assert "0.400" in plain_row(table, 0)  # raw WER beside WER
        table.move_cursor(row=0)
        await pilot.pause()
        detail = str(app.query_one("#results-detail").render())
        assert "^ outlier measured pass 5 (2.00 s)" in detail
        assert "WER after whisper.normalizers.EnglishTextNormalizer (openai-whisper 20250625)" in detail
        app.push_screen(CompareScreen(pt, ct2))
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#compare-parity").render()).startswith("not like for like: dtype")
        ratios = screen.query_one("#ratios")
        warm = plain_row(ratios, 0)
        assert warm[0] == "warm s" and warm[3].startswith("B is 2.00 ± ") and warm[3].endswith("x faster than A")


async def test_compare_says_when_the_audio_differs_and_which_run_was_busy(audio_dir):
    """Two runs of different files: no verdict from their seconds, no diff of one
    transcript against the other; a busy run's reason is above the table."""
    from asr_tui.tui.screens.compare import CompareScreen

    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(120, 40)) as pilot:
        a = made_result(reference=None, wer=None, audio_seconds=45.0)
        b = made_result(audio="/clips/two.flac", audio_seconds=45.0, reference=None, wer=None, warm_runs_s=[2.0, 2.1, 2.2],
                        contention={"flagged": True, "reason": REASON})
        app.push_screen(CompareScreen(a, b))
        await pilot.pause()
        screen = app.screen
        trust = str(screen.query_one("#compare-trust").render())
        assert "A and B transcribed different audio (one.flac, 45.0 s; two.flac, 45.0 s)" in trust and f"B: ! {REASON}" in trust
        ratios = screen.query_one("#ratios")
        assert plain_row(ratios, 0)[3] == "different audio" and plain_row(ratios, 1)[3] == "different audio"
        assert plain_row(ratios, 2)[0] == "RTFx" and plain_row(ratios, 2)[3].startswith("B is ")
        # the busy run's timings carry its mark, the other's not that one
        assert plain_row(ratios, 2)[2] == f"{number(b.rtfx, '.1f')} {BUSY_MARK}" and BUSY_MARK not in plain_row(ratios, 2)[1]
        legend = screen.query_one("#diff-legend")
        for _ in range(50):
            await pilot.pause(0.05)
            if "Different audio" in str(legend.render()):
                break
        assert str(legend.render()).startswith("Different audio, so the transcripts are not set against each other")
        assert str(screen.query_one("#transcript-b").render()).strip() == b.text
    # a clip of the same file is other audio too: its seconds are no verdict against the whole file's,
    # nor its RTFx, which pays for a whole 30 s window
    from asr_tui.tui.screens.compare import same_audio, speeds_compare, trust_warnings

    clip = made_result(reference=None, wer=None, clip_seconds=5.0, audio_seconds=5.0)
    assert not same_audio(a, clip) and not speeds_compare(a, clip) and speeds_compare(a, b)
    assert trust_warnings(a, clip)[0:1] == ["A and B transcribed different audio (one.flac, 45.0 s; one.flac, 5.0 s): only WER and "
                                       "the marks compare (audio under 30 s is padded to a window, which RTFx counts)"]
    assert same_audio(a, made_result(backend="jax", config_name="JAX", audio_seconds=45.0))


async def test_compare_reads_a_utf16_reference_as_wer_did(audio_dir, tmp_path):
    """A reference saved as UTF-16 (with its byte-order mark) is scored, so the diff
    against it must read it the same way, not fail in the worker."""
    from asr_tui.tui.screens.compare import CompareScreen

    reference = tmp_path / "one.txt"
    reference.write_bytes("Four score and seven years ago.".encode("utf-16"))
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(120, 40)) as pilot:
        a = made_result(reference=str(reference))
        b = made_result(config_name="JAX fp32", backend="jax", reference=str(reference), text="Four score and eleven years ago.")
        app.push_screen(CompareScreen(a, b))
        await pilot.pause()
        legend = app.screen.query_one("#diff-legend")
        for _ in range(50):
            await pilot.pause(0.05)
            if "reference" in str(legend.render()):
                break
        assert str(legend.render()).startswith("red: differs from the reference")
        assert "seven" in str(app.screen.query_one("#transcript-b").render())  # struck where B missed it


async def test_a_long_parity_line_leaves_the_table_its_rows_at_80x24(audio_dir):
    """Backends that differ in many settings make a long "not like for like" line: it
    takes at most three lines and scrolls, and the rows stay on screen below it."""
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(80, 24)) as pilot:
        decoding = {f"setting_{n}": n for n in range(12)}
        app.results.extend([
            made_result(decoding=decoding),
            made_result(backend="jax", config_name="JAX bf16", decoding={k: v + 1 for k, v in decoding.items()}),
        ])
        app.query_one("#results-pane").refresh_results()
        await pilot.press("4")
        await pilot.pause()
        box, table = app.query_one("#results-parity-box"), app.query_one("#results-table")
        assert box.display and 0 < box.size.height <= 3 and box.max_scroll_y > 0
        # the header and both rows, on screen
        assert table.region.height >= 3 and app.screen.region.contains_region(table.region.crop_size((80, 3)))


async def test_a_long_row_note_scrolls_from_the_keyboard(audio_dir):
    """At 80x24 the note under the table holds five lines: a longer one scrolls with
    the arrow keys once tab has focused it, for a terminal over SSH without a mouse,
    and the next row's note opens at its first line. A note that fits is no tab stop."""
    busiest = ", ".join(f"worker-{n} {4000 + n}" for n in range(24))
    reason = f"other processes used 1.8 cores while this run asked for 2 threads (top: {busiest})"
    busy = dataclasses.replace(result("a.wav", [1.0, 1.5, 1.2], busy=True, errors=(1, 0, 1, 10)),
                               contention={"flagged": True, "reason": reason})
    app = AsrTuiApp(presets.find("quick"), [Path(SAMPLE.name)], root=Path("."))
    async with app.run_test(size=(80, 24)) as pilot:
        app.results.extend([busy, busy, result("b.wav", [1.0], busy=False, errors=(0, 0, 0, 10))])
        app.query_one("#results-pane").refresh_results()
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#results-table")
        note = app.query_one("#results-detail").parent
        assert note.max_scroll_y > 0, "the note fits: the test needs a longer one"
        for _ in range(20):
            if app.focused is note:
                break
            await pilot.press("tab")
        assert app.focused is note
        await pilot.press("down", "down")
        await pilot.pause()
        assert note.scroll_y == 2
        await pilot.press("up")
        await pilot.pause()
        assert note.scroll_y == 1
        table.move_cursor(row=1)
        await pilot.pause()
        assert note.scroll_y == 0
        table.move_cursor(row=2)
        await pilot.pause()
        assert note.max_scroll_y == 0 and not note.focusable


def test_compare_says_when_two_runs_ran_on_other_machines_or_in_other_sittings():
    """History sets any two runs side by side: a ratio of timings from two machines,
    or from one machine a quarter of an hour apart, measures the machine too."""
    from asr_tui.tui.screens.compare import trust_warnings

    steady = [1.0, 1.0, 1.0]  # nothing else to say about their timings
    a = made_result(warm_runs_s=steady, pass_started_at=[1000.0, 1002.0, 1004.0])
    same_sitting = made_result(backend="jax", config_name="JAX", warm_runs_s=steady, pass_started_at=[1006.0, 1008.0])
    later = made_result(backend="jax", config_name="JAX", warm_runs_s=steady,
                        pass_started_at=[1004.0 + 15 * 60, 1006.0 + 15 * 60])
    elsewhere = made_result(backend="jax", config_name="JAX", warm_runs_s=steady, env={"hostname": "gpu-box", "threads": 2},
                            pass_started_at=[1006.0])
    assert trust_warnings(a, same_sitting) == []
    assert trust_warnings(a, later) == [
        "A and B ran 15 minutes apart: a machine's speed drifts between sittings, so their timings compare best "
        "from one run (--interleave alternates their passes)"]
    assert trust_warnings(elsewhere, a) == [
        "A and B ran on different machines (gpu-box, bench-1): their timings measure the machines too"]
