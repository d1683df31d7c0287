"""Training, evaluating and loading classifier runs: what ``zoo run``, ``zoo predict``,
``zoo evaluate`` and ``zoo bench`` share.

A run directory holds::

    config.json           everything needed to rebuild the model; status "training" until the end
    split.json            the exact train/validation/test rows (file row numbers and indices)
    model files           written by the classifier (safetensors + JSON, never pickles)
    metrics.json          test-split metrics, timings, parameter count, model size
    history.json          per-epoch train loss and validation macro-F1
    confusion_matrix.png, learning_curve.png
    checkpoint/           resumable training state (``zoo run --resume RUN_DIR``)

Every file is written atomically and config.json is marked complete last, so a crashed run never
looks like a finished model.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, distributed
from .atomic import write_json
from .classifier import FitSettings, LabeledTexts
from .components import Component
from .data import Dataset, load_dataset, numeric_scores
from .datasets import resolve, sha256_of
from .discretize import Discretizer, auto_discretizer
from .errors import DataError, RunDirError, ZooError
from .preprocessing import build_chain, parse_steps
from .split import Split, stratified_split

RUN_FORMAT = "nlp-zoo/classifier-run"
RUN_FORMAT_VERSION = 1


@dataclass
class DataOptions:
    data: str | None = None           # path or registry name; None: the built-in demo set
    text_col: str | None = None
    score_col: str | None = None
    fmt: str | None = None
    discretize: str | None = None
    score_range: tuple | None = None
    preprocess: str | None = None     # "normalize,tokenize,..."
    seed: int = 13
    test_fraction: float = 0.2
    validation_fraction: float = 0.1


@dataclass
class PreparedData:
    """One dataset, labelled, split and preprocessed once: every model of a bench shares it."""

    options: DataOptions
    dataset: Dataset
    discretizer: Discretizer
    labels: list[int]
    split: Split
    texts: list[str]                  # preprocessed
    source: dict = field(default_factory=dict)

    @property
    def class_names(self) -> list[str]:
        return self.discretizer.class_names

    def part(self, name: str) -> LabeledTexts:
        indices = getattr(self.split, name)
        return LabeledTexts([self.texts[i] for i in indices], [self.labels[i] for i in indices], len(self.class_names))


def prepare_data(options: DataOptions, zoo, log=print, progress: bool = False) -> PreparedData:
    source = resolve(options.data, zoo.registry)
    dataset = load_dataset(source.path, options.text_col or source.text_col, options.score_col or source.score_col,
                           options.fmt or source.fmt)
    if dataset.drop_summary():
        log(f"Warning: {dataset.drop_summary()}")
    spec = options.discretize or source.discretize
    score_range = options.score_range or source.score_range
    if score_range:
        numeric_scores(dataset, score_range)
    discretizer = Discretizer.parse(spec) if spec else auto_discretizer(dataset.scores)
    discretizer.fit(dataset.scores, dataset.source, dataset.rows)
    labels = discretizer.labels(dataset.scores, dataset.rows, dataset.source)
    split = stratified_split(labels, options.seed, options.test_fraction, options.validation_fraction,
                             discretizer.class_names, dataset.source)
    chain = build_chain(options.preprocess, zoo)
    texts = _run_chain(chain, dataset.texts, progress)
    info = {"path": str(Path(source.path).resolve()), "name": source.name, "text_col": dataset.text_col,
            "score_col": dataset.score_col, "format": options.fmt or source.fmt, "sha256": sha256_of(Path(source.path)),
            "rows_in": dataset.rows_in, "rows_kept": len(dataset), "dropped": dataset.dropped}
    return PreparedData(options, dataset, discretizer, labels, split, texts, info)


def _run_chain(chain, texts: list[str], progress: bool) -> list[str]:
    if not chain.steps:
        return list(texts)
    from rich.progress import Progress

    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"preprocess ({','.join(chain.names)})", total=len(texts))
        return chain.transform(texts, progress=lambda done: bar.update(task, completed=done))


def new_run_dir(name: str, out: str | Path | None) -> Path:
    if not distributed.is_main():  # under torchrun only rank 0 writes; the others agree on rank 0's choice
        return Path(distributed.gather(None)[0])
    if out:
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise ZooError(f"--out {path} exists and is not empty. Choose a new folder, or resume it with --resume {path}.")
        path.mkdir(parents=True, exist_ok=True)
        return _share(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("runs") / f"{stamp}-{name}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = Path(f"{base}-{n}")
    path.mkdir(parents=True)
    return _share(path)


def _share(path: Path) -> Path:
    if distributed.world() is not None:
        distributed.gather(str(path))  # pairs with the other ranks' gather above
    return path


def _component_info(component: Component) -> dict:
    return {"name": component.name, "kind": component.kind, "base": component.base or component.name,
            "plugin": component.plugin, "distribution": component.distribution, "version": component.version}


@dataclass
class RunResult:
    run_dir: Path
    metrics: dict
    history: dict
    interrupted: bool


def train_and_evaluate(component: Component, param_overrides: dict, prepared: PreparedData, run_dir: Path,
                       settings: FitSettings, resume: bool = False) -> RunResult:
    """Build, train, test and save one classifier into ``run_dir``."""
    params = component.resolve_params(param_overrides)
    config = {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION, "zoo_version": __version__,
              "status": "training", "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "component": _component_info(component), "params": params,
              "class_names": prepared.class_names, "discretizer": prepared.discretizer.to_dict(),
              "preprocess": parse_steps(prepared.options.preprocess), "data": prepared.source,
              "data_options": {k: v for k, v in asdict(prepared.options).items()},
              "split": {"file": "split.json", "seed": prepared.split.seed,
                        "test_fraction": prepared.split.test_fraction,
                        "validation_fraction": prepared.split.validation_fraction},
              "seed": settings.seed, "device": settings.device}
    main = distributed.is_main()
    if main:
        write_json(run_dir / "config.json", config)
        write_json(run_dir / "split.json", {**prepared.split.to_dict(),
                                            "rows": {part: [prepared.dataset.rows[i] for i in getattr(prepared.split, part)]
                                                     for part in ("train", "validation", "test")}})
    classifier = component.build(**param_overrides)
    settings.checkpoint_dir = run_dir / "checkpoint"
    settings.resume = resume
    history = classifier.fit(prepared.part("train"), prepared.part("validation"), settings)
    if not main:  # the other ranks trained their shards; rank 0 tests and writes
        return RunResult(run_dir, {}, history, bool(history.get("interrupted")))
    test = prepared.part("test")
    started = time.perf_counter()
    probabilities = classifier.predict_proba(test.texts)
    inference_seconds = time.perf_counter() - started
    from .metrics import classification_metrics, plot_confusion_matrix, plot_learning_curve

    metrics = classification_metrics(test.labels, probabilities.argmax(1), prepared.class_names)
    classifier.save(run_dir)
    train_tokens = history.get("train_tokens", 0)
    train_seconds = history.get("train_seconds", 0.0)
    model_files = [p for p in run_dir.iterdir() if p.is_file() and p.suffix in (".safetensors", ".json")
                   and p.name not in ("config.json", "metrics.json", "history.json", "split.json")]
    metrics.update({
        "classifier": component.name, "train_seconds": train_seconds,
        "train_tokens_per_second": train_tokens / train_seconds if train_seconds else None,
        "inference_texts_per_second": len(test.texts) / inference_seconds if inference_seconds else None,
        "parameters": history.get("parameters"), "model_size_bytes": sum(p.stat().st_size for p in model_files),
        "epochs_run": len(history.get("epochs", [])), "best_epoch": history.get("best_epoch"),
        "interrupted": bool(history.get("interrupted")), "seed": settings.seed, "device": settings.device,
        "train_rows": len(prepared.split.train), "validation_rows": len(prepared.split.validation),
        "test_rows": len(prepared.split.test)})
    write_json(run_dir / "metrics.json", metrics)
    write_json(run_dir / "history.json", {"epochs": history.get("epochs", []),
                                          "interrupted": bool(history.get("interrupted")),
                                          "stopped_early": bool(history.get("stopped_early")),
                                          "global_step": history.get("global_step"),
                                          **({"rank_rows": history["rank_rows"]} if "rank_rows" in history else {})})
    plot_confusion_matrix(metrics["confusion_matrix"], prepared.class_names, run_dir / "confusion_matrix.png",
                          f"{component.name}: test split")
    plot_learning_curve(history.get("epochs", []), run_dir / "learning_curve.png", component.name)
    config["status"] = "complete"
    config["model_files"] = sorted(p.name for p in model_files)  # e.g. model.safetensors, vocabulary.json
    write_json(run_dir / "config.json", config)
    return RunResult(run_dir, metrics, history, bool(history.get("interrupted")))


# -- loading saved runs --------------------------------------------------------------------------
@dataclass
class LoadedRun:
    run_dir: Path
    config: dict
    classifier: object
    chain: object
    discretizer: Discretizer

    @property
    def class_names(self) -> list[str]:
        return self.config["class_names"]

    def predict(self, texts: list[str]) -> list[dict]:
        processed = self.chain.transform(list(texts))
        probabilities = self.classifier.predict_proba(processed)
        results = []
        for text, row in zip(texts, probabilities):
            best = int(row.argmax())
            results.append({"text": text, "label": self.class_names[best],
                            "probabilities": {name: round(float(p), 6) for name, p in zip(self.class_names, row)}})
        return results


def read_run_config(run_dir: str | Path, require_complete: bool = True) -> dict:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunDirError(f"Run directory {run_dir} does not exist. Runs are made by 'zoo run'.")
    path = run_dir / "config.json"
    try:
        config = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{run_dir} is not a zoo run directory (no config.json).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunDirError(f"{path} is corrupted ({error}). Retrain with 'zoo run'.") from None
    if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
        raise RunDirError(f"{run_dir} was not written by 'zoo run' (config.json has no '{RUN_FORMAT}' format).")
    if config.get("format_version", 0) > RUN_FORMAT_VERSION:
        raise RunDirError(f"{run_dir} was written by a newer nlp-zoo (format {config['format_version']}); upgrade nlp-zoo.")
    if require_complete and config.get("status") != "complete":
        raise RunDirError(f"{run_dir} holds an unfinished run (status '{config.get('status')}'). Continue it with"
                          f" 'zoo run --resume {run_dir}'.")
    return config


def load_run(run_dir: str | Path, zoo, device: str = "cpu") -> LoadedRun:
    run_dir = Path(run_dir)
    config = read_run_config(run_dir)
    info = config["component"]
    try:
        component = zoo.get("classifier", info["base"])
    except ZooError as error:
        raise RunDirError(f"{run_dir} needs the classifier '{info['base']}' from {info['distribution']}"
                          f" {info['version']}, which is not available here: {error}") from None
    base_params = {p.name for p in component.params}
    classifier = component.build(**{k: v for k, v in config["params"].items() if k in base_params})
    import inspect

    if "device" in inspect.signature(classifier.load).parameters:
        classifier.load(run_dir, device=device)
    else:  # the contract's plain form: load(directory)
        classifier.load(run_dir)
    chain = build_chain(config["preprocess"], zoo)
    return LoadedRun(run_dir, config, classifier, chain, Discretizer.from_dict(config["discretizer"]))


def evaluate_loaded(run: LoadedRun, data: str | None, zoo, text_col=None, score_col=None, fmt=None) -> dict:
    """Metrics of a saved model on new data (labelled the run's way), or on its own test split."""
    from .metrics import classification_metrics

    if data is None:
        saved = json.loads((run.run_dir / "split.json").read_text("utf-8"))
        source = run.config["data"]
        dataset = load_dataset(source["path"], source["text_col"], source["score_col"], source.get("format"))
        indices = saved["test"]
        if sha256_of(Path(source["path"])) != source["sha256"]:
            raise DataError(f"{source['path']} changed since the run; pass --data to evaluate on it explicitly.")
        texts = [dataset.texts[i] for i in indices]
        scores = [dataset.scores[i] for i in indices]
        rows = [dataset.rows[i] for i in indices]
        origin = f"{source['path']} (the run's test split)"
    else:
        resolved = resolve(data, zoo.registry)
        dataset = load_dataset(resolved.path, text_col or resolved.text_col or run.config["data"]["text_col"],
                               score_col or resolved.score_col or run.config["data"]["score_col"], fmt or resolved.fmt)
        texts, scores, rows, origin = dataset.texts, dataset.scores, dataset.rows, str(resolved.path)
    labels = run.discretizer.labels(scores, rows, origin)
    probabilities = run.classifier.predict_proba(run.chain.transform(texts))
    metrics = classification_metrics(labels, probabilities.argmax(1), run.class_names)
    metrics["data"] = origin
    return metrics
