"""The jobs behind ``zoo bench`` and ``nlpzoo.bench``: every selected component of every trainable
kind on the same data, split and seeds.

Each (component, seed) pair is one job, trained through :func:`nlpzoo.workflows.runs.train_run` exactly as
``zoo run`` trains it; jobs run in worker processes (``jobs``) with the free cores divided between
them (:mod:`nlpzoo.foundations.threads`). A job that fails (an exception, a NaN loss) or cannot run (an ambiguous name) becomes a row
with its error and the others go on. Each kind's summary is the mean ± sample standard deviation
over seeds of the columns its kind module declares.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import platform
import signal
import statistics
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from ..foundations.threads import ThreadPlan
from ..foundations.versions import __version__
from ..kinds import DataOptions, FitSettings, get_kind
from ..machinery.discovery import get_zoo
from .runs import train_run


_PREPARED: dict = {}


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"


def run_job(job: dict) -> dict:
    """One component on one seed; runs in a worker process or in this one. Never raises."""
    started = time.perf_counter()
    kind = get_kind(job["kind"])
    row = {"kind": kind.name, kind.name: job["name"], "seed": job["seed"]}
    try:
        if job.get("skip"):
            raise LookupError(job["skip"])
        zoo = get_zoo(job.get("registry"))
        options = DataOptions(**{**job["data_options"], "seed": job["seed"]})
        key = data_key(kind.name, options)
        if key not in _PREPARED:  # once per process, kind and seed (workers get them from the parent)
            _PREPARED[key] = kind.prepare(options, zoo, log=lambda m: None)
        prepared = _PREPARED[key]
        component = zoo.get(kind.name, job["name"])
        overrides = {k: v for k, v in job["params"].items() if component.param(k)}
        settings = FitSettings(seed=job["seed"], device=job["device"], progress=False, log=lambda m: None,
                               eval_texts=job.get("eval_texts"))
        result = train_run(kind, component, overrides, prepared, settings, out=job["run_dir"], threads=job["threads"])
        row["threads"] = settings.threads  # what this job really used
        losses = [e.get("train_loss") for e in result.history.get("epochs", []) if e.get("train_loss") is not None]
        if any(not math.isfinite(x) for x in losses):
            raise FloatingPointError(f"training loss became {losses[-1]} (NaN/inf)")
        metrics = result.metrics
        row.update({c.key: metrics.get(c.key) for c in kind.columns})
        row.update({k: metrics[k] for k in ("class_names", "confusion_matrix", "bleu_signature", "chrf_signature")
                    if k in metrics})
        row.update({"distribution": component.distribution, "version": component.version, "run_dir": job["run_dir"],
                    "preprocess": options.preprocess or "none",
                    "split_test_rows": prepared.split.test, "error": None})
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - a failing model is a row, not the end of the bench
        row["error"] = _error_text(error)
        row["traceback"] = traceback.format_exc(limit=5)
    row["wall_seconds"] = time.perf_counter() - started
    return row


def data_key(kind: str, options: DataOptions) -> str:
    return kind + repr(sorted(asdict(options).items()))


def prepare_shared(jobs: list[dict], zoo) -> dict:
    """Every kind's and seed's prepared data, made once in the parent so the workers need not each
    load and preprocess the dataset again (they receive it when they start)."""
    shared = {}
    for job in jobs:
        if job.get("skip"):
            continue
        kind = get_kind(job["kind"])
        options = DataOptions(**{**job["data_options"], "seed": job["seed"]})
        key = data_key(kind.name, options)
        if key not in shared:
            shared[key] = kind.prepare(options, zoo, log=lambda m: None)
    return shared


def estimated_cost(component, overrides: dict) -> float:
    """A rough relative training cost, to start the longest jobs first so the workers finish together."""
    params = component.resolve_params({k: v for k, v in overrides.items() if component.param(k)})
    cost = {"lstm": 4.0, "gru": 3.0, "rnn": 1.0}.get(component.capabilities.get("cell"), 0.5)
    cost *= (2 if component.capabilities.get("bidirectional") else 1) * params.get("layers", 1)
    return cost * params.get("epochs", 1) * params.get("hidden_size", 128) / 128


def _init_worker(shared: dict | None = None):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _PREPARED.update(shared or {})


def run_jobs(jobs: list[dict], workers: int, on_row=None, shared: dict | None = None,
             on_start=None) -> tuple[list[dict], bool]:
    """Run every job; returns (rows finished, interrupted). ``shared``: prepared data for the workers;
    ``on_start(jobs)`` is told which jobs are now training."""
    rows = []
    try:
        if workers <= 1:
            for job in jobs:
                on_start and on_start([job])
                rows.append(run_job(job))
                on_row and on_row(rows[-1])
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                     initargs=(shared,)) as pool:
                futures = [pool.submit(run_job, job) for job in jobs]
                on_start and on_start(jobs[:workers])
                try:
                    for future in as_completed(futures):
                        rows.append(future.result())
                        on_row and on_row(rows[-1])
                except KeyboardInterrupt:
                    for future in futures:
                        future.cancel()
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    except KeyboardInterrupt:
        return rows, True
    return rows, False


def summarise(rows: list[dict], kind: str = "classifier") -> list[dict]:
    """One line per component of ``kind``: mean and sample std over its seeds (failed seeds listed)."""
    columns = get_kind(kind).columns
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("kind", kind) == kind and kind in row:
            by_name.setdefault(row[kind], []).append(row)
    summary = []
    for name, runs in by_name.items():
        good = [r for r in runs if not r.get("error")]
        line = {kind: name, "seeds": sorted(r["seed"] for r in good),
                "failed_seeds": sorted(r["seed"] for r in runs if r.get("error")),
                "error": next((r["error"] for r in runs if r.get("error")), None)}
        for column in columns:
            values = [r[column.key] for r in good if r.get(column.key) is not None]
            line[column.key] = statistics.fmean(values) if values else None
            line[f"{column.key}_std"] = statistics.stdev(values) if len(values) > 1 else (0.0 if values else None)
        if good:
            line["distribution"], line["version"] = good[0]["distribution"], good[0]["version"]
        summary.append(line)
    return summary


def environment(device: str, threads: ThreadPlan, jobs: int) -> dict:
    import torch

    return {"nlp_zoo": __version__, "torch": torch.__version__, "python": platform.python_version(),
            "platform": platform.platform(), "device": device, "jobs": jobs,
            "threads_per_job": threads.threads, "thread_plan": threads.record(), "cpu_count": os.cpu_count(),
            "command": " ".join(["zoo", *sys.argv[1:]]) if sys.argv else "zoo bench"}


def job_list(selected: dict, seeds: list[int], overrides: dict, data_options: dict, out: Path, threads: ThreadPlan,
             device: str, registry: str | None, eval_texts: int | None) -> list[dict]:
    """One job per (component, seed); ``selected`` maps each kind to its [(name, component or None, why)]."""
    jobs = []
    for kind_name, entries in selected.items():
        kind = get_kind(kind_name)
        preprocess = data_options.get("preprocess", "default")
        for seed in seeds:
            for name, component, why in entries:
                chain = (getattr(component, "preprocess", None) or kind.default_preprocess) \
                    if preprocess == "default" else preprocess  # a tuned preset keeps the chain it was tuned with
                options = {**data_options, "preprocess": chain}
                jobs.append({"kind": kind_name, "name": name, "seed": seed, "params": overrides, "threads": threads,
                             "device": device, "registry": registry, "eval_texts": eval_texts, "skip": why,
                             "run_dir": str(out / "runs" / kind.plural / f"{name.replace(':', '_')}-seed{seed}"),
                             "data_options": options,
                             "cost": estimated_cost(component, overrides) if component else 0.0})
    return sorted(jobs, key=lambda job: -job["cost"])  # longest first, so the workers finish together
