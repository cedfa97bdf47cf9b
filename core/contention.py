"""What else used the machine while a pass was timed.

A timing is only worth its number when the run had the cores it asked for: one busy
process on a 2-core box turns a 30x real-time backend into a 1x one, and nothing in
the timing itself says so. A `Sampler` runs around each timed pass and measures:

- other processes' CPU on the CPUs this process may use: all busy time on those CPUs
  (from /proc/stat via psutil) minus this process's own CPU time, in percent of one
  core (top's convention: 150 means one and a half cores);
- CPU steal (time the hypervisor gave to other guests) where the kernel reports it;
- the load average at the end of the pass;
- the busiest other processes over the pass (a snapshot of every process's CPU time
  at its start and end, taken outside the timed region; a process that starts and
  ends within a pass is missed).

A background thread samples the system counters every `INTERVAL` seconds during the
pass so a burst is visible as `other_cpu_peak_pct`; it reads one /proc file per
sample and costs nothing measurable.

A run is flagged when, in any pass it counts (the warm passes behind its median;
a compile pass or a warm-up does not dilute them), other processes took more than
`ON_ITS_CORES` of a core from the cores it asked for (their CPU less the physical
cores the run left spare), or more than `BESIDE_IT` of a core on the cores it left
spare. Real idleness on a desktop or CI box is a few percent of one core. A fifth of
a core in bursts, on a 2-core box running 2 threads, made PyTorch passes 12-21 %
slower, steadily enough that their spread showed nothing; a memory-bound loop on the
core a 1-thread run left spare made it 28-39 % slower, through the caches and memory
bandwidth the cores share (a compute loop there changed nothing, but the counters
cannot tell the two apart). Any figure the platform cannot give is None; sampling
never raises.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field

from asr_tui.core import threads as thread_counts

ON_ITS_CORES = 0.1  # cores others may take from the run's own in a counted pass: more flags it
BESIDE_IT = 0.5  # cores others may use on the cores the run left spare: more flags it
INTERVAL = 0.5  # seconds between the sampler thread's readings
TOP = 3  # other processes named per pass
NOTABLE_PCT = 1.0  # processes below this share of one core are not named
# Shortest pass judged. The kernel's CPU counters tick in hundredths of a second, and
# a reading sums one per allowed CPU and subtracts this process's, so a pass of a few
# milliseconds can read as several cores busy. On 2 CPUs, over 0.4 s, the rounding is
# a few hundredths of a core, under ON_ITS_CORES; it grows with the number of CPUs.
READABLE_S = 0.4


@dataclass(frozen=True)
class PassContention:
    """One timed pass's view of the rest of the machine."""

    seconds: float
    other_cpu_pct: float | None  # other processes' average CPU, percent of one core
    other_cpu_peak_pct: float | None  # the highest sampled interval
    steal_pct: float | None  # percent of the allowed CPUs' time stolen by the hypervisor
    loadavg: list[float] | None
    top_other: list[dict] = field(default_factory=list)  # {"pid", "name", "cpu_pct"}


def _system_times(cpus: list[int]):
    """(busy seconds, steal seconds or None, total seconds) over the allowed CPUs."""
    import psutil

    per_cpu = psutil.cpu_times(percpu=True)
    busy = steal = total = 0.0
    has_steal = hasattr(per_cpu[0], "steal") if per_cpu else False
    for index in cpus:
        if index >= len(per_cpu):
            continue
        t = per_cpu[index]
        # guest time is already inside user and nice on Linux
        cpu_total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
        idle = t.idle + getattr(t, "iowait", 0.0)
        cpu_steal = getattr(t, "steal", 0.0)
        busy += cpu_total - idle - cpu_steal
        steal += cpu_steal
        total += cpu_total
    return busy, (steal if has_steal else None), total


def _own_cpu() -> float:
    import psutil

    times = psutil.Process().cpu_times()
    return times.user + times.system


def _process_cpu() -> dict[tuple[int, float], tuple[str, float]]:
    """Every other process's CPU seconds so far, keyed by (pid, start time) so a
    reused pid is a new process (kernel threads rename themselves as they work)."""
    import psutil

    own = os.getpid()
    seen = {}
    for proc in psutil.process_iter(["name", "cpu_times", "create_time"]):
        times = proc.info.get("cpu_times")
        if proc.pid == own or times is None:
            continue
        key = (proc.pid, proc.info.get("create_time") or 0.0)
        seen[key] = (proc.info.get("name") or "?", times.user + times.system)
    return seen


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


class _Reading:
    """System counters at one instant; any of them None when unreadable."""

    def __init__(self, cpus: list[int]) -> None:
        self.at = time.perf_counter()
        try:
            self.busy, self.steal, self.total = _system_times(cpus)
            self.own = _own_cpu()
        except Exception:  # noqa: BLE001 - an unreadable counter is an unknown, never a failed run
            self.busy = self.steal = self.total = self.own = None

    def other_pct_since(self, earlier: "_Reading") -> float | None:
        if self.busy is None or earlier.busy is None or self.at <= earlier.at:
            return None
        other = (self.busy - earlier.busy) - (self.own - earlier.own)
        return max(0.0, 100.0 * other / (self.at - earlier.at))

    def steal_pct_since(self, earlier: "_Reading") -> float | None:
        if self.steal is None or earlier.steal is None or not self.total or self.total <= earlier.total:
            return None
        return 100.0 * (self.steal - earlier.steal) / (self.total - earlier.total)


class Sampler:
    """Start before a timed pass, stop after it; `stop` returns the pass's figures."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self.cpus = thread_counts.allowed_cpus()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._peak: float | None = None

    def start(self) -> None:
        self._processes = _safe(_process_cpu, {})
        self._peak = None
        self._stop.clear()
        self._first = _Reading(self.cpus)
        self._thread = threading.Thread(target=self._sample, name="asr-tui-contention", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        previous = self._first
        while not self._stop.wait(self.interval):
            reading = _Reading(self.cpus)
            pct = reading.other_pct_since(previous)
            if pct is not None:
                self._peak = pct if self._peak is None else max(self._peak, pct)
            previous = reading

    def stop(self) -> PassContention:
        last = _Reading(self.cpus)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        seconds = last.at - self._first.at
        other = last.other_pct_since(self._first)
        peak = other if self._peak is None else max(self._peak, other or 0.0)
        return PassContention(
            seconds=round(seconds, 3),
            other_cpu_pct=_round(other),
            other_cpu_peak_pct=_round(peak),
            steal_pct=_round(last.steal_pct_since(self._first)),
            loadavg=_loadavg(),
            top_other=_top(self._processes, _safe(_process_cpu, {}), seconds),
        )


def _top(before: dict, after: dict, seconds: float) -> list[dict]:
    """The busiest other processes between two snapshots (new ones count whole)."""
    if seconds <= 0:
        return []
    used = []
    for key, (name, cpu) in after.items():
        earlier = before.get(key)
        pct = 100.0 * (cpu - earlier[1] if earlier else cpu) / seconds
        pid = key[0]
        if pct >= NOTABLE_PCT:
            used.append({"pid": pid, "name": name, "cpu_pct": round(pct, 1)})
    return sorted(used, key=lambda p: -p["cpu_pct"])[:TOP]


def _safe(fn, fallback):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - see _Reading
        return fallback


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summarize(passes: list[PassContention], threads: int, counted: list[int] | None = None) -> dict:
    """The result's `contention` record: time-weighted averages over the passes, the
    busiest other processes overall, and whether the run is flagged (and why), judged
    on the passes at the indices `counted` (the warm passes; all when None) one by
    one: a busy warm pass is not averaged away by a long quiet compile pass. A pass
    shorter than `READABLE_S` is not judged: its figure is mostly the counters'
    rounding, clipped at zero, so even several of them together read high."""
    other = _weighted(passes, "other_cpu_pct")
    steal = _weighted(passes, "steal_pct")
    total_seconds = sum(p.seconds for p in passes)
    cpu_seconds: dict[int, float] = {}
    names: dict[int, str] = {}
    for p in passes:
        for proc in p.top_other:
            cpu_seconds[proc["pid"]] = cpu_seconds.get(proc["pid"], 0.0) + proc["cpu_pct"] * p.seconds
            names[proc["pid"]] = proc["name"]
    top_other = [
        {"pid": pid, "name": names[pid], "cpu_pct": round(used / total_seconds, 1)}
        for pid, used in sorted(cpu_seconds.items(), key=lambda kv: -kv[1])[:TOP]
        if used / total_seconds >= NOTABLE_PCT  # busy in one short pass, idle over the run: not named
    ] if total_seconds > 0 else []
    judged = [passes[i] for i in (range(len(passes)) if counted is None else counted) if i < len(passes)]
    readings = [p for p in judged if readable(p.seconds, p.other_cpu_pct)]
    reason = None
    if readings:
        busiest = max(readings, key=lambda p: p.other_cpu_pct)
        where = f" in its busiest counted pass ({_cores(other / 100)} on average over all passes)" if len(passes) > 1 else ""
        reason = busy_reason(busiest.other_cpu_pct, threads, busiest.top_other or top_other, where)
    return {
        "flagged": reason is not None,
        "reason": reason,
        "other_cpu_pct": _round(other),
        "loadavg": passes[-1].loadavg if passes else None,
        "steal_pct": _round(steal),
        "top_other": top_other,
        "threads": threads,
        "passes": [asdict(p) for p in passes],
    }


def readable(seconds: float, other_cpu_pct: float | None) -> bool:
    """Whether a pass of these figures is long enough to judge: see `READABLE_S`."""
    return other_cpu_pct is not None and seconds >= READABLE_S


def _weighted(passes: list[PassContention], figure: str) -> float | None:
    """The time-weighted average of `figure` over the passes that have it."""
    known = [p for p in passes if getattr(p, figure) is not None and p.seconds > 0]
    seconds = sum(p.seconds for p in known)
    return sum(getattr(p, figure) * p.seconds for p in known) / seconds if seconds else None


def _cores(cores: float) -> str:
    """A tenth of a core is the line: below one core, two decimals show which side."""
    return f"{cores:.2f}" if cores < 1 else f"{cores:.1f}"


def busy_reason(other_cpu_pct: float | None, threads: int, top_other: list[dict], where: str = "") -> str | None:
    """One line saying how much CPU others took (`where`: in which pass), on the
    run's cores or beside them, or None when that is within `ON_ITS_CORES` and
    `BESIDE_IT` (or unknown)."""
    if other_cpu_pct is None:
        return None
    others = other_cpu_pct / 100.0
    spare = max(0, thread_counts.physical_cores() - threads)
    on_its_cores = others - spare
    names = ", ".join(f"{p['name']} {p['pid']}" for p in top_other)
    # a process that starts and ends between two snapshots is never seen by name
    top = f" (top: {names})" if names else " (none named: too short-lived, or not visible from here)"
    asked = f"{threads} thread{'s' if threads != 1 else ''}"
    if on_its_cores > ON_ITS_CORES:
        return f"other processes used {_cores(others)} cores{where} while this run asked for {asked}{top}"
    if min(others, spare) > BESIDE_IT:
        return (f"other processes used {_cores(others)} cores{where} beside this run's {asked}, on cores it left spare "
                f"that share caches and memory bandwidth with it{top}")
    return None


def idle_check(threads: int, seconds: float = 0.5) -> str | None:
    """Sample the machine for `seconds` before a run; a one-line warning if it is busy."""
    sampler = Sampler(interval=seconds)
    sampler.start()
    time.sleep(seconds)
    reading = sampler.stop()
    reason = busy_reason(reading.other_cpu_pct, threads, reading.top_other)
    return f"machine busy: {reason}" if reason else None
