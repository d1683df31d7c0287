"""``zoo bench``: every selected classifier on the same data, split, preprocessing and seeds.

Each (classifier, seed) pair is one job; jobs run in worker processes (``jobs``) with torch's
threads divided between them. A job that fails (an exception, a NaN loss) becomes a row with its
error and the others go on. Results are summarised as mean ± sample standard deviation over seeds.
"""
from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .experiment import DataOptions

METRICS = ["macro_f1", "accuracy", "macro_precision", "macro_recall", "train_seconds", "train_tokens_per_second",
           "inference_texts_per_second", "parameters", "model_size_bytes"]
GENERATOR_METRICS = ["test_perplexity", "bleu", "chrf", "train_tokens_per_second", "generation_tokens_per_second",
                     "train_seconds", "parameters"]
_PREPARED: dict = {}


def run_job(job: dict) -> dict:
    """One classifier (or generator) on one seed; runs in a worker process or in this one. Never raises."""
    if job.get("generator"):
        return run_generator_job(job)
    import torch

    from .classifier import FitSettings
    from .discovery import get_zoo
    from .experiment import prepare_data, train_and_evaluate

    started = time.perf_counter()
    row = {"classifier": job["classifier"], "seed": job["seed"]}
    try:
        if job.get("threads"):
            torch.set_num_threads(job["threads"])
        zoo = get_zoo(job.get("registry"))
        options = DataOptions(**{**job["data_options"], "seed": job["seed"]})
        key = data_key(options)
        if key not in _PREPARED:  # once per process and seed (workers get them from the parent)
            _PREPARED[key] = prepare_data(options, zoo, log=lambda m: None)
        prepared = _PREPARED[key]
        component = zoo.get("classifier", job["classifier"])
        overrides = {k: v for k, v in job["params"].items() if component.param(k)}
        run_dir = Path(job["run_dir"])
        run_dir.mkdir(parents=True, exist_ok=True)
        settings = FitSettings(seed=job["seed"], device=job["device"], progress=False, threads=job.get("threads"),
                               log=lambda m: None)
        result = train_and_evaluate(component, overrides, prepared, run_dir, settings)
        losses = [e["train_loss"] for e in result.history.get("epochs", [])]
        if any(not math.isfinite(x) for x in losses):
            raise FloatingPointError(f"training loss became {losses[-1]} (NaN/inf)")
        row.update({k: result.metrics.get(k) for k in METRICS})
        row.update({"distribution": component.distribution, "version": component.version, "run_dir": str(run_dir),
                    "split_test_rows": prepared.split.test, "class_names": prepared.class_names,
                    "confusion_matrix": result.metrics["confusion_matrix"], "error": None})
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - a failing model is a row, not the end of the bench
        row["error"] = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
        row["traceback"] = traceback.format_exc(limit=5)
    row["wall_seconds"] = time.perf_counter() - started
    return row


def run_generator_job(job: dict) -> dict:
    """One generator on one seed: train with the bench's budget, then perplexity, BLEU, chrF and
    generation speed on a few held-out prompts."""
    import torch

    from .classifier import FitSettings
    from .discovery import get_zoo
    from .generation import train_generator

    started = time.perf_counter()
    row = {"generator": job["generator"], "seed": job["seed"]}
    try:
        if job.get("threads"):
            torch.set_num_threads(job["threads"])
        zoo = get_zoo(job.get("registry"))
        component = zoo.get("generator", job["generator"])
        overrides = {k: v for k, v in job["params"].items() if component.param(k)}
        options = job["data_options"]
        settings = FitSettings(seed=job["seed"], device=job["device"], progress=False, threads=job.get("threads"),
                               log=lambda m: None)
        result = train_generator(component, overrides, options.get("data"), options.get("text_col"),
                                 options.get("fmt"), None, Path(job["run_dir"]), settings, zoo)
        metrics, generator = result["metrics"], result["generator"]
        prompts = [" ".join(text.split()[:5]) for text in result["test_texts"][:3]]
        tokens, seconds = 0, 0.0
        for number, prompt in enumerate(prompts):
            began = time.perf_counter()
            text = generator.generate(prompt, max_new_tokens=48, seed=number)[0]
            seconds += time.perf_counter() - began
            tokens += len(generator.tokenizer(text)["input_ids"])
        row.update({k: metrics.get(k) for k in GENERATOR_METRICS})
        row["generation_tokens_per_second"] = tokens / seconds if seconds else None
        row.update({"distribution": component.distribution, "version": component.version, "run_dir": job["run_dir"],
                    "bleu_signature": metrics.get("bleu_signature"), "chrf_signature": metrics.get("chrf_signature"),
                    "error": None})
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001
        row["error"] = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
        row["traceback"] = traceback.format_exc(limit=5)
    row["wall_seconds"] = time.perf_counter() - started
    return row


def data_key(options: DataOptions) -> str:
    return repr(sorted(asdict(options).items()))


def prepare_shared(jobs: list[dict], zoo) -> dict:
    """Every seed's prepared data, made once in the parent so the workers need not each load and
    preprocess the dataset again (they receive it when they start)."""
    from .experiment import prepare_data

    shared = {}
    for job in jobs:
        if job.get("generator"):
            continue
        options = DataOptions(**{**job["data_options"], "seed": job["seed"]})
        key = data_key(options)
        if key not in shared:
            shared[key] = prepare_data(options, zoo, log=lambda m: None)
    return shared


def estimated_cost(component, overrides: dict) -> float:
    """A rough relative training cost, to start the longest jobs first so the workers finish together."""
    params = component.resolve_params({k: v for k, v in overrides.items() if component.param(k)})
    cost = {"lstm": 4.0, "gru": 3.0, "rnn": 1.0}.get(component.capabilities.get("cell"), 0.5)
    cost *= (2 if component.capabilities.get("bidirectional") else 1) * params.get("layers", 1)
    return cost * params.get("epochs", 1) * params.get("hidden_size", 128) / 128


def _init_worker(shared: dict | None = None):
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _PREPARED.update(shared or {})


def run_jobs(jobs: list[dict], workers: int, on_row=None, shared: dict | None = None) -> tuple[list[dict], bool]:
    """Run every job; returns (rows finished, interrupted). ``shared``: prepared data for the workers."""
    rows = []
    try:
        if workers <= 1:
            for job in jobs:
                rows.append(run_job(job))
                on_row and on_row(rows[-1])
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                     initargs=(shared,)) as pool:
                futures = [pool.submit(run_job, job) for job in jobs]
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
    """One line per model: mean and sample std over its seeds (failed seeds are listed)."""
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        if kind in row:
            by_name.setdefault(row[kind], []).append(row)
    summary = []
    for name, runs in by_name.items():
        good = [r for r in runs if not r.get("error")]
        line = {kind: name, "seeds": sorted(r["seed"] for r in good),
                "failed_seeds": sorted(r["seed"] for r in runs if r.get("error")),
                "error": next((r["error"] for r in runs if r.get("error")), None)}
        for metric in (METRICS if kind == "classifier" else GENERATOR_METRICS):
            values = [r[metric] for r in good if r.get(metric) is not None]
            line[metric] = statistics.fmean(values) if values else None
            line[f"{metric}_std"] = statistics.stdev(values) if len(values) > 1 else (0.0 if values else None)
        if good:
            line["distribution"], line["version"] = good[0]["distribution"], good[0]["version"]
        summary.append(line)
    return summary


def environment(device: str, threads: int | None, jobs: int) -> dict:
    import torch

    return {"nlp_zoo": __version__, "torch": torch.__version__, "python": platform.python_version(),
            "platform": platform.platform(), "device": device, "jobs": jobs,
            "threads_per_job": threads or torch.get_num_threads(), "cpu_count": os.cpu_count(),
            "command": " ".join(["zoo", *sys.argv[1:]]) if sys.argv else "zoo bench"}
