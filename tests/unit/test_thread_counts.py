"""The thread count a run gets, and XLA's, which the first caller fixes for the
process. JAX's own start is not exercised here (it would fix the pool of the whole
test session): its private "started" flag is stood in for, as `_xla_started` reads it."""

from __future__ import annotations

import os
import sys
import types

import pytest

from asr_tui.core import threads

BRIDGE = "jax._src.xla_bridge"


def test_zero_means_the_physical_cores_and_any_other_count_is_kept():
    assert threads.resolve(0) == threads.default_threads() == threads.physical_cores()
    assert 1 <= threads.physical_cores() <= len(threads.allowed_cpus())
    assert [threads.resolve(n) for n in (1, 3, 64)] == [1, 3, 64]


@pytest.fixture
def one_cpu():
    """This process pinned to one CPU for the test, then given its CPUs back."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("this platform cannot pin a process to CPUs")
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def test_more_threads_than_cores_is_said_in_one_line(one_cpu):
    assert threads.physical_cores() == 1 and threads.resolve(0) == 1
    assert threads.oversubscribed(1) is None
    assert threads.oversubscribed(2) == (
        "2 threads asked for, but this process may use 1 physical core: the threads will compete and the timings suffer"
    )


@pytest.fixture
def fresh_process(monkeypatch):
    """As if no caller had sized XLA's pool yet and JAX had not started."""
    monkeypatch.setattr(threads, "_xla_threads", None)
    # set before deleting, so the NPROC that pin_xla writes is undone with the rest
    monkeypatch.setenv("NPROC", "")
    monkeypatch.delenv("NPROC")
    monkeypatch.delitem(sys.modules, BRIDGE, raising=False)
    return monkeypatch


def test_the_first_count_sizes_xla_and_later_ones_cannot(fresh_process):
    assert threads.pin_xla(3) == 3 and os.environ["NPROC"] == "3"
    assert threads.pin_xla(1) == 3 and os.environ["NPROC"] == "3"


def test_a_jax_started_before_any_count_keeps_its_own(fresh_process):
    fresh_process.setitem(sys.modules, BRIDGE, types.SimpleNamespace(backends_are_initialized=lambda: True))
    assert threads.pin_xla(1) == len(threads.allowed_cpus()) and "NPROC" not in os.environ


def test_a_jax_started_under_nproc_reports_that_count(fresh_process):
    fresh_process.setenv("NPROC", "5")
    fresh_process.setitem(sys.modules, BRIDGE, types.SimpleNamespace(backends_are_initialized=lambda: True))
    assert threads.pin_xla(1) == 5


def test_an_imported_jax_that_has_not_started_takes_the_count(fresh_process):
    fresh_process.setitem(sys.modules, BRIDGE, types.SimpleNamespace(backends_are_initialized=lambda: False))
    assert threads.pin_xla(2) == 2 and os.environ["NPROC"] == "2"


def test_a_jax_without_the_private_flag_counts_as_started(fresh_process):
    """Erring towards a warning: a pool that might be fixed already is reported as such."""
    fresh_process.setitem(sys.modules, BRIDGE, types.SimpleNamespace())
    assert threads.pin_xla(1) == len(threads.allowed_cpus())


def _xla_environment(**env) -> str:
    """XLA_PYTHON_CLIENT_PREALLOCATE as a fresh process leaves it after the JAX
    backends' start-up call (that call imports no framework)."""
    import subprocess

    code = ("import os; from asr_tui.core.backends.jax_backend import start_xla; start_xla(1); "
            "print(os.environ.get('XLA_PYTHON_CLIENT_PREALLOCATE'), os.environ['NPROC'], 'jax' in __import__('sys').modules)")
    base = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    return subprocess.run([sys.executable, "-c", code], env=base | env, capture_output=True, text=True, check=True).stdout.strip()


def test_jax_is_told_to_allocate_gpu_memory_on_demand_unless_the_user_chose():
    # preallocating 75 % of the GPU would make every run's peak the same and starve PyTorch
    assert _xla_environment() == "false 1 False"
    assert _xla_environment(XLA_PYTHON_CLIENT_PREALLOCATE="true") == "true 1 False"
