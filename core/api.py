"""The Python API: the same engine as the ``zoo`` command line, for notebooks and scripts.

    import nlpzoo

    run = nlpzoo.train("bigru", data="restaurants", params={"epochs": 3})
    run.metrics["macro_f1"]
    run.predict(["الأكل لذيذ والخدمة ممتازة"])[0].label
    nlpzoo.load("latest").evaluate("other_reviews.csv")
    nlpzoo.bench(["bigru", "tfidf-logreg"], data="restaurants").to_dataframe()

``zoo run`` calls :func:`train` with its options, so both give the same run folders. Messages go
through the ``nlpzoo`` logger (``logging.basicConfig(level=logging.INFO)`` shows them);
``progress=False`` is fully silent; errors are :class:`nlpzoo.ZooError` with a message that says
what to change, and nothing here exits the interpreter.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .foundations.errors import ZooError
from .kinds import DataOptions, FitSettings, get_kind
from .kinds.base import log_info

DataLike = Any  # a path, a registry name, a pandas DataFrame, (texts, scores), or a list of texts


@dataclass(frozen=True)
class Prediction:
    """One text's prediction: a class ``label`` with ``probabilities`` (classifiers) or a ``score``
    (regressors)."""

    text: str
    label: str | None = None
    probabilities: dict[str, float] | None = None
    score: float | None = None

    def to_dict(self) -> dict:
        """The fields that are set, as ``zoo predict --json`` prints them."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class Metrics(dict):
    """A run's metrics (``metrics.json``): a dict, e.g. ``metrics["macro_f1"]`` or ``metrics["spearman"]``."""


class Run:
    """A trained run folder: its record, metrics and model, loaded through the plugin that made it."""

    def __init__(self, run_dir: str | Path, device: str = "cpu", registry: str | None = None,
                 interrupted: bool = False):
        from .workflows.runs import read_record

        self.dir = Path(run_dir)
        self.record = read_record(self.dir)
        self.kind = self.record.get("kind", "classifier")
        self.device, self.registry, self.interrupted = device, registry, interrupted
        self._loaded = None

    def __repr__(self) -> str:
        key = get_kind(self.kind).primary_metric if get_kind(self.kind).trainable else None
        value = self.metrics.get(key) if key else None
        shown = f", {key}={value:.4f}" if isinstance(value, float) else ""
        return f"<nlpzoo.Run {self.record['component']['name']} ({self.kind}) at {self.dir}{shown}>"

    @property
    def config(self) -> dict:
        """The run's record (``zoo_run.json``): component, parameters, data, split, preprocessing."""
        return self.record

    @property
    def name(self) -> str:
        """The component's name (``bigru``, a preset's name, ...)."""
        return self.record["component"]["name"]

    @property
    def metrics(self) -> Metrics:
        """Test-split metrics computed when the run was trained."""
        return Metrics(json.loads((self.dir / "metrics.json").read_text("utf-8")))

    @property
    def history(self) -> dict:
        """Per-epoch records of training (``history.json``)."""
        return json.loads((self.dir / "history.json").read_text("utf-8"))

    @property
    def loaded(self):
        """The loaded model (for a classifier or regressor, wrapped with the run's preprocessing)."""
        if self._loaded is None:
            from .machinery.discovery import get_zoo
            from .workflows.runs import load_run

            self._loaded = load_run(self.dir, get_zoo(self.registry), device=self.device)
        return self._loaded

    def _needs(self, method: str, kinds: str):
        if not hasattr(self.loaded, method):
            raise ZooError(f"{self.dir} holds a {self.kind} run; {method}() works on {kinds} runs.")
        return getattr(self.loaded, method)

    def predict(self, texts: str | Sequence[str]) -> list[Prediction]:
        """Label (classifiers) or score (regressors) raw texts, with the run's own preprocessing."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        return [Prediction(**row) for row in self._needs("predict", "classifier and regressor")(texts)]

    def predict_proba(self, texts: str | Sequence[str]):
        """Class probabilities, a numpy array (len(texts), n_classes) in the order of ``class_names``."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        return self._needs("predict_proba", "classifier")(texts)

    @property
    def class_names(self) -> list[str]:
        """A classifier's classes, in the order of ``predict_proba``'s columns (empty for other kinds)."""
        return list(self.record.get("class_names") or [])

    def evaluate(self, data: DataLike = None, text_col: str | None = None, score_col: str | None = None,
                 fmt: str | None = None) -> Metrics:
        """Metrics on new data (labelled the run's way), or on the run's own test split."""
        from .machinery.discovery import get_zoo

        evaluate = self._needs("evaluate", "classifier and regressor")
        path, text_col, score_col = materialize(data, text_col, score_col)
        return Metrics(evaluate(path, get_zoo(self.registry), text_col, score_col, fmt))

    def generate(self, prompt: str = "", **settings) -> list[str]:
        """Continue ``prompt`` with a generator run (``max_new_tokens``, ``temperature``, ``top_k``,
        ``top_p``, ``repetition_penalty``, ``num_return_sequences``, ``seed``, ``do_sample``)."""
        from .kinds.generator import check_sampling

        generate = self._needs("generate", "generator")
        defaults = dict(max_new_tokens=60, temperature=0.9, top_k=50, top_p=0.95, repetition_penalty=1.1,
                        num_return_sequences=1)
        values = {**defaults, **settings}
        check_sampling(*(values[k] for k in defaults))
        return generate(prompt, **values)


# -- data given as Python objects -----------------------------------------------------------------
def materialize(data: DataLike, text_col: str | None = None, score_col: str | None = None):
    """(path or registry name, text column, score column) for ``data``. A pandas DataFrame, a
    (texts, scores) pair or a list of texts is written once to a content-addressed file in the cache,
    so the run records a real path and sha256, and evaluating its test split later finds it."""
    if data is None or isinstance(data, (str, Path)):
        return (str(data) if data is not None else None), text_col, score_col
    from .data.datasets import cache_dir

    if hasattr(data, "to_csv") and hasattr(data, "columns"):  # a pandas DataFrame, without importing pandas
        content = data.to_csv(index=False).encode("utf-8")
        suffix = ".csv"
    else:
        if isinstance(data, tuple) and len(data) == 2:
            texts, scores = list(data[0]), list(data[1])
            if len(texts) != len(scores):
                raise ZooError(f"data=(texts, scores): {len(texts)} texts but {len(scores)} scores.")
            rows = [{"text": t, "score": s} for t, s in zip(texts, scores)]
        elif isinstance(data, Iterable):
            rows = [{"text": t} for t in data]
        else:
            raise ZooError(f"data: give a path, a dataset name, a pandas DataFrame, (texts, scores) or a list of texts;"
                           f" got {type(data).__name__}.")
        if not all(isinstance(r["text"], str) for r in rows):
            raise ZooError("data: every text must be a str.")
        content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        suffix = ".jsonl"
        text_col, score_col = text_col or "text", score_col or ("score" if rows and "score" in rows[0] else None)
    digest = hashlib.sha256(content).hexdigest()
    path = cache_dir().parent / "inline" / f"{digest[:16]}{suffix}"
    if not path.exists():
        from .foundations.atomic import atomic_path

        with atomic_path(path) as temporary:
            temporary.write_bytes(content)
    return str(path), text_col, score_col


# -- training ---------------------------------------------------------------------------------------
def train(model: str, data: DataLike = None, *, kind: str = "classifier", text_col: str | None = None,
          score_col: str | None = None, fmt: str | None = None, discretize: str | None = None,
          score_range: tuple[float, float] | None = None, preprocess: str | None = "default",
          params: dict | None = None, seed: int = 13, test_fraction: float = 0.2, validation_fraction: float = 0.1,
          out: str | Path | None = None, device: str = "auto", threads: int | None = None, progress: bool = True,
          resume: str | Path | None = None, eval_texts: int | None = None,
          on_epoch: Callable[[dict], Any] | None = None, registry: str | None = None,
          log: Callable[[str], Any] = log_info) -> Run:
    """Train and test ``model`` (a component name of ``kind``) and save it in a run folder.

    ``data``: a file, a registry dataset name (``nlpzoo.list_datasets()``), a pandas DataFrame,
    ``(texts, scores)``, or a list of texts (generators); None is the built-in demo set.
    ``preprocess``: "normalize,tokenize", "none", or "default" (a preset's own chain, else the kind's). ``params``: the
    component's parameters (``nlpzoo.info(model)``). ``out``: the run folder (default
    ``runs/<time>-<model>``). ``resume``: continue an unfinished run folder instead. ``on_epoch``
    is called with each finished epoch's record. Returns the :class:`Run`.
    """
    from .machinery.discovery import get_zoo
    from .workflows.runs import component_of_run, read_record, train_run

    zoo = get_zoo(registry)
    overrides = dict(params or {})
    if resume:
        record = read_record(resume, require_complete=False)
        kind_object = get_kind(record.get("kind", "classifier"))
        component = component_of_run(Path(resume), record, zoo)
        recorded = record["component"]["name"]
        if model is not None and model not in (recorded, component.name):
            raise ZooError(f"{resume} is a run of the {kind_object.name} '{recorded}'; resume continues it as it is:"
                           f" leave out the other model.")
        saved = record["data_options"]
        if data is not None and data != saved.get("data"):
            raise ZooError(f"{resume} was trained on {saved.get('data') or 'the built-in demo set'}; resume continues"
                           f" it on the same data: leave out data={data!r}.")
        overrides = {**{k: v for k, v in record["params"].items() if component.param(k)}, **overrides}
        options = DataOptions(**{**saved, "score_range": tuple(saved["score_range"]) if saved.get("score_range") else None})
        seed = record["seed"]
    else:
        kind_object = get_kind(kind)
        if not kind_object.trainable:
            raise ZooError(f"A {kind_object.name} is not trained; kinds you can train: "
                           + ", ".join(k.name for k in _trainable()) + ".")
        component = zoo.get(kind_object.name, model)
        component.resolve_params(overrides)  # a bad parameter fails before any work
        path, text_col, score_col = materialize(data, text_col, score_col)
        chain = (component.preprocess or kind_object.default_preprocess) if preprocess == "default" else preprocess
        options = DataOptions(path, text_col, score_col, fmt, discretize, tuple(score_range) if score_range else None,
                              None if not chain or chain.strip().lower() == "none" else chain, seed,
                              test_fraction, validation_fraction)
    prepared = kind_object.prepare(options, zoo, log=log, progress=progress)
    classes = f", classes {', '.join(prepared.class_names)}" if hasattr(prepared, "class_names") else ""
    log(f"{component.name}: {len(prepared.split.train)} train / {len(prepared.split.validation)} validation /"
        f" {len(prepared.split.test)} test texts{classes}")
    settings = FitSettings(seed=seed, device=device, progress=progress, threads=threads, log=log,
                           eval_texts=eval_texts, on_epoch=on_epoch)
    result = train_run(kind_object, component, overrides, prepared, settings, out=out, resume=resume)
    from .neural import distributed

    if not distributed.is_main():
        return result  # the other ranks of a torchrun job have no run folder of their own
    return Run(result.run_dir, registry=registry, interrupted=result.interrupted)


def _trainable():
    from .kinds import all_kinds

    return [k for k in all_kinds().values() if k.trainable]


def load(run_dir: str | Path = "latest", device: str = "cpu", registry: str | None = None) -> Run:
    """A saved run folder (``"latest"``: the newest complete run under ``runs/``)."""
    from .workflows.runs import resolve_run_dir

    run = Run(resolve_run_dir(run_dir), device=device, registry=registry)
    run.loaded  # load now, so a broken folder is an error here rather than at the first predict()
    return run


def generate(run: Run | str | Path, prompt: str = "", **settings) -> list[str]:
    """Continue ``prompt`` with a generator run (see :meth:`Run.generate`)."""
    return (run if isinstance(run, Run) else load(run)).generate(prompt, **settings)


# -- benchmarking -----------------------------------------------------------------------------------
@dataclass
class BenchResult:
    """Every (model, seed) row and each kind's summary (mean ± std over seeds), as ``zoo bench`` writes them."""

    out: Path
    rows: list[dict]
    summaries: dict[str, list[dict]]
    interrupted: bool = False
    environment: dict = field(default_factory=dict)

    def to_dataframe(self, kind: str | None = None, per_seed: bool = False):
        """The summary of ``kind`` (default: the first benchmarked) as a pandas DataFrame, one row per
        model; ``per_seed=True`` gives one row per model and seed instead."""
        try:
            import pandas as pd
        except ImportError:
            raise ZooError("to_dataframe() needs pandas: pip install pandas") from None
        kind = kind or next(iter(self.summaries), "classifier")
        if per_seed:
            return pd.DataFrame([{k: v for k, v in r.items() if k not in ("traceback", "split_test_rows")}
                                 for r in self.rows if r.get("kind") == kind])
        return pd.DataFrame(self.summaries.get(kind, []))

    @property
    def failed(self) -> list[dict]:
        """The rows of models that failed (not those skipped for an ambiguous name)."""
        return [r for r in self.rows if r.get("error") and not r["error"].startswith("LookupError: skipped")]


def bench(models: str | Sequence[str] | dict = "all", data: DataLike = None, *, kind: str = "classifier",
          text_col: str | None = None, score_col: str | None = None, fmt: str | None = None,
          discretize: str | None = None, preprocess: str | None = "default", epochs: int = 3,
          params: dict | None = None, seeds: Sequence[int] = (13,), jobs: int = 1, threads: int | None = None,
          device: str = "cpu", eval_texts: int | None = None, out: str | Path | None = None, sort: str | None = None,
          registry: str | None = None, on_row: Callable[[dict], Any] | None = None,
          on_start: Callable[[list[dict]], Any] | None = None) -> BenchResult:
    """Train and evaluate ``models`` on the same data, split and seeds, as ``zoo bench`` does.

    ``models``: names of ``kind`` (or "all"), or a dict ``{kind: names}`` to bench several kinds.
    ``params`` apply to every model that has them; ``epochs`` is the training budget. Writes
    table.md, results.csv, results.json and report.html to ``out`` (default ``bench-out/<time>``).
    """
    import os
    from datetime import datetime

    from .workflows.benchmarking import environment, job_list, prepare_shared, run_jobs, summarise
    from .workflows.bench_report import sort_summary, write_reports
    from .machinery.discovery import get_zoo

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
    threads = threads or max(1, (os.cpu_count() or 1) // jobs)
    out = Path(out or Path("bench-out") / datetime.now().strftime("%Y%m%d-%H%M%S"))
    if out.exists() and any(out.iterdir()):
        raise ZooError(f"{out} exists and is not empty: a bench writes its runs and tables there. Choose a new"
                       " folder (or leave out --out for bench-out/<time>).")
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
    write_reports(out, summaries, rows, env)
    return BenchResult(out, rows, summaries, interrupted, env)


# -- tuning -------------------------------------------------------------------------------------------
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
    from .machinery.discovery import get_zoo
    from .workflows.tuning import PRUNERS, build_space, default_study_name, parse_duration, read_space_file, run_study

    zoo = get_zoo(registry)
    kind_object = get_kind(kind)
    if not kind_object.trainable or kind_object.validation_metric is None:
        raise ZooError(f"A {kind_object.name} has no validation metric to tune; kinds you can tune: "
                       + ", ".join(k.name for k in _trainable() if k.validation_metric) + ".")
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
    from .foundations.errors import ComponentConflictError

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


# -- discovering ------------------------------------------------------------------------------------
def info(name: str, registry: str | None = None) -> dict | list[dict]:
    """A component's kind, origin, capabilities and parameters (types, defaults, allowed values); a
    list when the name is several kinds (``bigru`` is a classifier and a regressor)."""
    from .machinery.discovery import get_zoo
    from .foundations.errors import UnknownComponentError

    zoo = get_zoo(registry)
    found = zoo.find(name)
    if not found:
        raise UnknownComponentError("component", name, [c.name for c in zoo.list()])
    entries = [describe(c) for c in found]
    return entries[0] if len(entries) == 1 else entries


def describe(component) -> dict:
    """What :func:`info` and ``zoo info --json`` show of one component."""
    defaults = component.default_params()
    return {"name": component.name, "kind": component.kind, "plugin": component.plugin,
            "distribution": component.distribution, "version": component.version, "base": component.base,
            "description": component.description, "capabilities": component.capabilities,
            "params": [{"name": p.name, "type": p.type_name, "default": defaults[p.name], "help": p.help,
                        "choices": list(p.choices) if p.choices else None, "min": p.min, "max": p.max,
                        "budget": p.budget, "search": p.search.describe() if p.search else None}
                       for p in component.params]}


def list_datasets(registry: str | None = None) -> list[dict]:
    """The named datasets of the registry (``zoo data list``)."""
    from .machinery.discovery import get_zoo

    return [{"name": e.name, "description": e.description, "url": e.url, "path": e.path, "format": e.format}
            for e in get_zoo(registry).registry.datasets.values()]
from .workflows.tuning import TuneResult  # noqa: E402,F401  (nlpzoo.TuneResult)
