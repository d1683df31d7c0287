"""Comparing models: ``nlpzoo.bench`` (one table across models) and ``nlpzoo.tune`` (an Optuna study)."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from ..foundations.errors import ComponentConflictError, ZooError
from ..foundations.threads import ThreadPlan, plan_threads
from ..kinds import DataOptions, get_kind
from ..kinds.base import log_info
from ..machinery.discovery import get_zoo
from ..workflows.bench_report import compare as compare_with
from ..workflows.bench_report import sort_summary, write_reports
from ..workflows.benchmarking import environment, job_list, prepare_shared, run_jobs, summarise
from ..workflows.tuning import (PRUNERS, TuneResult, build_space, default_study_name, parse_duration, read_space_file,
                                run_study)
from .inputs import DataLike, materialize
from .kinds import trainable_kinds
from .results import BenchResult


def bench(models: str | Sequence[str] | dict = "all", data: DataLike = None, *, kind: str = "classifier",
          text_col: str | None = None, score_col: str | None = None, fmt: str | None = None,
          discretize: str | None = None, preprocess: str | None = "default", epochs: int = 3,
          params: dict | None = None, seeds: Sequence[int] = (13,), jobs: int = 1,
          threads: int | ThreadPlan | None = None, device: str = "cpu", eval_texts: int | None = None, out: str | Path | None = None, sort: str | None = None,
          registry: str | None = None, on_row: Callable[[dict], Any] | None = None,
          on_start: Callable[[list[dict]], Any] | None = None, compare: str | Path | None = None) -> BenchResult:
    """Train and evaluate ``models`` on the same data, split and seeds, as ``zoo bench`` does.

    ``models``: names of ``kind`` (or "all"), or a dict ``{kind: names}`` to bench several kinds.
    ``params`` apply to every model that has them; ``epochs`` is the training budget. Writes
    table.md, results.csv, results.json and report.html to ``out`` (default ``bench-out/<time>``).
    ``compare``: an earlier results.json; each kind's change since then is in ``result.changes`` and the reports.
    ``jobs`` worker processes train side by side, each with ``threads`` torch threads (None: the free cores
    divided between them, see :func:`plan_threads`).
    """
    zoo = get_zoo(registry)
    wanted = models if isinstance(models, dict) else {kind: models}
    selected = {get_kind(k).name: select_components(zoo, k, names) for k, names in wanted.items()}
    selected = {k: entries for k, entries in selected.items() if entries}
    if not selected:
        raise ZooError("Nothing to benchmark: name some models (nlpzoo.list_components()).")
    overrides = {**(params or {}), "epochs": str(epochs)}
    for entries in selected.values():  # bad values fail now, not after an hour of training
        for _, component, _ in entries:
            if component:
                component.resolve_params({k: v for k, v in overrides.items() if component.param(k)})
    jobs = max(1, jobs)
    threads = plan_threads(threads, workers=jobs)
    out = Path(out or Path("bench-out") / datetime.now().strftime("%Y%m%d-%H%M%S"))
    if out.exists() and any(out.iterdir()):
        raise ZooError(f"{out} exists and is not empty: a bench writes its runs and tables there. Choose a new"
                       " folder (or leave out --out for bench-out/<time>).")
    if compare:  # a broken earlier file is an error now, not after the training
        try:
            json.loads(Path(compare).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ZooError(f"compare: {compare} is not an earlier bench's results.json ({error}).") from None
    path, text_col, score_col = materialize(data, text_col, score_col)
    options = DataOptions(path, text_col, score_col, fmt, discretize, None,
                          "default" if preprocess == "default" else None if not preprocess
                          or preprocess.strip().lower() == "none" else preprocess)
    all_jobs = job_list(selected, list(seeds), overrides, dict(options.__dict__), out, threads, device, registry,
                        eval_texts)
    shared = prepare_shared(all_jobs, zoo) if jobs > 1 else None  # once here, not once per worker
    rows, interrupted = run_jobs(all_jobs, jobs, on_row=on_row, shared=shared, on_start=on_start)
    summaries = {}
    for name in selected:
        kind_object = get_kind(name)
        key = sort if sort in {c.key for c in kind_object.columns} else kind_object.primary_metric
        summaries[name] = sort_summary(summarise(rows, name), key, name)
    env = environment(device, threads, jobs)
    env.update(data=str(data) if isinstance(data, (str, Path)) else (path or "the built-in demo set"),
               split=f"{1 - options.test_fraction - options.validation_fraction:.0%} train /"
                     f" {options.validation_fraction:.0%} validation / {options.test_fraction:.0%} test",
               seeds=",".join(map(str, seeds)), epochs=epochs,
               preprocess=options.preprocess if options.preprocess != "default"
               else "each kind's default (a preset's own chain where it has one)",
               date=datetime.now().isoformat(timespec="seconds"))
    changes = compare_with(summaries, Path(compare)) if compare else []
    write_reports(out, summaries, rows, env, changes or None)
    return BenchResult(out, rows, summaries, interrupted, env, changes)


def tune(model: str, data: DataLike = None, *, kind: str = "classifier", trials: int | None = None,
         timeout: str | float | None = None, space: str | Path | dict | None = None,
         preprocess: Sequence[str] | None = None, params: dict | None = None, seed: int = 13,
         seeds: Sequence[int] | None = None, pruner: str = "median", jobs: int = 1, threads: int | None = None,
         study: str | None = None, storage: str | None = None, out: str | Path = "tune-out", device: str = "auto",
         text_col: str | None = None, score_col: str | None = None, fmt: str | None = None,
         discretize: str | None = None, test_fraction: float = 0.2, validation_fraction: float = 0.1,
         registry: str | None = None, progress: bool = True, on_trial: Callable[[dict], Any] | None = None,
         log: Callable[[str], Any] = log_info) -> TuneResult:
    """Search ``model``'s parameters (and preprocessing) with Optuna, as ``zoo tune`` does.

    Trials are scored on the validation split of one fixed split (``seed``), averaged over ``seeds``
    when given; the best trial is then retrained and tested once. ``trials`` counts the study's
    finished trials (a continued study runs the missing ones; default 20 without ``timeout``);
    ``timeout``: "30m", "2h" or seconds. ``space``: a space file or the same as a dict;
    ``preprocess``: candidate chains; ``params``: fixed values. ``pruner``: median, hyperband or
    none. ``jobs`` worker processes share the study's storage (SQLite in ``out/STUDY/study.db``,
    or ``storage``, any Optuna RDB URL). ``on_trial`` gets each finished trial as a dict.
    Returns a :class:`TuneResult` (``result.best``, ``result.test``, ``result.to_dataframe()``).
    """
    zoo = get_zoo(registry)
    kind_object = get_kind(kind)
    if not kind_object.trainable or kind_object.validation_metric is None:
        raise ZooError(f"A {kind_object.name} has no validation metric to tune; kinds you can tune: "
                       + ", ".join(k.name for k in trainable_kinds() if k.validation_metric) + ".")
    if pruner not in PRUNERS:
        raise ZooError(f"pruner {pruner!r}: choose one of {', '.join(PRUNERS)}.")
    if trials is not None and trials < 1:
        raise ZooError(f"trials must be at least 1, got {trials}.")
    seconds = parse_duration(timeout)
    trials = 20 if trials is None and seconds is None else trials
    component = zoo.get(kind_object.name, model)
    user_space = read_space_file(space) if isinstance(space, (str, Path)) else space
    search_space = build_space(component, kind_object, user_space, params, list(preprocess or []), zoo)
    path, text_col, score_col = materialize(data, text_col, score_col)
    options = DataOptions(path, text_col, score_col, fmt, discretize, None, None, seed, test_fraction,
                          validation_fraction)
    name = study or default_study_name(component.name, data if isinstance(data, (str, Path)) else path)
    if not name or "/" in name or name in (".", ".."):
        raise ZooError(f"study name {name!r}: use letters, digits, '.', '_' and '-'.")
    return run_study(kind_object, component, search_space, options, zoo, trials=trials, timeout=seconds,
                     seeds=list(seeds or [seed]), pruner=pruner, jobs=max(1, jobs), threads=threads, name=name,
                     folder=Path(out) / name, storage=storage, device=device, registry=registry, log=log,
                     progress=progress, on_trial=on_trial)


def select_components(zoo, kind: str, names: str | Sequence[str]) -> list[tuple]:
    """[(name, component or None, why it is skipped)] for a bench: "all" (every component that needs no
    download) or the given names. An
    unknown name is an error now, before any training; a name two plugins register becomes a row
    that says why instead of failing the bench."""
    kind = get_kind(kind).name
    if names == "all":  # every one that runs here: models that need a download (AraBERT, ...) only when named
        names = [name for name in zoo.names(kind) if not any(
            c.capabilities.get("needs_download") for c in zoo.claims(kind, name))]
    names = [names] if isinstance(names, str) else list(names)
    selected = []
    for name in names:
        try:
            selected.append((name, zoo.get(kind, name), None))
        except ComponentConflictError as error:
            selected.append((name, None, f"skipped: {error}"))
    return selected
