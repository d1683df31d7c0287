"""The thread policy: cores counted from affinity and cgroup quota, other processes' load measured
(this process's own left out), overrides in their order, and the count divided between workers."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from nlpzoo import ZooError
from nlpzoo.foundations import threads
from tests.helpers import ScriptedCores

SPIN = "import time\nend = time.monotonic() + 20\nwhile time.monotonic() < end: pass"


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(threads, "_last_measure", None)
    monkeypatch.delenv("NLPZOO_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)


def machine(monkeypatch, cores: int, busy: float | None):
    monkeypatch.setattr(threads, "usable_cores", lambda: cores)
    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: busy)
    monkeypatch.setattr(threads, "_last_measure", None)


def test_usable_cores_are_the_affinity_capped_by_the_cgroup_quota(monkeypatch, tmp_path):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    v2, v1_quota, v1_period = tmp_path / "cpu.max", tmp_path / "quota", tmp_path / "period"
    monkeypatch.setattr(threads, "_CGROUP_FILES", (v2, (v1_quota, v1_period)))
    assert threads.usable_cores() == 4 and threads.cgroup_quota() is None       # no cgroup files
    v2.write_text("max 100000\n")
    assert threads.usable_cores() == 4 and threads.cgroup_quota() is None       # v2, unlimited
    v2.write_text("150000 100000\n")
    assert threads.cgroup_quota() == 1.5 and threads.usable_cores() == 2        # docker --cpus 1.5
    v2.write_text("800000 100000\n")
    assert threads.usable_cores() == 4                                          # a quota above the affinity
    v2.unlink()
    v1_quota.write_text("50000\n")
    v1_period.write_text("100000\n")
    assert threads.cgroup_quota() == 0.5 and threads.usable_cores() == 1        # v1; never below one core
    v1_quota.write_text("-1\n")
    assert threads.cgroup_quota() is None


def test_cpu_ticks_read_only_the_listed_cores(monkeypatch, tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  30 0 30 300 0 0 0 0 0 0\n"
                    "cpu0 10 0 10 100 5 0 0 0 0 0\n"
                    "cpu1 20 0 20 200 0 0 0 0 0 0\n"
                    "cpu12 1 0 0 9 0 0 0 0 0 0\n"
                    "intr 1 2 3\n")
    monkeypatch.setattr(threads, "_PROC_STAT", stat)
    assert threads.cpu_ticks(frozenset({0})) == (20, 125)          # idle and iowait are not busy
    assert threads.cpu_ticks(frozenset({1, 12})) == (41, 250)      # cpu12 is not cpu1
    assert threads.cpu_ticks(frozenset({5})) is None               # no such core
    monkeypatch.setattr(threads, "_PROC_STAT", tmp_path / "missing")
    assert threads.cpu_ticks(frozenset({0})) is None and threads.others_busy_cores(window=0.01) is None


@pytest.mark.skipif(not threads._PROC_STAT.exists(), reason="needs /proc/stat (Linux)")
def test_a_busy_process_is_measured_and_this_process_is_not():
    cpus = threads._affinity()
    before = threads.others_busy_cores(window=0.5, cpus=cpus)   # whatever else the machine is doing
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(0.5)
        beside = threads.others_busy_cores(window=0.5, cpus=cpus)
    finally:
        spinner.kill()
        spinner.wait()
    assert beside >= min(before + 0.6, len(cpus) - 0.3)
    stop = time.monotonic() + 1.0

    def spin():  # this process's own work is not another process's load
        while time.monotonic() < stop:
            pass

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        own = threads.others_busy_cores(window=0.5, cpus=cpus)
    finally:
        worker.join()
    assert own is not None and own < before + 0.5


@pytest.mark.parametrize("busy, expected", [(0.0, 2), (0.2, 2), (0.69, 2), (0.71, 1), (1.0, 1), (1.9, 1), (5.0, 1)])
def test_the_free_cores_are_given_and_never_fewer_than_one(monkeypatch, busy, expected):
    machine(monkeypatch, 2, busy)
    plan = threads.plan_threads()
    assert (plan.threads, plan.source, plan.usable_cores, plan.others_busy) == (expected, "measured", 2, busy)


def test_workers_divide_the_free_cores(monkeypatch):
    machine(monkeypatch, 8, 1.0)
    plan = threads.plan_threads(workers=2)
    assert plan.threads == 3 and plan.workers == 2                 # 7 free cores, 3 each
    assert threads.plan_threads(workers=16).threads == 1
    assert threads.plan_threads(workers=2, measure=False).threads == 4
    assert threads.plan_threads(workers=2, measure=False).source == "usable cores"


def test_overrides_come_in_order_and_bad_values_name_the_variable(monkeypatch):
    machine(monkeypatch, 8, 7.0)
    monkeypatch.setenv("OMP_NUM_THREADS", "3,1")
    assert (threads.plan_threads().threads, threads.plan_threads().source) == (3, "OMP_NUM_THREADS")
    monkeypatch.setenv("NLPZOO_THREADS", "5")
    assert (threads.plan_threads().threads, threads.plan_threads().source) == (5, "NLPZOO_THREADS")
    plan = threads.plan_threads(6, workers=2)
    assert (plan.threads, plan.source) == (6, "--threads")        # the user's count is kept as given
    assert threads.plan_threads(plan, workers=9) is plan          # a plan made earlier travels unchanged
    monkeypatch.setenv("NLPZOO_THREADS", "many")
    with pytest.raises(ZooError, match="NLPZOO_THREADS='many'.*whole number"):
        threads.plan_threads()
    monkeypatch.setenv("NLPZOO_THREADS", "0")
    with pytest.raises(ZooError, match="NLPZOO_THREADS='0'"):
        threads.plan_threads()
    with pytest.raises(ZooError, match="threads=0"):
        threads.plan_threads(0)


def test_a_recent_measure_is_reused(monkeypatch):
    calls = []
    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: calls.append(1) or 0.0)
    threads.plan_threads()
    threads.plan_threads()
    assert len(calls) == 1
    monkeypatch.setattr(threads, "REUSE_SECONDS", 0.0)
    threads.plan_threads()
    assert len(calls) == 2


def test_the_plan_says_what_it_chose(monkeypatch):
    machine(monkeypatch, 2, 1.04)
    plan = threads.plan_threads()
    assert plan.describe() == "1 (2 usable cores, other processes using 1.0 of them)"
    assert plan.record() == {"threads": 1, "source": "measured", "usable_cores": 2, "others_busy": 1.04, "workers": 1}
    assert threads.plan_threads(3).describe() == "3 (set by --threads)"
    machine(monkeypatch, 4, None)
    assert threads.plan_threads(workers=2).describe() == "2 per worker x 2 (from the 4 usable cores)"


def test_a_training_process_gives_a_core_up_while_another_process_uses_it(monkeypatch):
    import torch

    before = torch.get_num_threads()
    monkeypatch.setattr(threads.CpuSnapshot, "take", ScriptedCores([0.0, 0.67, 1.0, 0.1]))
    plan = threads.ThreadPlan(2, "measured", 2, 0.0)
    try:
        torch.set_num_threads(2)
        with threads.LoadWatch(plan) as watch:
            counts = []
            for _ in range(4):
                threads.follow_load()
                counts.append(torch.get_num_threads())
        assert counts == [2, 1, 1, 2]   # 0.67 of a core (its share beside our 2 threads) is taken; 0.1 is not
        assert watch.changes == [{"after_seconds": 20.0, "threads": 1, "others_busy": 0.67},
                                 {"after_seconds": 40.0, "threads": 2, "others_busy": 0.1}]
        threads.follow_load()           # outside a watch: nothing happens
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("plan", [threads.ThreadPlan(2, "--threads", 2, None),
                                  threads.ThreadPlan(2, "NLPZOO_THREADS", 2, None),
                                  threads.ThreadPlan(1, "measured", 2, 0.0, workers=2)])
def test_a_count_the_user_set_and_a_workers_share_are_kept(monkeypatch, plan):
    import torch

    before = torch.get_num_threads()
    monkeypatch.setattr(threads.CpuSnapshot, "take", ScriptedCores([1.5]))
    try:
        torch.set_num_threads(plan.threads)
        with threads.LoadWatch(plan) as watch:
            threads.follow_load()
        assert torch.get_num_threads() == plan.threads and watch.changes == []
    finally:
        torch.set_num_threads(before)
