"""How many CPU threads torch gets: from the cores this process may use and how busy they are.

torch's intra-op threads spin while they wait for each other, so a thread that shares its core with
another process holds every other thread back: on 2 cores beside one busy process, 2 threads train
bigru 4x slower than 1 thread does (benchmarks/busy.py). The zoo therefore counts the cores it may
use (``os.sched_getaffinity``, capped by a cgroup CPU quota), measures what other processes use of
them over a short window (``/proc/stat``, minus this process's own CPU time), and gives torch the
free ones, divided between the workers that will share them (bench and tune jobs, torchrun ranks).

``--threads`` (or ``threads=``) and the environment variable ``NLPZOO_THREADS`` override the measure;
so does ``OMP_NUM_THREADS``, the field's usual knob. The wait policy is left to libgomp's default:
``OMP_WAIT_POLICY=PASSIVE`` measured 2.6x slower on a quiet machine, and with the thread count
taken from the free cores there is no spinning thread left to calm.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ZooError

THREADS_VARIABLE = "NLPZOO_THREADS"
WINDOW_SECONDS = 0.2      # how long other processes' use of the cores is measured
REUSE_SECONDS = 30.0      # a measure this recent is reused (a test suite trains hundreds of runs)
# A core counts as taken when others use more than this much of it: an editor's 0.2 of a core is not
# worth halving the threads for, a busy process's 1.0 is.
TAKEN_FROM = 0.7
_PROC_STAT = Path("/proc/stat")
_CGROUP_FILES = (Path("/sys/fs/cgroup/cpu.max"),                        # cgroup v2: "quota period" or "max period"
                 (Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")))
_last_measure: tuple[float, frozenset, float | None] | None = None   # (when, cpus, cores others used)


@dataclass(frozen=True)
class ThreadPlan:
    """The thread count chosen for each worker process, and why (recorded in metrics.json)."""

    threads: int                 # torch intra-op threads per worker
    source: str                  # "--threads", NLPZOO_THREADS, OMP_NUM_THREADS or "measured"
    usable_cores: int            # cores this process may use (affinity, cgroup quota)
    others_busy: float | None    # cores' worth of CPU other processes used while measured (None: not measured)
    workers: int = 1             # processes that share the cores (bench/tune jobs, torchrun ranks)

    def record(self) -> dict:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    def describe(self) -> str:
        """``2 (2 usable cores, other processes using 0.1 of them)``: for a log line after "threads: "."""
        count = f"{self.threads} per worker x {self.workers}" if self.workers > 1 else str(self.threads)
        if self.others_busy is not None:
            return f"{count} ({self.usable_cores} usable cores, other processes using {self.others_busy:.1f} of them)"
        if self.source == "usable cores":
            return f"{count} (from the {self.usable_cores} usable cores)"
        return f"{count} (set by {self.source})"


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity, capped by a cgroup CPU quota where one is set."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):   # macOS, Windows
        cores = os.cpu_count() or 1
    quota = cgroup_quota()
    return max(1, min(cores, math.ceil(quota)) if quota else cores)


def cgroup_quota() -> float | None:
    """The CPU quota of this process's cgroup in cores (``docker --cpus 1.5``: 1.5), None when unlimited."""
    v2, (v1_quota, v1_period) = _CGROUP_FILES
    try:
        if v2.is_file():
            quota, period = v2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        if v1_quota.is_file():
            quota, period = int(v1_quota.read_text()), int(v1_period.read_text())
            return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None
    return None


def cpu_ticks(cpus: frozenset) -> tuple[int, int] | None:
    """(busy, total) clock ticks of ``cpus`` since boot, from /proc/stat; None where it cannot be read."""
    try:
        lines = _PROC_STAT.read_text().splitlines()
    except OSError:
        return None
    busy = total = 0
    for line in lines:
        name, _, rest = line.partition(" ")
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
            values = [int(v) for v in rest.split()[:8]]   # user nice system idle iowait irq softirq steal
            idle = values[3] + values[4]
            total += sum(values)
            busy += sum(values) - idle
    return (busy, total) if total else None


def own_cpu_seconds() -> float:
    """CPU seconds this process (every thread of it) has used."""
    times = os.times()
    return times.user + times.system


@dataclass(frozen=True)
class CpuSnapshot:
    """What the cores and this process had done by one moment: compare two to get others' load between them."""

    cpus: frozenset
    ticks: tuple[int, int] | None     # (busy, total) clock ticks of ``cpus``
    own_seconds: float                # this process's CPU seconds
    at: float                         # time.monotonic()

    @classmethod
    def take(cls, cpus: frozenset) -> "CpuSnapshot":
        return cls(cpus, cpu_ticks(cpus), own_cpu_seconds(), time.monotonic())

    def others_since(self, earlier: "CpuSnapshot") -> float | None:
        """Cores' worth of CPU that other processes used between ``earlier`` and this snapshot."""
        if self.ticks is None or earlier.ticks is None or self.ticks[1] <= earlier.ticks[1] or self.at <= earlier.at:
            return None
        busy_fraction = (self.ticks[0] - earlier.ticks[0]) / (self.ticks[1] - earlier.ticks[1])  # of every core's time
        own_cores = (self.own_seconds - earlier.own_seconds) / (self.at - earlier.at)
        return max(0.0, busy_fraction * len(self.cpus) - own_cores)


def others_busy_cores(window: float = WINDOW_SECONDS, cpus: frozenset | None = None) -> float | None:
    """Cores' worth of CPU that other processes used of ``cpus`` over ``window`` seconds (None: unknown,
    as on a system without /proc/stat)."""
    cpus = cpus if cpus is not None else _affinity()
    first = CpuSnapshot.take(cpus)
    if first.ticks is None:
        return None
    time.sleep(window)
    return CpuSnapshot.take(cpus).others_since(first)


def free_threads(usable: int, busy: float, taken_from: float = TAKEN_FROM) -> int:
    """The cores others leave free when they use ``busy`` cores' worth, a core counting as taken from
    ``taken_from`` of it on; never fewer than one."""
    taken = math.floor(busy + (1 - taken_from))
    return max(1, usable - min(taken, usable - 1))


def _affinity() -> frozenset:
    try:
        return frozenset(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return frozenset(range(os.cpu_count() or 1))


def _measured_busy() -> float | None:
    global _last_measure
    cpus = _affinity()
    now = time.monotonic()
    if _last_measure and now - _last_measure[0] < REUSE_SECONDS and _last_measure[1] == cpus:
        return _last_measure[2]
    busy = others_busy_cores(cpus=cpus)
    _last_measure = (now, cpus, busy)
    return busy


def _from_environment() -> tuple[int, str] | None:
    for name in (THREADS_VARIABLE, "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        try:
            count = int(value.split(",")[0])   # OMP_NUM_THREADS may list one count per nesting level
        except ValueError:
            raise ZooError(f"{name}={value!r} is not a thread count: set it to a whole number such as 2,"
                           f" or unset it to let the zoo measure the free cores.") from None
        if count < 1:
            raise ZooError(f"{name}={value!r}: a thread count is 1 or more.")
        return count, name
    return None


def plan_threads(threads: int | ThreadPlan | None = None, workers: int = 1, *, measure: bool = True) -> ThreadPlan:
    """The threads each of ``workers`` processes gets. ``threads``: the user's explicit count (kept as
    given) or a plan made earlier (returned as it is); None: ``NLPZOO_THREADS`` / ``OMP_NUM_THREADS``,
    else the usable cores that other processes leave free, divided between the workers."""
    if isinstance(threads, ThreadPlan):
        return threads
    workers = max(1, int(workers))
    usable = usable_cores()
    if threads is not None:
        if int(threads) < 1:
            raise ZooError(f"threads={threads}: a thread count is 1 or more.")
        return ThreadPlan(int(threads), "--threads", usable, None, workers)
    chosen = _from_environment()
    if chosen:
        return ThreadPlan(chosen[0], chosen[1], usable, None, workers)
    busy = _measured_busy() if measure else None
    free = usable if busy is None else free_threads(usable, busy)
    return ThreadPlan(max(1, free // workers), "measured" if busy is not None else "usable cores", usable, busy,
                      workers)


def apply_threads(plan: ThreadPlan) -> int:
    """Give torch the plan's thread count in this process; returns what torch now uses."""
    import torch

    if torch.get_num_threads() != plan.threads:
        torch.set_num_threads(plan.threads)
    return torch.get_num_threads()


# While this process trains on every free core, another process that starts gets only a share of a core
# (2 of ours beside it on 2 cores: 0.67), so during training a core counts as taken from half of it on.
TAKEN_WHILE_TRAINING = 0.5
_watch: "LoadWatch | None" = None


class LoadWatch:
    """Follows other processes' load while this process trains and moves torch's thread count with it:
    down when another process starts on the cores, back up when it ends. Looks every ``every`` seconds
    (one read of /proc/stat); only a plan the zoo measured for one worker is followed (a count the
    user set is kept, and workers would chase each other's changes)."""

    def __init__(self, plan: ThreadPlan, every: float = 5.0):
        self.plan, self.every = plan, every
        self.active = plan.source == "measured" and plan.workers == 1
        self.first = self.last = CpuSnapshot.take(_affinity()) if self.active else None
        self.changes: list[dict] = []

    def tick(self) -> None:
        if not self.active or time.monotonic() - self.last.at < self.every:
            return
        now = CpuSnapshot.take(self.last.cpus)
        busy, self.last = now.others_since(self.last), now
        if busy is None:
            return
        import torch

        wanted = free_threads(self.plan.usable_cores, busy, TAKEN_WHILE_TRAINING)
        if wanted != torch.get_num_threads():
            torch.set_num_threads(wanted)
            self.changes.append({"after_seconds": round(now.at - self.first.at, 1), "threads": wanted,
                                 "others_busy": round(busy, 2)})

    def __enter__(self) -> "LoadWatch":
        global _watch
        self.outer, _watch = _watch, self
        return self

    def __exit__(self, *exc) -> None:
        global _watch
        _watch = self.outer


def follow_load() -> None:
    """Called by the training loop after each batch: lets the running :class:`LoadWatch` look (cheap)."""
    if _watch is not None:
        _watch.tick()
