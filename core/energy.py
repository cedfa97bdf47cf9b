"""Energy a pass used, from the hardware's own counters, and the CPU's power state.

CPU: Intel RAPL (and AMD's, through the same `intel-rapl` powercap zones) under
`/sys/class/powercap`: each package zone's cumulative `energy_uj`, which wraps at its
`max_energy_range_uj`. Only top-level package zones are summed (their sub-zones, core
and uncore, are parts of them; `psys` is the whole platform and would count them
twice). GPU: NVML's total energy counter (millijoules since the driver loaded) on each
NVIDIA GPU, through `pynvml` when it is installed.

Both counters measure the whole package or card, every process's work on it: a pass
that other processes slowed (marked busy, `core.contention`) also counts their energy.

A counter that is absent or unreadable (RAPL is root-only on recent kernels) is "not
available" with the reason: never a crash and never an estimate. Every reader takes
its root folder, so tests give it a folder of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

POWERCAP = Path("/sys/class/powercap")
CPU_SYSFS = Path("/sys/devices/system/cpu")
NOT_AVAILABLE = "not available"
_PACKAGE_ZONE = re.compile(r"^intel-rapl:\d+$")


@dataclass(frozen=True)
class _Zone:
    path: Path
    wrap_uj: int  # the counter goes back to 0 after this


class Rapl:
    """The CPU packages' energy counters, or the reason there are none (`missing`)."""

    def __init__(self, root: Path = POWERCAP) -> None:
        self.zones: list[_Zone] = []
        self.missing: str | None = None
        try:
            candidates = sorted(p for p in Path(root).iterdir() if _PACKAGE_ZONE.match(p.name))
        except OSError:
            candidates = []
        for path in candidates:
            try:
                if (path / "name").read_text().strip() == "psys":
                    continue
                wrap = int((path / "max_energy_range_uj").read_text())
                int((path / "energy_uj").read_text())  # readable now, or not at all
            except (OSError, ValueError) as exc:
                self.missing = f"{NOT_AVAILABLE}: cannot read {path.name} ({getattr(exc, 'strerror', None) or exc})"
                self.zones = []
                return
            self.zones.append(_Zone(path, wrap))
        if not self.zones:
            self.missing = f"{NOT_AVAILABLE}: no RAPL package zones under {root}"

    def read(self) -> list[int] | None:
        try:
            return [int((z.path / "energy_uj").read_text()) for z in self.zones]
        except (OSError, ValueError):
            return None

    def joules(self, before: list[int] | None, after: list[int] | None) -> float | None:
        """Energy between two readings, each zone's wrap-around undone."""
        if before is None or after is None or not self.zones:
            return None
        total = 0
        for zone, start, end in zip(self.zones, before, after):
            total += end - start if end >= start else zone.wrap_uj - start + end
        return total / 1e6


class Nvml:
    """Every NVIDIA GPU's total-energy counter, or the reason there is none."""

    def __init__(self) -> None:
        self.handles: list = []
        self.missing: str | None = None
        try:
            import pynvml

            pynvml.nvmlInit()
            self._nvml = pynvml
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
            for handle in self.handles:
                pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)  # readable now, or not at all
        except ImportError:
            self.missing = f"{NOT_AVAILABLE}: pynvml is not installed"
        except Exception as exc:  # noqa: BLE001 - NVMLError, a missing driver library, an old GPU
            self.missing = f"{NOT_AVAILABLE}: NVML: {exc}"
            self.handles = []
        if not self.handles and self.missing is None:
            self.missing = f"{NOT_AVAILABLE}: no NVIDIA GPU"

    def read(self) -> list[int] | None:
        if not self.handles:
            return None
        try:
            return [self._nvml.nvmlDeviceGetTotalEnergyConsumption(h) for h in self.handles]
        except Exception:  # noqa: BLE001 - a GPU that fell off the bus mid-run
            return None

    @staticmethod
    def joules(before: list[int] | None, after: list[int] | None) -> float | None:
        if before is None or after is None:
            return None
        return sum(b - a for a, b in zip(before, after)) / 1e3


class Meter:
    """Both counters, read at the start and the end of each pass (`start`, `stop`)."""

    def __init__(self, powercap: Path = POWERCAP, gpu: bool = True) -> None:
        self.rapl = Rapl(powercap)
        self.nvml = Nvml() if gpu else None
        self._start: tuple = (None, None)

    @property
    def sources(self) -> dict[str, str]:
        """Where each figure comes from, or why there is none."""
        gpu = NOT_AVAILABLE if self.nvml is None else self.nvml.missing or "NVML total energy"
        return {"cpu": self.rapl.missing or "RAPL package zones", "gpu": gpu}

    def _read(self) -> tuple:
        return self.rapl.read(), self.nvml.read() if self.nvml else None

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> dict[str, float | None]:
        """Joules since `start`, None for a counter that cannot be read."""
        cpu, gpu = self._read()
        return {"cpu": self.rapl.joules(self._start[0], cpu), "gpu": Nvml.joules(self._start[1], gpu) if self.nvml else None}


def summarize(per_pass: list[dict], audio_seconds: float, sources: dict[str, str]) -> dict:
    """A result's energy: the median joules of its counted passes and joules per audio
    hour (joules / audio seconds * 3600), each "not available" where unmeasured."""
    from asr_tui.core.metrics import median

    out: dict = {"sources": sources}
    for counter in ("cpu", "gpu"):
        values = [p[counter] for p in per_pass if p.get(counter) is not None]
        joules = median(values) if values and len(values) == len(per_pass) else None
        out[f"{counter}_j"] = NOT_AVAILABLE if joules is None else round(joules, 3)
        out[f"{counter}_j_per_audio_hour"] = NOT_AVAILABLE if joules is None else round(joules / audio_seconds * 3600, 1)
    return out


# --- the CPU's power state, recorded with the environment ---------------------------------


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cpu_power_state(root: Path = CPU_SYSFS) -> dict:
    """The frequency governor and the current and maximum frequency (MHz) of the first
    CPU that reports them, psutil's figures where sysfs has none."""
    cpufreq = next(iter(sorted(Path(root).glob("cpu[0-9]*/cpufreq"))), None) if Path(root).is_dir() else None
    governor = current = maximum = None
    if cpufreq is not None:
        governor = _read_text(cpufreq / "scaling_governor")
        current = _read_text(cpufreq / "scaling_cur_freq")
        maximum = _read_text(cpufreq / "cpuinfo_max_freq")
        current = int(current) / 1000 if current and current.isdigit() else None
        maximum = int(maximum) / 1000 if maximum and maximum.isdigit() else None
    if current is None or maximum is None:
        import psutil

        try:
            freq = psutil.cpu_freq()
        except (OSError, NotImplementedError):
            freq = None
        if freq is not None:
            current = current or (freq.current or None)
            maximum = maximum or (freq.max or None)
    return {
        "cpu_governor": governor or NOT_AVAILABLE,
        "cpu_mhz": round(current) if current else NOT_AVAILABLE,
        "cpu_max_mhz": round(maximum) if maximum else NOT_AVAILABLE,
    }


def throttle_counts(root: Path = CPU_SYSFS) -> int | None:
    """The sum of every CPU's thermal throttle counters (core and package), or None
    where the kernel exposes none."""
    paths = sorted(Path(root).glob("cpu[0-9]*/thermal_throttle/*_throttle_count")) if Path(root).is_dir() else []
    counts = [_read_text(p) for p in paths]
    counts = [int(c) for c in counts if c and c.isdigit()]
    return sum(counts) if counts else None


def throttling(before: int | None, after: int | None) -> int | str:
    """Throttling events seen between two `throttle_counts`."""
    return NOT_AVAILABLE if before is None or after is None else after - before
