"""Energy counters and the CPU's power state: read where the kernel exposes them (a
fake sysfs tree here, as this machine has none readable), "not available" otherwise."""

from __future__ import annotations

import pytest

from asr_tui.core import energy
from tests.unit.made_results import made_result


def zone(root, name, energy_uj, wrap=1_000_000, label="package-0"):
    path = root / name
    path.mkdir(parents=True)
    (path / "name").write_text(label + "\n")
    (path / "energy_uj").write_text(f"{energy_uj}\n")
    (path / "max_energy_range_uj").write_text(f"{wrap}\n")
    return path


def test_rapl_sums_package_zones_and_undoes_wrap_around(tmp_path):
    first = zone(tmp_path, "intel-rapl:0", 900_000)
    zone(tmp_path, "intel-rapl:1", 100_000, wrap=5_000_000)
    zone(tmp_path, "intel-rapl:0:0", 5, label="core")  # part of package 0: not counted again
    zone(tmp_path, "intel-rapl:2", 7, label="psys")  # the whole platform: not counted
    rapl = energy.Rapl(tmp_path)
    assert rapl.missing is None and len(rapl.zones) == 2
    before = rapl.read()
    (first / "energy_uj").write_text("200000\n")  # wrapped: 100 000 to the top, then 200 000
    (tmp_path / "intel-rapl:1" / "energy_uj").write_text("1600000\n")
    assert rapl.joules(before, rapl.read()) == pytest.approx(0.3 + 1.5)


def test_rapl_not_available_without_zones_or_permission(tmp_path):
    assert energy.Rapl(tmp_path / "absent").missing.startswith(energy.NOT_AVAILABLE)
    locked = zone(tmp_path, "intel-rapl:0", 1)
    # a counter that cannot be read (root-only on recent kernels; tests may run as root,
    # which reads any mode, so a folder in its place makes the read fail instead)
    (locked / "energy_uj").unlink()
    (locked / "energy_uj").mkdir()
    rapl = energy.Rapl(tmp_path)
    assert rapl.zones == [] and "cannot read intel-rapl:0" in rapl.missing
    assert rapl.joules(rapl.read(), rapl.read()) is None


def test_a_meter_without_counters_says_not_available(tmp_path):
    meter = energy.Meter(powercap=tmp_path)  # NVML: pynvml missing or no GPU here
    meter.start()
    assert meter.stop() == {"cpu": None, "gpu": None}
    assert meter.sources["cpu"].startswith(energy.NOT_AVAILABLE)
    assert meter.sources["gpu"].startswith(energy.NOT_AVAILABLE)
    summary = energy.summarize([meter.stop()], 24.0, meter.sources)
    assert summary["cpu_j"] == summary["gpu_j_per_audio_hour"] == energy.NOT_AVAILABLE


def test_joules_per_audio_hour_from_the_counted_passes(tmp_path):
    passes = [
        {"kind": "first", "seconds": 9.0, "stages": None, "compiled": None, "energy_j": {"cpu": 500.0, "gpu": None}},
        *({"kind": "warm", "seconds": 1.0, "stages": None, "compiled": None, "energy_j": {"cpu": j, "gpu": None}} for j in (10.0, 12.0, 11.0)),
    ]
    result = made_result(passes=passes, audio_seconds=36.0, energy_sources={"cpu": "RAPL package zones", "gpu": "not available: no NVIDIA GPU"})
    figures = result.to_dict()["energy"]
    assert figures["cpu_j"] == 11.0 and figures["cpu_j_per_audio_hour"] == 1100.0
    assert figures["gpu_j"] == energy.NOT_AVAILABLE


def test_cpu_power_state_and_throttling_from_sysfs(tmp_path):
    for cpu, count in (("cpu0", 3), ("cpu1", 4)):
        (tmp_path / cpu / "cpufreq").mkdir(parents=True)
        (tmp_path / cpu / "cpufreq" / "scaling_governor").write_text("performance\n")
        (tmp_path / cpu / "cpufreq" / "scaling_cur_freq").write_text("2400000\n")
        (tmp_path / cpu / "cpufreq" / "cpuinfo_max_freq").write_text("3600000\n")
        (tmp_path / cpu / "thermal_throttle").mkdir()
        (tmp_path / cpu / "thermal_throttle" / "core_throttle_count").write_text(f"{count}\n")
    assert energy.cpu_power_state(tmp_path) == {"cpu_governor": "performance", "cpu_mhz": 2400, "cpu_max_mhz": 3600}
    before = energy.throttle_counts(tmp_path)
    (tmp_path / "cpu1" / "thermal_throttle" / "core_throttle_count").write_text("6\n")
    assert energy.throttling(before, energy.throttle_counts(tmp_path)) == 2


def test_no_cpufreq_or_throttle_counters_is_not_available(tmp_path):
    assert energy.throttling(energy.throttle_counts(tmp_path), energy.throttle_counts(tmp_path)) == energy.NOT_AVAILABLE
    assert energy.cpu_power_state(tmp_path)["cpu_governor"] == energy.NOT_AVAILABLE


def test_an_old_history_line_loads_without_the_new_fields():
    old = made_result().to_dict()
    for name in ("passes", "energy_sources", "audio_decode_s", "stages_s", "energy", "warm_recompiles"):
        old.pop(name)
    result = type(made_result()).from_dict(old)
    assert result.passes == [] and result.energy is None and result.to_dict()["stages_s"] == energy.NOT_AVAILABLE
