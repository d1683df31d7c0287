"""``zoo tune`` and ``nlpzoo.tune``: search a component's parameters and preprocessing with Optuna.

A study tunes one component of one trainable kind on one dataset:

- **The split is fixed** for the whole study (``seed``); every trial trains on the training split
  and is scored on the validation split by the core (:meth:`TrainableKind.validation_score`), the
  mean over ``seeds`` when several are given. The test split is touched once, at the end, by
  retraining the best trial into ``best-run/``: its test metrics are reported apart.
- **The space comes from the components**: each :class:`~nlpzoo.Param` may declare a
  :class:`~nlpzoo.Search`; a user's space file overrides, narrows or adds to them, and fixes
  values. The preprocessing chain is one more dimension when several chains are given.
- **Pruning**: each epoch's validation score (``settings.on_epoch``) is reported to the pruner;
  a pruned trial is recorded as such.
- **Storage**: an Optuna RDB storage, SQLite in the study folder by default, so a study survives
  Ctrl-C (the first press stops after the running trials, the second at once) and continues when
  the same command runs again. ``jobs`` worker processes share it, threads divided between them;
  machines share a study through one database URL.
- **Outputs** in the study folder: ``trials.csv``, ``best.json``, PNG plots, and ``tuned.toml``, a
  registry file holding the winner as a preset (``zoo --registry tuned.toml run --classifier NAME-tuned``).

Space file (``--space space.toml``)::

    preprocess = ["normalize,tokenize", "normalize,tokenize,isri"]   # candidate chains ("none": raw)
    plugin_spaces = true            # false: search only what this file lists

    [params]
    lr = {low = 1e-4, high = 1e-2, log = true}
    hidden_size = {low = 64, high = 256, step = 64}
    pooling = {choices = ["max", "mean"]}
    layers = 1                      # a plain value fixes the parameter
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import signal
import statistics
import threading
import time
import tomllib
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..machinery.components import Component, Search
from ..foundations.errors import BrokenCheckError, ParameterError, PluginError, ZooError, caller_callback, plugin_code
from ..kinds import DataOptions, FitSettings, TrainableKind, get_kind

SPACE_FILE_KEYS = ("preprocess", "plugin_spaces", "params")
SEARCH_KEYS = ("low", "high", "log", "step", "choices")
PRUNERS = ("median", "hyperband", "none")
FAILURES_IN_A_ROW = 5   # a study stops when this many trials in a row fail: the error is not the parameters'


@dataclass
class SearchSpace:
    """What a study searches: parameter spaces, fixed values and candidate preprocessing chains."""

    params: dict[str, Search]
    fixed: dict[str, Any]
    chains: list[str | None]

    def to_dict(self) -> dict:
        return {"params": {name: {k: v for k, v in asdict(search).items() if v is not None}
                           for name, search in sorted(self.params.items())},
                "fixed": dict(sorted(self.fixed.items())), "chains": list(self.chains)}


# -- the search space -------------------------------------------------------------------------------
def read_space_file(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ZooError(f"Space file {path} does not exist. Write one like the example in 'zoo tune --help'.")
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ZooError(f"{path}: invalid TOML: {error}.") from None
    unknown = sorted(set(document) - set(SPACE_FILE_KEYS))
    if unknown:
        raise ZooError(f"{path}: unknown key '{unknown[0]}'. A space file has: {', '.join(SPACE_FILE_KEYS)}"
                       " (parameters go under [params]).")
    return {**document, "_source": str(path)}


def build_space(component: Component, kind: TrainableKind, user: dict | None = None, fixed: dict | None = None,
                chains: list[str] | None = None, zoo=None) -> SearchSpace:
    """The component's declared spaces, with the user's space (a read space file or the same dict)
    and fixed values (``--param``) applied, every entry checked against the parameter."""
    import difflib

    user = dict(user or {})
    where = user.pop("_source", "space")
    use_plugin_spaces = user.get("plugin_spaces", True)
    if not isinstance(use_plugin_spaces, bool):
        raise ZooError(f"{where}: plugin_spaces must be true or false.")
    spaces = {p.name: p.search for p in component.params if p.search is not None} if use_plugin_spaces else {}
    values: dict[str, Any] = {}
    table = user.get("params", {})
    if not isinstance(table, dict):
        raise ZooError(f"{where}: [params] must be a table of parameter = {{low, high}} | {{choices}} | value.")
    for name, entry in table.items():
        param = component.param(name)
        if param is None:
            known = [p.name for p in component.params]
            close = difflib.get_close_matches(name, known, n=1)
            raise ParameterError(f"{where}: unknown parameter '{name}' of {kind.name} '{component.name}'."
                                 + (f" Did you mean '{close[0]}'?" if close else "")
                                 + f" Its parameters are: {', '.join(known) or '(none)'}.")
        if isinstance(entry, dict):
            unknown = sorted(set(entry) - set(SEARCH_KEYS))
            if unknown:
                raise ParameterError(f"{where}: parameter '{name}': unknown key '{unknown[0]}'. Use low/high"
                                     " (+ log = true or step) for a range, or choices = [...].")
            if param.budget:
                raise ParameterError(f"{where}: parameter '{name}' is the training budget: fix it"
                                     f" ({name} = N), do not search it.")
            choices = entry.get("choices")
            search = Search(entry.get("low"), entry.get("high"), bool(entry.get("log", False)), entry.get("step"),
                            tuple(choices) if isinstance(choices, list) else choices)
            if search.choices is not None and not isinstance(search.choices, tuple):
                raise ParameterError(f"{where}: parameter '{name}': choices must be a list.")
            if search.choices is None and (search.low is None or search.high is None):
                raise ParameterError(f"{where}: parameter '{name}': give both low and high, or choices.")
            search.check(param, where)
            spaces[name] = search
        else:
            values[name] = param.convert(entry, where)
            spaces.pop(name, None)
    for name, value in (fixed or {}).items():
        values[name] = component.resolve_params({name: value}, where="--param")[name]
        spaces.pop(name, None)
    component.resolve_params(values, where=where)  # fixed values checked with the rest
    file_chains = user.get("preprocess")
    if file_chains is not None and (not isinstance(file_chains, list) or not file_chains
                                    or not all(isinstance(c, str) for c in file_chains)):
        raise ZooError(f'{where}: preprocess must be a list of chains, e.g. ["normalize,tokenize", "none"].')
    candidates = chains or file_chains or [component.preprocess or kind.default_preprocess or "none"]
    normalized = []
    for chain in candidates:
        chain = ",".join(step.strip() for step in chain.split(",") if step.strip())
        chain = None if chain.lower() in ("", "none") else chain
        if zoo is not None and chain:
            for step in chain.split(","):
                zoo.get("preprocessor", step)  # an unknown step names the known ones
        if chain not in normalized:
            normalized.append(chain)
    if not spaces and len(normalized) < 2:
        raise ZooError(f"Nothing to search: {kind.name} '{component.name}' declares no search space and none was"
                       " given. Give a space file (--space space.toml with [params]) or several --preprocess chains.")
    return SearchSpace(spaces, values, normalized)


def suggest(trial, name: str, search: Search, param) -> Any:
    """The trial's value for one parameter, converted to the parameter's type."""
    if search.choices is not None:
        return param.convert(trial.suggest_categorical(name, list(search.choices)), "trial")
    if param.item_type is int:
        return trial.suggest_int(name, int(search.low), int(search.high), step=int(search.step or 1), log=search.log)
    return trial.suggest_float(name, float(search.low), float(search.high), step=search.step, log=search.log)


# -- the study --------------------------------------------------------------------------------------
@dataclass
class StudySpec:
    """Everything that defines a study; stored with it, and compared when the study continues."""

    kind: str
    component: str
    data_options: dict
    space: dict
    seeds: list[int]
    metric: str
    direction: str
    pruner: str

    def differences(self, other: dict) -> list[str]:
        mine = json.loads(json.dumps(asdict(self)))
        return [f"{k}: {other.get(k)!r} -> {v!r}" for k, v in mine.items() if k != "pruner" and other.get(k) != v]


def open_storage(url: str):
    import optuna

    options = {"engine_kwargs": {"connect_args": {"timeout": 60}}} if url.startswith("sqlite:") else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeats are "experimental" in Optuna, and what marks dead workers' trials
            return optuna.storages.RDBStorage(url, heartbeat_interval=30, grace_period=120, **options)
    except Exception as error:  # noqa: BLE001 - any driver or connection failure is the URL's
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ZooError(f"Cannot open the study storage {url}: {reason}. Check the URL (sqlite:///PATH,"
                       " postgresql://USER:PASSWORD@HOST/DB, mysql+pymysql://...) and that its driver is installed"
                       " and the server reachable.") from None


def make_pruner(name: str):
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource="auto")
    return optuna.pruners.NopPruner()


def load_study(spec: StudySpec, name: str, storage_url: str, seed: int, worker: int = 0):
    """Create the study, or continue it when ``spec`` matches the one it was made with."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failed trials are in the table, with their error
    storage = open_storage(storage_url)
    direction = "maximize" if spec.direction == "maximize" else "minimize"
    study = optuna.create_study(study_name=name, storage=storage, direction=direction, load_if_exists=True,
                                sampler=optuna.samplers.TPESampler(seed=seed + 7919 * worker),
                                pruner=make_pruner(spec.pruner))
    saved = study.user_attrs.get("nlpzoo")
    if saved is None:
        if worker == 0:
            study.set_user_attr("nlpzoo", json.loads(json.dumps(asdict(spec))))
    elif spec.differences(saved):
        raise ZooError(f"Study '{name}' in {storage_url} was made with other settings ("
                       + "; ".join(spec.differences(saved)[:3])
                       + "). Continue it with the same command, or name a new study with --study NEW.")
    return study


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
    threads: int | None
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

    from ..machinery.discovery import get_zoo

    if worker.threads:
        import torch

        torch.set_num_threads(worker.threads)
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
        trial.set_user_attr("worker", {"index": worker.index, "pid": os.getpid(), "threads": worker.threads})
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

            settings = FitSettings(seed=seed, device=worker.device, progress=False, threads=worker.threads,
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
    with warnings.catch_warnings():
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
        import sys

        print(f"Error (worker {worker.index}): {error}", file=sys.stderr)
        raise SystemExit(2) from None


# -- outputs ----------------------------------------------------------------------------------------
def trial_row(trial) -> dict:
    """A trial as a dict: number, state, value, seconds, epochs, preprocess, params, error."""
    seconds = trial.user_attrs.get("seconds")
    if seconds is None and trial.datetime_start and trial.datetime_complete:
        seconds = round((trial.datetime_complete - trial.datetime_start).total_seconds(), 2)
    return {"number": trial.number, "state": trial.state.name.lower(), "value": trial.value,
            "seconds": seconds, "epochs": trial.user_attrs.get("epochs"),
            "preprocess": trial.user_attrs.get("preprocess"), "preprocess_searched": "preprocess" in trial.params,
            "params": {k: v for k, v in trial.params.items() if k != "preprocess"},
            "error": trial.user_attrs.get("error") or trial.system_attrs.get("fail_reason")}


def trial_rows(study) -> list[dict]:
    return [trial_row(trial) for trial in study.get_trials(deepcopy=False)]


def write_trials_csv(rows: list[dict], path: Path) -> None:
    from ..foundations.atomic import atomic_path

    names = sorted({k for row in rows for k in row["params"]})
    with atomic_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "state", "value", "seconds", "epochs", "preprocess", *names, "error"])
        for row in rows:
            writer.writerow([row["number"], row["state"], "" if row["value"] is None else row["value"],
                             row["seconds"] if row["seconds"] is not None else "", row["epochs"] or "",
                             row["preprocess"] or "", *[row["params"].get(n, "") for n in names], row["error"] or ""])


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def preset_text(kind: TrainableKind, component: Component, preset_name: str, params: dict, chain: str | None,
                study_name: str, trial: int, metric: str, value: float) -> str:
    """A registry file whose one preset is the best trial: ``zoo --registry FILE run --KIND NAME``."""
    lines = [f"# Written by zoo tune: study '{study_name}', best trial {trial} ({metric} {value:.4f}).",
             f"#   zoo --registry THIS_FILE run --{kind.name} {preset_name}",
             f"#   zoo --registry THIS_FILE bench --{kind.plural} {preset_name},{component.name}", "",
             f"[{kind.plural}.{preset_name}]", f"base = {toml_value(component.name)}",
             f"description = {toml_value(f'{component.name} tuned by zoo tune (study {study_name}, trial {trial})')}",
             f"preprocess = {toml_value(chain or 'none')}"]
    lines += [f"{name} = {toml_value(value)}" for name, value in sorted(params.items())]
    return "\n".join(lines) + "\n"


def write_plots(study, folder: Path, metric: str) -> list[str]:
    """Optimisation history, parameter importances and parallel coordinates as PNG (Optuna's
    matplotlib backend); a plot that cannot be drawn yet (too few finished trials) is left out."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as plots

    written = []
    for name, draw in (("optimization_history.png", plots.plot_optimization_history),
                       ("param_importances.png", plots.plot_param_importances),
                       ("parallel_coordinate.png", plots.plot_parallel_coordinate)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                axes = draw(study, target_name=metric)
            figure = (axes.flat[0] if hasattr(axes, "flat") else axes).figure
            figure.set_size_inches(9, 5.5)
            figure.tight_layout()
            figure.savefig(folder / name, dpi=110)
            plt.close(figure)
            written.append(name)
        except Exception:  # noqa: BLE001 - e.g. importances need two finished trials with varying params
            plt.close("all")
    return written


# -- the whole study ----------------------------------------------------------------------------------
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


@dataclass
class TuneResult:
    """What a study gave: its folder, every trial, the best one and its test metrics."""

    folder: Path
    study: str
    storage: str
    metric: str                      # e.g. "validation macro-F1"
    direction: str                   # "maximize" or "minimize"
    trials: list[dict]
    best: dict | None                # number, value, params, preprocess
    test: dict | None                # the best trial's test-split metrics (None until the study ends)
    run_dir: Path | None             # the best trial retrained and tested (a run folder)
    preset: Path | None              # tuned.toml
    interrupted: bool = False
    files: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        counts = {"complete": 0, "pruned": 0, "fail": 0, "running": 0}
        for row in self.trials:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        return counts

    def to_dict(self) -> dict:
        return {"study": self.study, "folder": str(self.folder), "storage": self.storage, "metric": self.metric,
                "direction": self.direction, "trials": self.counts, "best": self.best, "test": self.test,
                "run_dir": str(self.run_dir) if self.run_dir else None,
                "preset": str(self.preset) if self.preset else None, "interrupted": self.interrupted,
                "files": self.files}

    def to_dataframe(self):
        """One row per trial (params as columns), as trials.csv holds them."""
        import pandas as pd

        return pd.DataFrame([{**{k: v for k, v in row.items() if k != "params"}, **row["params"]}
                             for row in self.trials])


def run_study(kind: TrainableKind, component: Component, space: SearchSpace, options: DataOptions, zoo, *,
              trials: int | None, timeout: float | None, seeds: list[int], pruner: str, jobs: int,
              threads: int | None, name: str, folder: Path, storage: str | None, device: str,
              registry: str | None, log: Callable[[str], Any], progress: bool,
              on_trial: Callable[[dict], Any] | None = None) -> TuneResult:
    """Prepare the data once per chain, run the trials (in ``jobs`` processes), write the outputs,
    and retrain the best trial to test it once."""
    import multiprocessing

    import optuna

    from dataclasses import replace

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
    threads = threads or max(1, (os.cpu_count() or 1) // max(1, jobs))
    worker = Worker(spec, name, storage, trials, timeout, threads, device, registry, options.seed, 0, prepared)
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


def write_outputs(kind, component, study, spec, space, prepared, folder, name, storage, seeds, device, threads, log,
                  progress, interrupted) -> TuneResult:
    """trials.csv, plots, tuned.toml, and, once the study has ended, the best trial tested once."""
    import optuna
    import shutil

    from ..foundations.atomic import write_json, write_text
    from .runs import read_record, train_run

    rows = trial_rows(study)
    write_trials_csv(rows, folder / "trials.csv")
    files = ["trials.csv", *write_plots(study, folder, spec.metric)]
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    result = TuneResult(folder, name, storage, spec.metric, spec.direction, rows, None, None, None, None,
                        interrupted, files)
    if not complete:
        return result
    best_trial = study.best_trial
    chain = best_trial.user_attrs.get("preprocess", "none")
    params = {**space.fixed, **{k: component.param(k).convert(v, "trial") for k, v in best_trial.params.items()
                                if k != "preprocess"}}
    result.best = {"number": best_trial.number, "value": best_trial.value, "params": params, "preprocess": chain,
                   "seed_values": best_trial.user_attrs.get("seed_values")}
    preset_name = f"{component.name}-tuned"
    result.preset = folder / "tuned.toml"
    write_text(result.preset, preset_text(kind, component, preset_name, params, None if chain == "none" else chain,
                                          name, best_trial.number, spec.metric, best_trial.value))
    files.append("tuned.toml")
    if not interrupted:  # the test split, once: the best trial retrained with the study's first seed
        run_dir = folder / "best-run"
        try:
            record = read_record(run_dir)
            same = record.get("tune_trial") == best_trial.number and record.get("tune_study") == name
        except ZooError:
            same = False
        if not same:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            log(f"Training the best trial ({best_trial.number}) again and testing it once...")
            settings = FitSettings(seed=seeds[0], device=device, progress=progress, threads=threads, log=log)
            run = train_run(kind, component, params, prepared[chain], settings, out=run_dir)
            record = read_record(run.run_dir)
            record.update(tune_study=name, tune_trial=best_trial.number)
            write_json(run_dir / "zoo_run.json", record)
        result.run_dir = run_dir
        result.test = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    summary = result.to_dict()
    if result.test:
        summary["test"] = {c.key: result.test.get(c.key) for c in kind.columns if c.key in result.test}
        result.test = summary["test"]
    summary["preset_name"] = preset_name
    write_json(folder / "best.json", summary)
    files.append("best.json")
    return result
