"""One whole study: its name and time budget, its worker processes, and its outputs."""
from __future__ import annotations

import json
import multiprocessing
import re
import signal
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Callable

from ...foundations.errors import ZooError
from ...foundations.threads import plan_threads
from ...kinds import DataOptions, TrainableKind
from ...machinery.components import Component
from .outputs import TuneResult, trial_row, trial_rows, write_outputs
from .space import SearchSpace
from .storage import StudySpec, load_study
from .workers import StopAfterTrial, Worker, run_worker, worker_process


def parse_duration(text: str | float | int | None) -> float | None:
    """``"30m"``, ``"2h"``, ``"90s"``, ``"1h30m"`` or seconds -> seconds."""
    if text is None or text == "":
        return None
    if isinstance(text, (int, float)):
        return float(text)
    match = re.fullmatch(r"\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*", text)
    if not text.strip() or not match or not any(match.groups()):
        raise ZooError(f"--timeout {text!r}: give a duration such as 90s, 30m, 2h or 1h30m.")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ZooError(f"--timeout {text!r} must be longer than zero.")
    return total


def default_study_name(component: str, data: str | None) -> str:
    label = Path(str(data)).stem if data else "demo"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{component}-{label}").strip("-")


def run_study(kind: TrainableKind, component: Component, space: SearchSpace, options: DataOptions, zoo, *,
              trials: int | None, timeout: float | None, seeds: list[int], pruner: str, jobs: int,
              threads: int | None, name: str, folder: Path, storage: str | None, device: str,
              registry: str | None, log: Callable[[str], Any], progress: bool,
              on_trial: Callable[[dict], Any] | None = None) -> TuneResult:
    """Prepare the data once per chain, run the trials (in ``jobs`` processes), write the outputs,
    and retrain the best trial to test it once."""
    import optuna

    folder.mkdir(parents=True, exist_ok=True)
    storage = storage or f"sqlite:///{(folder / 'study.db').resolve()}"
    metric = kind.validation_metric
    spec = StudySpec(kind.name, component.name, {k: v for k, v in asdict(options).items() if k != "preprocess"},
                     json.loads(json.dumps(space.to_dict())), list(seeds), metric.title,
                     "maximize" if metric.higher_is_better else "minimize", pruner)
    study = load_study(spec, name, storage, options.seed)
    prepared = {}
    for chain in space.chains:
        log(f"Preparing the data with preprocessing '{chain or 'none'}'...")
        prepared[chain or "none"] = kind.prepare(replace(options, preprocess=chain), zoo, log=lambda m: None,
                                                 progress=progress)
    first = next(iter(prepared.values()))
    searched = list(space.params) + (["preprocess"] if len(space.chains) > 1 else [])
    log(f"Study '{name}': {kind.name} '{component.name}' on {len(first.split.train)} train /"
        f" {len(first.split.validation)} validation texts (split seed {options.seed});"
        f" {spec.direction} {metric.title} over {', '.join(searched)}. Storage: {storage}")
    done_before = {row["number"] for row in trial_rows(study) if row["state"] != "running"}
    plan = plan_threads(threads, workers=jobs)
    log(f"Torch threads: {plan.describe()}")
    worker = Worker(spec, name, storage, trials, timeout, plan, device, registry, options.seed, 0, prepared)
    interrupted = False
    shown = set(done_before)

    def show(trial) -> None:
        if trial.number not in shown and trial.state != optuna.trial.TrialState.RUNNING:
            shown.add(trial.number)
            on_trial and on_trial(trial_row(trial))

    stop = StopAfterTrial(log)
    with stop:
        if jobs <= 1:
            try:
                run_worker(worker, on_trial=show, stop=stop)
            except KeyboardInterrupt:
                interrupted = True
        else:
            context = multiprocessing.get_context("spawn")
            event = context.Event()
            processes = [context.Process(target=worker_process, args=(replace(worker, index=i), event))
                         for i in range(jobs)]
            for process in processes:
                process.start()
            try:
                while any(p.is_alive() for p in processes):
                    if stop.requested:
                        event.set()
                    for process in processes:
                        process.join(timeout=1.0 / jobs)
                    for trial in study.get_trials(deepcopy=False):
                        show(trial)
            except KeyboardInterrupt:
                interrupted = True
                event.set()
                for process in processes:
                    if process.is_alive():
                        process.terminate()  # SIGTERM: the worker stops its trial and records it as failed
                for process in processes:
                    process.join(timeout=60)
            for trial in study.get_trials(deepcopy=False):
                show(trial)
            failed = [p.exitcode for p in processes if p.exitcode not in (0, None, -signal.SIGTERM)]
            if failed and not interrupted and not stop.requested:
                raise ZooError("A tuning worker stopped with an error (its message is above). Fix it and run the same"
                               " command again to continue the study.")
    interrupted = interrupted or stop.requested
    return write_outputs(kind, component, study, spec, space, prepared, folder, name, storage, seeds, device, threads,
                         log, progress, interrupted)
