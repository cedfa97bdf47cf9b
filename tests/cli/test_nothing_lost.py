"""Nothing lost: every bad input is one clear line, and every finished measurement
survives kills, hang-ups, unreadable references and unwritable files.

Real `asr-tui` processes on real weights, real signals, the TUI in a real terminal
(tmux) and under Pilot. Each process gets its own data dir, so its history is its own.
"""

from __future__ import annotations

import codecs
import json
import os
import pty
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from asr_tui.core import atomic, export, history, presets, references, stability, terminal
from asr_tui.core.transcript import Segment
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.presets import Preset
from asr_tui.core.results import RunResult
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from asr_tui.tui.screens.dialogs import ConfirmDialog
from asr_tui.tui.screens.presets import SavePresetDialog
from tests.speech import TEXTS, espeak
from tests.tmux_session import TmuxSession, wait_gone
from tests.tui_helpers import preset_picker_with, wait_until

ENTRY = Path(sys.executable).with_name("asr-tui")
SIZE = (100, 32)
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
# Two labelled configurations of the bundled tiny.en: two results per file, the first
# of which finishes well before the second.
TWO_CONFIGS = '[[configs]]\nlabel = "one"\nwarmup = 0\nrepeat = 1\n\n[[configs]]\nlabel = "two"\nwarmup = 0\nrepeat = 1\n'


@pytest.fixture(scope="module")
def short_clips(tmp_path_factory) -> list[tuple[Path, str]]:
    """Three short real-speech clips (a few seconds each) with their texts."""
    folder = tmp_path_factory.mktemp("short")
    texts = [TEXTS[0], TEXTS[4], TEXTS[0]]
    return [(espeak(text, folder / f"short{i}.wav"), text) for i, text in enumerate(texts)]


def env_with(data: Path) -> dict[str, str]:
    return os.environ | {"XDG_DATA_HOME": str(data)}


def asr_tui(*args: str, cwd: Path, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ENTRY), *args], capture_output=True, text=True, cwd=cwd, env=env_with(data), timeout=600)


def start(*args: str, cwd: Path, data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ENTRY), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=cwd, env=env_with(data), umask=0o022,
    )


def history_records(data: Path) -> list[dict]:
    path = data / "asr-tui" / "history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def same_runs(runs: list[dict]) -> list[tuple]:
    return [(r["finished_at"], r["audio"], r["config_name"], r["first_run_s"]) for r in runs]


def wait_for_runs(path: Path, count: int, proc: subprocess.Popen, timeout: float = 600) -> dict:
    """The --json document once it holds `count` runs; it is never seen half-written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len((doc := json.loads(path.read_text()))["runs"]) >= count:
            return doc
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError(f"{path} never held {count} runs")


# --- bad input: one line, exit 2, nothing written -------------------------------------


def make_bad_inputs(folder: Path) -> None:
    import av

    (folder / "empty.wav").write_bytes(b"")
    (folder / "corrupt.ogg").write_bytes(b"OggS" + bytes(range(256)) * 8)
    (folder / "notes.wav").write_text("meeting notes, not audio\n")
    with av.open(str(folder / "video.mp4"), "w") as container:  # a video track and no audio
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(10):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    (folder / "syntax.toml").write_text("[[configs]\nbackend = 'pytorch'\n")
    (folder / "unknown-key.toml").write_text("[[configs]]\nbackend = 'pytorch'\nspeed = 'fast'\n")
    (folder / "wrong-type.toml").write_text("[[configs]]\nbeam_size = 'five'\n")
    (folder / "nope-backend.toml").write_text("[[configs]]\nbackend = 'nope'\n")
    (folder / "latin1.toml").write_bytes("# réglages\n[[configs]]\n".encode("latin-1"))
    (folder / "a-directory.json").mkdir()
    (folder / "a-file").write_text("")


# (case, arguments, what the one line must say); every `run` also names a --json file
# that already holds earlier results, which must come through untouched.
BAD_INPUTS = [
    ("missing file", ["run", "missing.wav"], "does not exist"),
    ("empty file", ["run", "empty.wav"], "empty.wav"),
    ("corrupt file", ["run", "corrupt.ogg"], "corrupt.ogg"),
    ("text named .wav", ["run", "notes.wav"], "notes.wav"),
    ("video without audio", ["run", "video.mp4"], "has no audio stream"),
    ("unknown model", ["run", "--model", "gigantic"], "unknown model"),
    ("unknown backend in a preset", ["run", "--preset", "nope-backend.toml"], "unknown backend 'nope'"),
    ("cuda without a GPU", ["run", "--device", "cuda"], "no GPU"),
    ("preset not TOML", ["run", "--preset", "syntax.toml"], "not valid TOML"),
    ("preset unknown key", ["run", "--preset", "unknown-key.toml"], "unknown key 'speed'"),
    ("preset wrong type", ["run", "--preset", "wrong-type.toml"], "beam_size"),
    ("preset not UTF-8", ["run", "--preset", "latin1.toml"], "not UTF-8"),
    ("missing reference", ["run", "--reference", "missing.txt"], "missing.txt"),
    ("TUI: missing preset", ["--preset", "no-such-preset"], "no preset named 'no-such-preset'"),
    ("TUI: unknown option", ["--bogus"], "unrecognized arguments: --bogus"),
    ("run: unknown option", ["run", "--bogus"], "asr-tui run --help lists the options"),
    ("record: unknown option", ["record", "--bogus"], "asr-tui record --help lists the options"),
    ("bench: unknown option", ["bench", "--bogus"], "asr-tui bench --help lists the options"),
]
BAD_JSON_TARGETS = [
    ("a directory", "a-directory.json", "Is a directory"),
    ("under a regular file", "a-file/out.json", "Not a directory"),
    ("under /proc", "/proc/asr-tui-nothing-here/out.json", "cannot write"),
    ("not .json", "results.csv", "must end in .json"),
]


@pytest.mark.parametrize("args, says", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_line_and_keeps_earlier_results(tmp_path, args, says):
    make_bad_inputs(tmp_path)
    kept = tmp_path / "results.json"
    kept.write_text('{"earlier": "results"}')
    if args[0] == "run":
        args = [*args, "--json", str(kept)]
    proc = asr_tui(*args, cwd=tmp_path, data=tmp_path / "data")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0] and says in lines[0], proc.stderr
    assert kept.read_text() == '{"earlier": "results"}'
    assert not history_records(tmp_path / "data")


@pytest.mark.parametrize("target, says", [c[1:] for c in BAD_JSON_TARGETS], ids=[c[0] for c in BAD_JSON_TARGETS])
def test_unwritable_json_target_fails_before_any_model_loads(tmp_path, target, says):
    """Root ignores permission bits, so these paths are unwritable for everyone."""
    make_bad_inputs(tmp_path)
    proc = asr_tui("run", "--json", target, cwd=tmp_path, data=tmp_path / "data")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    # one line and no "loading tiny.en…": the check came before the model
    assert len(lines) == 1 and lines[0].startswith("asr-tui: error: ") and says in lines[0], proc.stderr


def test_unknown_backend_flag_exits_2_without_traceback(tmp_path):
    proc = asr_tui("run", "--backend", "nope", cwd=tmp_path, data=tmp_path / "data")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "asr-tui: error: invalid configuration: unknown backend 'nope' (choose ctranslate2, jax, pytorch, whisper-jax)"
    ]


# --- headless results are durable ------------------------------------------------------


def test_sigkill_mid_run_keeps_finished_results(tmp_path, short_clips):
    out, data = tmp_path / "out.json", tmp_path / "data"
    proc = start("run", "--warmup", "0", "--json", str(out), *(str(c) for c, _ in short_clips), cwd=tmp_path, data=data)
    try:
        doc = wait_for_runs(out, 1, proc)
        assert doc["complete"] is False
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    doc = json.loads(out.read_text())  # whole, whatever the moment of the kill
    assert doc["schema"] == 1 and doc["complete"] is False and 1 <= len(doc["runs"]) < 3
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # a new file follows the umask
    kept = history_records(data)
    # the same records; a kill between the history append and the JSON write leaves one more
    assert same_runs(doc["runs"]) == same_runs(kept)[: len(doc["runs"])] and len(kept) - len(doc["runs"]) <= 1


def test_sigterm_cancels_keeps_results_and_exits_non_zero(tmp_path, short_clips):
    out, data, report = tmp_path / "out.json", tmp_path / "data", tmp_path / "report.md"
    proc = start("run", "--warmup", "0", "--json", str(out), "--markdown", str(report), *(str(c) for c, _ in short_clips),
                 cwd=tmp_path, data=data)
    wait_for_runs(out, 1, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "asr-tui: cancelled"
    doc = json.loads(out.read_text())
    assert doc["complete"] is False and doc["runs"]
    assert report.read_text().startswith(f"**{export.INCOMPLETE}**")  # the report says so too, first
    assert same_runs(doc["runs"]) == same_runs(history_records(data))


def wait_for_stderr(proc: subprocess.Popen, says: str) -> None:
    """Read the process's stderr until a line holds `says`."""
    for line in proc.stderr:
        if says in line:
            return
    raise AssertionError(f"the process ended before saying {says!r}: {proc.wait()}")


def test_ctrl_c_before_the_first_result_still_writes_the_json(tmp_path, short_clips):
    """A script that gave --json finds the document, not nothing, when the run was
    stopped while the model loaded: no runs, and not complete."""
    out, data = tmp_path / "out.json", tmp_path / "data"
    proc = start("run", "--json", str(out), str(short_clips[0][0]), cwd=tmp_path, data=data)
    try:
        wait_for_stderr(proc, "loading tiny.en")  # a first result is four passes away
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGINT and "Traceback" not in stderr
    doc = json.loads(out.read_text())
    assert doc["complete"] is False and doc["runs"] == [] and doc["skipped"] == []


def test_a_run_that_fails_is_in_the_json_beside_the_results(tmp_path, short_clips):
    """A file removed after the run began fails when its turn comes: the run goes on,
    exits 2, and the document keeps the other file's result and names the failure."""
    first, second = (str(shutil.copy(clip, tmp_path / clip.name)) for clip, _ in short_clips[:2])
    out, data = tmp_path / "out.json", tmp_path / "data"
    proc = start("run", "--warmup", "0", "--repeat", "1", "--json", str(out), first, second, cwd=tmp_path, data=data)
    try:
        wait_for_stderr(proc, "loading tiny.en")  # both files were checked before the model loads
        os.remove(second)
        _, stderr = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 2 and "Traceback" not in stderr
    doc = json.loads(out.read_text())
    assert doc["complete"] is True and [run["audio"] for run in doc["runs"]] == [first]
    [failed] = doc["skipped"]
    assert failed["run"].endswith(f" · {second}") and failed["reason"] and failed["reason"] in stderr


def test_full_run_references_json_mode_and_symlink(tmp_path, short_clips):
    """A UTF-16 reference is scored; a Latin-1 one costs only its WER, with one warning;
    the --json symlink and the file's mode survive; history holds the same records."""
    (first, first_text), (second, second_text), _ = short_clips
    for clip in (first, second):
        shutil.copy(clip, tmp_path / clip.name)
    (tmp_path / first.with_suffix(".txt").name).write_bytes(first_text.encode("utf-16"))
    latin1 = tmp_path / second.with_suffix(".txt").name
    latin1.write_bytes(("Café: " + second_text).encode("latin-1"))
    real = tmp_path / "kept" / "results.json"
    real.parent.mkdir()
    real.write_text("{}")
    real.chmod(0o640)
    link = tmp_path / "results.json"
    link.symlink_to(real)
    data = tmp_path / "data"
    proc = asr_tui("run", "--warmup", "0", "--json", str(link), first.name, second.name, cwd=tmp_path, data=data)
    assert proc.returncode == 0, proc.stderr
    # the timings' own warnings (a busy machine, an outlier pass) depend on the box: not counted here
    timing = tuple(f": {mark} " for mark in (stability.BUSY_MARK, stability.UNSTABLE_MARK, stability.OUTLIER_MARK))
    warnings = [line for line in proc.stderr.splitlines()
                if line.startswith("asr-tui: warning:") and not line.startswith("asr-tui: warning: machine busy")
                and not any(mark in line for mark in timing)]
    assert len(warnings) == 1 and latin1.name in warnings[0] and "not UTF-8" in warnings[0]
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o640
    doc = json.loads(real.read_text())
    assert doc["complete"] is True and len(doc["runs"]) == 2
    scored, unscored = doc["runs"]
    assert scored["wer"] < 0.2 and scored["wer_error"] is None
    # named on the command line relative to the working folder, recorded absolute: history is read from anywhere
    assert scored["audio"] == str(tmp_path / first.name) and scored["reference"] == str(tmp_path / first.with_suffix(".txt").name)
    assert unscored["wer"] is None and "not UTF-8" in unscored["wer_error"] and unscored["reference"].endswith(latin1.name)
    assert unscored["rtfx"] > 0 and unscored["segments"]  # the measurement itself is kept
    assert history_records(data) == doc["runs"]


@needs_tmux
def renamed_hung_up(pid: int, timeout: float = 30) -> bool:
    """Whether the process, going on without its terminal, takes the name that the
    next session's busy-machine warning and ps show (read before it ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == terminal.HUNG_UP_NAME:
                return True
        except OSError:
            return False  # it ended first
        time.sleep(0.05)
    return False


def test_headless_run_outlives_its_terminal(tmp_path, short_clips):
    """`asr-tui run` in a terminal that closes mid-benchmark finishes every file."""
    clips = [str(c) for c, _ in short_clips]
    out, data = tmp_path / "out.json", tmp_path / "data"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(data)}
    session = TmuxSession("asr-tui-run", f"{ENTRY} run --warmup 0 --json {out} {' '.join(clips)}", tmp_path, env)
    try:
        deadline = time.monotonic() + 300
        while not (out.exists() and json.loads(out.read_text())["runs"]):
            assert time.monotonic() < deadline, session.screen()
            time.sleep(0.2)
        pid = session.program_pid()
        session.kill_session()
        assert renamed_hung_up(pid)
        wait_gone(pid, 600)
    finally:
        session.close()
    doc = json.loads(out.read_text())
    assert doc["complete"] is True and [r["audio"] for r in doc["runs"]] == clips
    assert history_records(data) == doc["runs"]


# --- the pieces, directly --------------------------------------------------------------


def a_result(label: str = "CTranslate2 int8", audio: str = "/clips/talk.flac") -> RunResult:
    """A result record as a finished run leaves it."""
    return RunResult(
        backend="ctranslate2", model="tiny.en", weights_sha256="0" * 64, device="cpu", dtype="int8",
        beam_size=1, batch_size=1, audio=audio, audio_seconds=11.0, load_s=0.4, first_run_s=1.5,
        warm_runs_s=[1.2], text=" Hello there.", segments=[Segment(0.0, 1.5, " Hello there.")],
        config_name=label, finished_at="2026-01-02T03:04:05+00:00",
    )


def test_references_by_byte_order_mark(tmp_path):
    text = "Naïve café, déjà vu."
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"):
        data = text.encode(encoding)
        if encoding in ("utf-16-le", "utf-16-be"):
            data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(data)
        assert references.read(path) == (text, None), encoding
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(text.encode("latin-1"))
    body, reason = references.read(latin1)
    assert body is None and "latin1.txt" in reason and "not UTF-8" in reason
    assert "not UTF-8" in references.not_text(latin1) and references.not_text(tmp_path / "utf-16.txt") is None
    (tmp_path / "empty.txt").write_text(" \n")
    assert references.read(tmp_path / "empty.txt") == (None, f"no WER for this run: reference {tmp_path / 'empty.txt'} is empty")
    assert references.not_text(tmp_path / "empty.txt") == f"reference {tmp_path / 'empty.txt'} is empty"
    assert references.unlikely_match(0.98, "a.txt") is None and references.unlikely_match(None, None) is None
    assert references.unlikely_match(13.0, "a.txt") == "WER 13.00, more errors than reference words: is a.txt this audio's transcript?"
    body, reason = references.read(tmp_path / "gone.txt")
    assert body is None and "cannot be read" in reason
    assert references.read(None) == (None, None)


def test_history_append_after_a_torn_line(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    first, second = a_result(audio="/clips/one.flac"), a_result(audio="/clips/two.flac")
    history.append(first)
    path = history.history_file()
    with open(path, "a") as fp:  # a process killed mid-write
        fp.write(json.dumps(second.to_dict())[:40])
    history.append(second)
    assert path.read_bytes().endswith(b"\n")
    with open(path, "a") as fp:
        fp.write("[1, 2]\n\n")  # valid JSON, not a record; and an empty line
    results, skipped = history.read()
    assert [r.audio for r in results] == ["/clips/one.flac", "/clips/two.flac"] and skipped == 2
    assert results[1].to_dict() == second.to_dict()


def test_user_files_keep_mode_follow_umask_and_symlinks(tmp_path):
    old = os.umask(0o027)
    try:
        fresh = export.write_table([a_result()], tmp_path / "fresh.json")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    shared = tmp_path / "shared.csv"
    shared.write_text("old\n")
    shared.chmod(0o664)
    export.write_table([a_result()], shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_text().startswith("config,")
    target = tmp_path / "elsewhere" / "talk.srt"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "talk.srt"
    link.symlink_to(target)
    export.write_transcript(a_result(), link)
    assert link.is_symlink() and "Hello there." in target.read_text()
    assert not [p for p in tmp_path.rglob("*.tmp")]
    with pytest.raises(AsrTuiError, match="Is a directory"):
        export.check_writable(tmp_path / "elsewhere")
    with pytest.raises(AsrTuiError, match="Not a directory"):
        export.check_writable(shared / "out.json")


def test_exports_keep_a_file_name_that_is_not_utf8(tmp_path):
    """Python holds such a name's bytes as surrogates, which strict UTF-8 refused: the
    CSV and markdown exports ended in a traceback. They carry the name's own bytes."""
    name = os.fsdecode(b"/clips/caf\xe9.wav")
    for fmt in ("json", "csv", "md"):
        export.write_table([a_result(audio=name)], tmp_path / f"out.{fmt}", fmt)
    assert b"caf\xe9.wav" in (tmp_path / "out.csv").read_bytes()
    assert b"caf\xe9.wav" in (tmp_path / "out.md").read_bytes()
    assert json.loads((tmp_path / "out.json").read_text())["runs"][0]["audio"] == name


def test_transcript_names_carry_the_configuration_label():
    fp32, int8 = a_result("CTranslate2 fp32"), a_result("CTranslate2 int8")
    assert export.default_transcript_name(fp32) == "talk.ctranslate2-fp32.srt"
    assert export.default_transcript_name(int8, "vtt") == "talk.ctranslate2-int8.vtt"


def test_atomic_check_writable_leaves_nothing_behind(tmp_path):
    """Not even the folders the write would make: a run refused after this check (a
    missing audio file) left an empty folder where its results would have gone."""
    atomic.check_writable(tmp_path / "new" / "deeper" / "out.json")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(NotADirectoryError):
        atomic.check_writable(tmp_path / "a-file" / "new" / "out.json")


# --- the TUI never crashes on file-system errors ----------------------------------------


def toasts(app) -> str:
    """The text of the notifications on screen (run_test shows them with notifications=True)."""
    return "\n".join(str(t.render()) for t in app.screen.query("Toast"))


async def test_unreadable_user_preset_is_listed_and_the_rest_load(audio_dir):
    latin1 = "# réglages\n[[configs]]\nbackend = 'pytorch'\n".encode("latin-1")
    errors, listed = await preset_picker_with("latin1.toml", latin1, SIZE)
    assert "unreadable" in errors and "latin1.toml" in errors and "not UTF-8" in errors
    assert listed >= len(list(presets.bundled_dir().glob("*.toml")))


async def test_failed_preset_save_is_a_toast_and_the_edits_stay(audio_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))  # the config dir lies under a regular file
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        await pilot.pause()
        app.query_one("#field-beam_size").value = "3"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SavePresetDialog)
        app.screen.query_one("#preset-name-input").value = "kept edits"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.is_running and "could not save preset" in toasts(app)
        assert app.configs[0].beam_size == 3


async def test_export_asks_before_overwriting_and_keeps_the_mode(audio_dir, tmp_path):
    app = AsrTuiApp(Preset("one", presets.find("quick").configs[:1]), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        app.results.append(a_result("CTranslate2 int8"))
        await pilot.press("4")
        app.query_one("#results-pane").refresh_results()
        await pilot.pause()
        out = tmp_path / "results.json"
        out.write_text("earlier")
        out.chmod(0o604)

        async def export_to(answer: str) -> None:
            await pilot.press("e")
            app.screen.query_one("#dialog-input").value = str(out)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press(answer)
            await pilot.pause()

        await export_to("n")
        assert out.read_text() == "earlier"
        await export_to("y")
        assert json.loads(out.read_text())["runs"][0]["config_name"] == "CTranslate2 int8"
        assert stat.S_IMODE(out.stat().st_mode) == 0o604
        await pilot.press("t")
        assert app.screen.query_one("#dialog-input").value == "talk.ctranslate2-int8.srt"
        await pilot.press("escape")
        # a folder in the way, or a format not written: said at once, not asked about
        (tmp_path / "folder.json").mkdir()
        for target, said in ((tmp_path, "cannot export to"), (tmp_path / "folder.json", "Is a directory")):
            await pilot.press("e")
            app.screen.query_one("#dialog-input").value = str(target)
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmDialog)
            assert any(said in n.message for n in app._notifications)


async def test_history_is_shown_and_bad_lines_counted(audio_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    history.append(a_result(audio="/clips/one.flac"))
    with open(history.history_file(), "a") as fp:
        fp.write('{"backend": "torn')
    history.append(a_result(audio="/clips/two.flac"))
    # whole records with a value of the wrong type (edited by hand): each stopped the app
    # where a table or sort first read it
    whole = a_result(audio="/clips/three.flac").to_dict()
    with open(history.history_file(), "a") as fp:
        for wrong in ({"finished_at": None}, {"env": None}, {"audio_seconds": "24"}, {"warm_runs_s": None},
                      {"passes": [1, 2]}, {"contention": "x"}, {"segments": [{"start": "a", "end": 1, "text": ""}]}):
            fp.write(json.dumps(whole | wrong) + "\n")
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        pane = app.query_one("#history-pane")
        await wait_until(pilot, lambda: app.query_one("#history-table").row_count == 2, timeout=30)
        assert sorted(r.audio for r in pane.entries) == ["/clips/one.flac", "/clips/two.flac"]
        assert "8 unreadable lines skipped" in str(app.query_one("#history-status").render())
        # a folder where the file should be: said on the tab, and the app goes on
        history.history_file().unlink()
        history.history_file().mkdir()
        await pilot.press("R")
        await wait_until(pilot, lambda: "cannot read the history" in str(app.query_one("#history-status").render()))
        assert "Is a directory" in str(app.query_one("#history-status").render()) and app.is_running
        app.query_one("#history-filter").value = "jax"  # the reason stays while the rows are filtered
        await pilot.pause()
        assert "cannot read the history" in str(app.query_one("#history-status").render())


# --- signals on the real TUI in a real terminal ------------------------------------------


def start_tui_run(tmp_path: Path, clip: Path) -> tuple[TmuxSession, int]:
    """The TUI on one clip with two configurations, the first run in progress."""
    shutil.copy(clip, tmp_path / clip.name)
    (tmp_path / "two.toml").write_text(TWO_CONFIGS)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    session = TmuxSession("asr-tui-lost", f"{ENTRY} --preset two.toml {clip.name}", tmp_path, env)
    try:
        session.wait_for(clip.name, 60)
        session.keys("r")
        session.wait_for("pass 1/1", 300)  # the first configuration's pass has started
        return session, session.program_pid()
    except BaseException:
        session.close()
        raise


@needs_tmux
@pytest.mark.parametrize("how", ["terminal closed", "kill -HUP"])
async def test_hangup_finishes_the_queue_and_the_next_session_shows_it(tmp_path, short_clips, monkeypatch, how):
    session, pid = start_tui_run(tmp_path, short_clips[1][0])
    try:
        if how == "terminal closed":
            session.kill_session()  # as when an SSH connection drops
        else:
            os.kill(pid, signal.SIGHUP)
        assert renamed_hung_up(pid)
        wait_gone(pid, 600)
        if how == "kill -HUP":  # the terminal stayed: it is left as it was found
            shown = session.wait_for("exited with", 10)
            assert "exited with 0" in shown and "asr-tui: hung up" in shown and "Traceback" not in shown
            assert not session.alternate_screen()
    finally:
        session.close()
    records = history_records(tmp_path / "data")
    assert [r["config_name"] for r in records] == ["one", "two"]
    # the next session shows them
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        pane = app.query_one("#history-pane")
        await wait_until(pilot, lambda: len(pane.entries) == 2, timeout=30)
        assert sorted(r.config_name for r in pane.entries) == ["one", "two"]


@needs_tmux
def test_sigterm_to_the_tui_keeps_finished_results_and_exits_non_zero(tmp_path, short_clips):
    session, pid = start_tui_run(tmp_path, short_clips[1][0])
    try:
        deadline = time.monotonic() + 300
        while not history_records(tmp_path / "data"):  # the first configuration's result is in
            assert time.monotonic() < deadline, session.screen()
            time.sleep(0.3)
        os.kill(pid, signal.SIGTERM)
        wait_gone(pid, 300)
        shown = session.wait_for("exited with", 10)
        assert f"exited with {128 + signal.SIGTERM}" in shown and "Traceback" not in shown
        assert not session.alternate_screen()
    finally:
        session.close()
    assert [r["config_name"] for r in history_records(tmp_path / "data")][:1] == ["one"]


@needs_tmux
def test_a_crash_exits_non_zero_and_leaves_the_terminal_usable(tmp_path):
    """A bug (here one planted in the app's start-up) ends the process with a failure
    status, out of the alternate screen, with echo and line editing back on."""
    (tmp_path / "crash.py").write_text(
        "import sys\n"
        "from asr_tui.tui.app import AsrTuiApp, launch\n"
        "def broken(self):\n"
        "    raise RuntimeError('a planted bug')\n"
        "AsrTuiApp.on_mount = broken\n"
        "sys.exit(launch())\n"
    )
    modes = "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' '"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    session = TmuxSession("asr-tui-crash", f"{sys.executable} crash.py; s=$?; echo modes: $({modes}); (exit $s)", tmp_path, env)
    try:
        shown = session.wait_for("exited with", 120)
        assert "exited with 1" in shown and "a planted bug" in shown
        modes_line = next(line for line in shown.splitlines() if line.startswith("modes:"))
        assert set(modes_line.split()[1:]) == {"echo", "icanon"}  # not -echo, not -icanon
        assert not session.alternate_screen()
    finally:
        session.close()


# --- Ctrl-C at start-up ----------------------------------------------------------------

# The console script's own lines, plus a marker printed as the entry module imports its
# first dependency: from there on, Ctrl-C is the program's to handle. (Before that,
# CPython is still starting up: no code of a package runs that early.)
LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l"
TERMINAL_CONTROL = re.compile(r"\x1b(\[[0-9;?<>=$]*[a-zA-Z~]|\][^\x07]*\x07)")
BOOT = """
import sys
class Ready:
    def find_spec(self, name, path=None, target=None):
        if name == "asr_tui.core.errors":
            sys.stdout.write("ready\\n")
            sys.stdout.flush()
sys.meta_path.insert(0, Ready())
from asr_tui.cli.main import main
sys.exit(main())
"""


def boot(args: list[str], cwd: Path, terminal: bool) -> tuple[subprocess.Popen, Callable[[], str]]:
    """BOOT started, stdout piped for "ready". With `terminal`, a pseudo-terminal is on
    stdin and stderr, where Textual reads keys and draws (the TUI refuses to start
    without one), read all along so the screen never fills it; else stderr is piped.
    The function returned waits for the process to end and gives what stderr received."""
    if not terminal:
        proc = subprocess.Popen([sys.executable, "-c", BOOT, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=cwd, env=env_with(cwd / "data"))
        return proc, lambda: proc.communicate(timeout=120)[1]
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", BOOT, *args], stdin=follower, stdout=subprocess.PIPE,
                            stderr=follower, text=True, cwd=cwd, env=env_with(cwd / "data"))
    os.close(follower)
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # every writer has closed it
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()

    def stderr() -> str:
        proc.wait(timeout=120)
        reader.join(timeout=10)
        os.close(leader)
        return b"".join(received).decode("utf-8", "replace")

    return proc, stderr


@pytest.mark.parametrize("args", [["run", "--warmup", "0"], []], ids=["run", "tui"])
def test_ctrl_c_at_start_up_prints_no_traceback(tmp_path, args):
    for delay in (0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4, 0.8, 1.5):
        proc, read_stderr = boot(args, tmp_path, terminal=not args)
        try:
            assert proc.stdout.readline() == "ready\n"
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            stderr = read_stderr()
        finally:
            proc.kill()
        assert "Traceback" not in stderr, f"after {delay} s:\n{stderr}"
        # 130 from the program, or -SIGINT where Ctrl-C ended it before main() took over
        assert proc.returncode in (128 + signal.SIGINT, -signal.SIGINT), (delay, proc.returncode, stderr)
        # what stays on the terminal: the TUI's screen is gone once it leaves the alternate screen
        after_screen = stderr.rsplit(LEAVE_ALTERNATE_SCREEN, 1)[-1]
        said = [line.strip() for line in TERMINAL_CONTROL.sub("", after_screen).splitlines() if line.strip()]
        assert said[-1:] in ([], ["asr-tui: interrupted"], ["asr-tui: cancelled"]), (delay, stderr)
