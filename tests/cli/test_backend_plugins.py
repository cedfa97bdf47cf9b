"""A backend from outside asr-tui, installed only as a distribution with an entry
point in the `asr_tui.backends` group, is listed by the CLI and the Configure form,
runs headless, and is imported only when it is used."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from asr_tui.core import presets
from asr_tui.core.samples import SAMPLE
from asr_tui.tui.app import AsrTuiApp
from tests.cli_helpers import asr_tui

PLUGIN_SOURCE = '''
"""A backend that hears every clip as the same words."""
import os
from pathlib import Path

from asr_tui.core.backends.base import Backend
from asr_tui.core.transcript import Segment, Transcript

Path(os.environ["DUMMY_BACKEND_MARKER"]).touch()  # proves when the module is imported


class DummyBackend(Backend):
    name = "dummy"
    description = "a test plugin"
    dtypes = {"cpu": ("float32",)}
    options = frozenset({"vad_filter"})

    def load(self, config, weights):
        self.weights = weights.name

    def transcribe(self, audio, config, progress, cancel):
        seconds = audio.seconds
        segment = Segment(0.0, seconds, " plugged in")
        progress(seconds, [segment])
        return Transcript("plugged in", [segment], "en")

    def release(self):
        self.weights = None
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch) -> Path:
    """A directory holding the plugin's module and its installed metadata, as pip
    would leave them in site-packages."""
    root = tmp_path / "site"
    info = root / "dummy_asr_backend-0.1.dist-info"
    info.mkdir(parents=True)
    (root / "dummy_asr_backend.py").write_text(PLUGIN_SOURCE)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dummy-asr-backend\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[asr_tui.backends]\ndummy = dummy_asr_backend:DummyBackend\n")
    monkeypatch.setenv("DUMMY_BACKEND_MARKER", str(tmp_path / "imported"))
    return root


def test_cli_lists_the_plugin_without_importing_it_and_runs_it(plugin, tmp_path):
    env = {"PYTHONPATH": str(plugin)}
    marker = tmp_path / "imported"
    help_text = asr_tui("run", "--help", env=env).stdout
    assert "{ctranslate2,jax,pytorch,whisper-jax,dummy}" in help_text.replace("\n", "").replace(" ", "")
    assert not marker.exists()
    out = tmp_path / "dummy.json"
    proc = asr_tui("run", "--backend", "dummy", "--warmup", "0", "--json", str(out), str(SAMPLE), env=env)
    assert proc.returncode == 0, proc.stderr
    (run,) = json.loads(out.read_text())["runs"]
    assert run["backend"] == "dummy" and run["text"] == "plugged in" and run["wer"] > 0.9
    assert marker.exists()


async def test_configure_form_offers_the_plugin(plugin, monkeypatch, audio_dir):
    monkeypatch.syspath_prepend(str(plugin))
    app = AsrTuiApp(presets.find("quick"), [SAMPLE], root=Path("."))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert "dummy_asr_backend" not in sys.modules
        assert app.query_one("#row-beam_size").display and not app.query_one("#row-vad_filter").display
        app.query_one("#field-backend").value = "dummy"  # refused unless it is one of the options
        await pilot.pause()
        assert app.configs[0].backend == "dummy" and "dummy_asr_backend" in sys.modules
        # the form shows what the plugin says it reads
        assert app.query_one("#row-vad_filter").display and not app.query_one("#row-beam_size").display
