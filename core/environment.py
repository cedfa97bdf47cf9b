"""The machine and software a result was measured on, recorded with every result
so that figures from different boxes are never compared blind."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

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

    return {
        "hostname": platform.node(),  # tells results from different machines apart in one history
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
    }
