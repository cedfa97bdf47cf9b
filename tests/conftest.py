from __future__ import annotations

import os
from pathlib import Path

# Snapshots must not catch a tab underline mid-slide.
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

import pytest

from tests.devices import why_no_gpu
from tests.speech import TEXTS, espeak
from tests.virtual_mic import private_sound_server, virtual_mic  # noqa: F401 - fixtures for the microphone tests


UNIT_TIER = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(config, items):
    """Markers by tier, so no test has to remember them: everything outside tests/unit
    loads a model, starts the app or spawns asr-tui (slow); a test that records from the
    virtual microphone (or a sound server of its own) is mic; a gpu test skips, saying why, where no GPU is visible."""
    no_gpu = why_no_gpu()
    for item in items:
        if UNIT_TIER not in item.path.parents:
            item.add_marker(pytest.mark.slow)
        if {"virtual_mic", "private_sound_server"} & set(item.fixturenames):
            item.add_marker(pytest.mark.mic)
        if no_gpu and item.get_closest_marker("gpu"):
            item.add_marker(pytest.mark.skip(reason=no_gpu))


@pytest.fixture(scope="session", autouse=True)
def isolated_dirs(tmp_path_factory):
    """Point the user cache/config/data dirs at a temp tree for the whole session, so
    tests never touch a user's presets or history (the converted bundled weights are
    made once here and shared by every test)."""
    root = tmp_path_factory.mktemp("xdg")
    mp = pytest.MonkeyPatch()
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        mp.setenv(var, str(root / var.lower()))
    yield root
    mp.undo()


@pytest.fixture
def audio_dir(tmp_path, monkeypatch):
    """A working directory holding a copy of the bundled sample and its reference, so
    the TUI's file tree shows the same thing wherever the checkout lives."""
    import shutil

    from asr_tui.core.samples import SAMPLE

    directory = tmp_path / "audio"
    directory.mkdir()
    shutil.copy(SAMPLE, directory / SAMPLE.name)
    shutil.copy(SAMPLE.with_suffix(".txt"), directory / "gettysburg.txt")
    monkeypatch.chdir(directory)
    return directory


@pytest.fixture(scope="session")
def speech_clip(tmp_path_factory) -> tuple[Path, str]:
    """A second real-speech clip (not the bundled one) with its reference text."""
    text = " ".join(TEXTS[:2])
    path = espeak(text, tmp_path_factory.mktemp("clips") / "clip.wav")
    return path, text


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory) -> tuple[Path, str]:
    """About a minute and a half of speech: several 30 s windows."""
    text = " ".join(TEXTS * 2)
    path = espeak(text, tmp_path_factory.mktemp("clips") / "long.wav", speed=160)
    return path, text


@pytest.fixture(scope="session")
def long_form_clip(tmp_path_factory) -> tuple[Path, str]:
    """About three minutes of continuous speech (`benchmarks.clips.TEST_CLIP`) on which
    the batched strategy once judged a window of speech silent and lost 79 words."""
    from benchmarks.clips import TEST_CLIP, make

    return make(TEST_CLIP, tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def sentence_pause_clip(tmp_path_factory) -> tuple[Path, str]:
    """Three and a half minutes of sentences, each followed by 5 s of silence
    (`benchmarks.clips.PAUSES_TEST_CLIP`), on which batched once lost ten words."""
    from benchmarks.clips import PAUSES_TEST_CLIP, make

    return make(PAUSES_TEST_CLIP, tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def licence_clip(tmp_path_factory) -> tuple[Path, str]:
    """Four and a half minutes of the GPL read aloud (`benchmarks.clips.LICENCE_TEST_CLIP`),
    on which batched once lost 17 words in a row after the heading "Definitions."."""
    from benchmarks.clips import LICENCE_TEST_CLIP, LICENCES, available, make

    if not available([LICENCE_TEST_CLIP]):
        pytest.skip(f"no {LICENCES / LICENCE_TEST_CLIP.topic} (Debian and Ubuntu keep it)")
    return make(LICENCE_TEST_CLIP, tmp_path_factory.mktemp("clips"))
