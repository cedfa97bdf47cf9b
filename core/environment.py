"""The machine and software a result was measured on, recorded with every result
so that figures from different boxes are never compared blind."""

from __future__ import annotations

import os
import platform
import shutil
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from asr_tui.core.energy import cpu_power_state

BASE_PACKAGES = ("asr-tui", "numpy", "av", "jiwer")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_versions(names) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@lru_cache(maxsize=1)
def machine() -> dict:
    import os
    import uuid

    return {
        "hostname": platform.node(),  # tells results from different machines apart in one history
        # one per process: results that share it shared one heap, so each one's peak RSS
        # holds what ran before it there, and they cannot be compared by memory
        "process": uuid.uuid4().hex[:12],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
    }


def describe(packages=(), threads: int | None = None, gpu: str | None = None) -> dict:
    return {
        **machine(),
        "packages": package_versions((*BASE_PACKAGES, *packages)),
        "threads": threads,
        "gpu": gpu,
        "gpu_driver": gpu_driver() if gpu else None,
        **cpu_power_state(),  # the governor and clock decide a CPU figure as much as the model does
    }


@lru_cache(maxsize=1)
def gpu_driver() -> str | None:
    """The NVIDIA driver's version, which decides what a GPU figure means as much as the
    card does; None where nvidia-smi is absent or does not answer."""
    import subprocess

    command = shutil.which("nvidia-smi")
    if command is None:
        return None
    try:
        out = subprocess.run([command, "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    versions = out.stdout.split()
    return versions[0] if out.returncode == 0 and versions else None


def gpu_visible(dev: Path = Path("/dev")) -> bool:
    """Whether this process can see a GPU, asked without importing a framework: the
    Configure form asks on every edit, and importing torch or JAX to ask takes seconds
    and pins JAX's thread count before any run chose it.

    It looks for the device nodes the NVIDIA driver (/dev/nvidia0...), ROCm (/dev/kfd)
    and WSL (/dev/dxg) create, or `nvidia-smi` where there is no /dev, and takes
    CUDA_VISIBLE_DEVICES set to nothing or -1 as hiding them all. A yes can still fail
    when the run starts (a CPU build of torch): each backend's `check_available` says
    so then. `dev` is where the device nodes are (a test gives a folder of its own)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", "0").strip() in ("", "-1"):
        return False
    if not dev.is_dir():
        return shutil.which("nvidia-smi") is not None
    return any(dev.glob("nvidia[0-9]*")) or (dev / "kfd").exists() or (dev / "dxg").exists()
