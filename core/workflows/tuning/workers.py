"""The trials: one worker's loop (train, report each epoch to the pruner, record the score), worker processes, and Ctrl-C."""
from __future__ import annotations

import math
import os
import signal
import statistics
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from ...foundations.errors import BrokenCheckError, PluginError, ZooError, caller_callback, plugin_code
from ...foundations.threads import LoadWatch, ThreadPlan, apply_threads
from ...kinds import FitSettings, get_kind
from ...machinery.components import Search
from ...machinery.discovery import get_zoo
from .space import suggest
from .storage import StudySpec, load_study


FAILURES_IN_A_ROW = 5   # a study stops when this many trials in a row fail: the error is not the parameters'
class StopAfterTrial:
    """Ctrl-C while a study runs: the first press lets the running trial finish, then stops; the
    second stops at once (the running trial is recorded as failed)."""

    def __init__(self, log: Callable[[str], Any] | None = None):
        self.requested = False
        self.log = log
        self._previous = None

    def _handle(self, signum, frame):
        self.requested = True
        if self.log:
            self.log("Stopping after the running trial (Ctrl-C again to stop now).")
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


@dataclass
class Worker:
    """What one worker process needs to join a study (picklable)."""

    spec: StudySpec
    name: str
    storage: str
    trials: int | None
    timeout: float | None
    threads: ThreadPlan    # each worker's share of the free cores
    device: str
    registry: str | None
    seed: int
    index: int = 0
    prepared: dict = field(default_factory=dict)   # chain -> the kind's prepared data


def finished_count(study, running: bool = False) -> int:
    """Trials that count towards ``trials``: complete and pruned ones (+ running ones when asked:
    a worker stops when the others' running trials will reach the number)."""
    import optuna

    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    states += (optuna.trial.TrialState.RUNNING,) if running else ()
    return len(study.get_trials(deepcopy=False, states=states))


def run_worker(worker: Worker, on_trial: Callable | None = None, stop: StopAfterTrial | None = None) -> None:
    """Join the study and run trials until it has ``trials`` finished ones, ``timeout`` passes, or
    Ctrl-C. Runs in this process (one job) or in each worker process."""
    import optuna

    threads = apply_threads(worker.threads)
    zoo = get_zoo(worker.registry)
    kind = get_kind(worker.spec.kind)
    component = zoo.get(kind.name, worker.spec.component)
    space = worker.spec.space
    searches = {name: Search(**{**values, "choices": tuple(values["choices"]) if "choices" in values else None})
                for name, values in space["params"].items()}
    study = load_study(worker.spec, worker.name, worker.storage, worker.seed, worker.index)
    failures = []

    def objective(trial):
        started = time.perf_counter()
        params = dict(space["fixed"])
        for name, search in searches.items():
            params[name] = suggest(trial, name, search, component.param(name))
        chain = space["chains"][0] if len(space["chains"]) == 1 else \
            trial.suggest_categorical("preprocess", space["chains"])
        trial.set_user_attr("preprocess", chain or "none")
        trial.set_user_attr("worker", {"index": worker.index, "pid": os.getpid(), "threads": threads})
        prepared = worker.prepared[chain or "none"]
        values, epochs = [], 0
        for index, seed in enumerate(worker.spec.seeds):
            def report(record, trial=trial):
                value = record.get(kind.epoch_metric)
                trial.set_user_attr("epochs", int(record.get("epoch", 0)))
                trial.set_user_attr("seconds", round(time.perf_counter() - started, 2))
                if isinstance(value, (int, float)) and math.isfinite(value):
                    trial.report(float(value), step=int(record.get("epoch", 0)))
                    if trial.should_prune():
                        raise optuna.TrialPruned(f"pruned after epoch {record.get('epoch')}")

            settings = FitSettings(seed=seed, device=worker.device, progress=False, threads=threads,
                                   log=lambda message: None, on_epoch=caller_callback(report) if index == 0 else None,
                                   score_pretrained=False)  # a study never looks at the test split
            try:
                model = component.build(**params)
                with plugin_code(component, "training"):
                    history = kind.fit(model, prepared, settings)
                if history.get("interrupted"):
                    raise KeyboardInterrupt
                with plugin_code(component, "evaluation"):
                    values.append(kind.validation_score(model, prepared, settings))
            except BrokenCheckError as error:  # values breaking a rule over several parameters (minn > maxn):
                # refused by build, before training; no result, good or bad, so the study goes on
                trial.set_user_attr("error", f"pruned before training: {(str(error).splitlines() or [''])[0]}")
                raise optuna.TrialPruned(str(error)) from None
            except (ZooError, PluginError) as error:
                trial.set_user_attr("error", f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}")
                raise
            epochs = max(epochs, len(history.get("epochs", [])))
        trial.set_user_attr("seconds", round(time.perf_counter() - started, 2))
        trial.set_user_attr("epochs", epochs)
        trial.set_user_attr("seed_values", values)
        value = statistics.fmean(values)
        if math.isnan(value):
            trial.set_user_attr("error", "the validation score is NaN")
            raise ZooError("the validation score is NaN")
        return value

    def after_trial(study, trial):
        if trial.state == optuna.trial.TrialState.FAIL:
            failures.append(trial.user_attrs.get("error", "failed"))
        else:
            failures.clear()
        if on_trial:
            on_trial(trial)
        if (stop and stop.requested) or (worker.trials and finished_count(study, running=True) >= worker.trials):
            study.stop()
        if len(failures) >= FAILURES_IN_A_ROW:
            study.stop()

    if worker.trials and finished_count(study) >= worker.trials:
        return
    with warnings.catch_warnings(), LoadWatch(worker.threads):   # one worker follows the machine's load
        warnings.simplefilter("ignore")  # Optuna's experimental-feature warnings are not the user's business
        study.optimize(objective, timeout=worker.timeout, callbacks=[after_trial], catch=(ZooError, PluginError),
                       gc_after_trial=False)
    if len(failures) >= FAILURES_IN_A_ROW:
        raise ZooError(f"{FAILURES_IN_A_ROW} trials in a row failed; the last: {failures[-1]}. Fix that and run the"
                       " same command again to continue the study.")


class _StopEvent:
    """The parent's request to stop after the running trial, as a worker sees it."""

    def __init__(self, event):
        self.event = event

    @property
    def requested(self) -> bool:
        return self.event.is_set()


def _stop_now(signum, frame):
    raise KeyboardInterrupt


def worker_process(worker: Worker, stop_event) -> None:
    """A worker process. Ctrl-C is the parent's to handle: it sets ``stop_event`` (stop after the
    running trial) and, pressed again, sends SIGTERM, which stops the running trial at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_now)
    try:
        run_worker(worker, stop=_StopEvent(stop_event))
    except KeyboardInterrupt:
        pass
    except (ZooError, PluginError) as error:
        print(f"Error (worker {worker.index}): {error}", file=sys.stderr)
        raise SystemExit(2) from None
