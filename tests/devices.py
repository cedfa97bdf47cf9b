"""Whether this machine shows a CUDA device, asked of the NVIDIA driver rather than of
a framework, so that collecting tests imports neither torch nor jax."""

from __future__ import annotations

import os
from pathlib import Path


def why_no_gpu() -> str | None:
    """Why no CUDA device is visible to this process, or None when one is."""
    if os.environ.get("CUDA_VISIBLE_DEVICES") in ("", "-1"):
        return "CUDA_VISIBLE_DEVICES hides every GPU"
    gpus = Path("/proc/driver/nvidia/gpus")
    if not gpus.is_dir() or not any(gpus.iterdir()):
        return "no CUDA device visible (no NVIDIA driver reports a GPU)"
    return None
