"""What a result records about the GPU it ran on. There is no GPU here: nvidia-smi is
stood in for by a script on PATH that answers as the driver's tool does."""

from __future__ import annotations

import pytest

from asr_tui.core import environment


@pytest.fixture
def nvidia_smi(tmp_path, monkeypatch):
    def install(body: str) -> None:
        tool = tmp_path / "nvidia-smi"
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
        monkeypatch.setenv("PATH", str(tmp_path))
        environment.gpu_driver.cache_clear()

    yield install
    environment.gpu_driver.cache_clear()


def test_a_gpu_result_records_the_driver(nvidia_smi):
    nvidia_smi('echo "580.159.04"')
    assert environment.describe(gpu="NVIDIA H100 80GB HBM3")["gpu_driver"] == "580.159.04"
    assert environment.describe(gpu=None)["gpu_driver"] is None  # a CPU run asks nothing


def test_a_driver_that_does_not_answer_is_unknown_not_a_crash(nvidia_smi):
    nvidia_smi("echo 'NVIDIA-SMI has failed' >&2; exit 9")
    assert environment.describe(gpu="some GPU")["gpu_driver"] is None
    nvidia_smi("")  # no output at all
    assert environment.gpu_driver() is None
