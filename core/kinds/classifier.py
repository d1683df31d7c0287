"""The classifier kind: text in, one of a fixed set of classes out.

Contract (what a classifier factory returns; the core drives every classifier this way)::

    model = component.build(**params)                  # untrained; parameters already checked
    history = model.fit(train, validation, settings)   # LabeledTexts, LabeledTexts, FitSettings
    probabilities = model.predict_proba(texts)          # numpy array (len(texts), n_classes)
    model.save(run_dir)                                 # its own files: safetensors / JSON, no pickles
    fresh = component.build(**params); fresh.load(run_dir, device="cpu")   # an instance method

- Texts arrive preprocessed (tokens separated by single spaces); labels are 0..n_classes-1.
- ``fit`` returns the history: ``{"epochs": [{"epoch", "train_loss", "val_macro_f1", ...}],
  "interrupted": bool}`` and, when it knows them, ``train_tokens``, ``train_seconds``,
  ``parameters``, ``best_epoch``, ``stopped_early``. It calls ``settings.on_epoch(record)`` after
  each epoch if it trains in epochs, and keeps the best weights on Ctrl-C (KeyboardInterrupt).
- A text's probabilities do not depend on the other texts of the batch; the same seed gives
  the same model; a saved and reloaded model predicts exactly as before saving.
- ``load`` works on a freshly built instance; a model whose files do not match raises
  :class:`nlpzoo.errors.RunDirError`.

Neural plugins need not write any of this: :class:`nlpzoo.neural.NeuralTextClassifier` brings
tokenisation, batching, the training loop and saving; the plugin supplies a ``torch.nn.Module``.

Data: a labelled dataset (text and score columns), scores discretised into classes
(``--discretize``), a seeded stratified train/validation/test split, the preprocessing chain
(default ``normalize,tokenize``). Metrics computed by the core on the test split: accuracy,
macro and weighted precision/recall/F1, per-class scores, the confusion matrix, inference
texts/s. Run directory extras: ``confusion_matrix.png`` and ``learning_curve.png``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from ..plugin_api import Change, dropping_keywords
from .base import Column, DataOptions, FitSettings, TrainableKind, log_info, with_chain


@dataclass
class LabeledTexts:
    """Preprocessed texts with their class indices."""

    texts: list[str]
    labels: list[int]
    n_classes: int
    class_names: list[str] | None = None   # the name of each class index, for models that store them
    raw_texts: list[str] | None = None     # the same texts before preprocessing (a teacher reads these)

    def __len__(self) -> int:
        return len(self.texts)


@runtime_checkable
class Classifier(Protocol):
    def fit(self, train: LabeledTexts, validation: LabeledTexts, settings: FitSettings) -> dict:
        """Train; return the history (see the module docstring for its keys)."""

    def predict_proba(self, texts: Sequence[str]):
        """Class probabilities as a numpy array of shape (len(texts), n_classes)."""

    def save(self, directory: Path) -> None:
        """Write the trained state into ``directory`` (which exists): safetensors / JSON, never pickles."""

    def load(self, directory: Path, device: str = "cpu") -> None:
        """Restore what :meth:`save` wrote, on a freshly built instance."""


@dataclass
class PreparedData:
    """One dataset, labelled, split and preprocessed once: every model of a bench shares it."""

    options: DataOptions
    dataset: object                   # nlpzoo.data.Dataset
    discretizer: object               # nlpzoo.discretize.Discretizer
    labels: list[int]
    split: object                     # nlpzoo.split.Split
    texts: list[str]                  # preprocessed
    source: dict = field(default_factory=dict)

    @property
    def class_names(self) -> list[str]:
        return self.discretizer.class_names

    def part(self, name: str) -> LabeledTexts:
        indices = getattr(self.split, name)
        return LabeledTexts([self.texts[i] for i in indices], [self.labels[i] for i in indices], len(self.class_names),
                            list(self.class_names), [self.dataset.texts[i] for i in indices])


def prepare_classification_data(options: DataOptions, zoo, log=log_info, progress: bool = False) -> PreparedData:
    from ..data import load_dataset, numeric_scores
    from collections import Counter

    from ..discretize import Discretizer, auto_discretizer
    from ..errors import DataError
    from ..preprocessing import run_chain
    from ..split import stratified_split
    from ..datasets import resolve_source, source_info

    source = resolve_source(options, zoo)
    log(f"Loading {Path(source.path).name}...")
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
    counts = Counter(labels)
    if len(counts) < 2:
        described = ", ".join(f"{discretizer.class_names[c]} ({n} rows)" for c, n in sorted(counts.items()))
        raise DataError(f"{dataset.source}: after discretisation ({spec or 'as-is'}) there is only one class:"
                        f" {described}. A classifier needs two or more: choose a --discretize that splits these"
                        " scores, or check the score column (--score-col).")
    split = stratified_split(labels, options.seed, options.test_fraction, options.validation_fraction,
                             discretizer.class_names, dataset.source)
    texts = run_chain(options.preprocess, dataset.texts, zoo, progress)
    return PreparedData(options, dataset, discretizer, labels, split, texts, source_info(source, dataset, options))


class LoadedClassifier:
    """A saved classifier run, ready to label raw texts with the run's own preprocessing."""

    def __init__(self, run_dir: Path, record: dict, model, chain):
        from ..discretize import Discretizer

        self.run_dir, self.record, self.model, self.chain = run_dir, record, model, chain
        self.discretizer = Discretizer.from_dict(record["discretizer"])

    @property
    def class_names(self) -> list[str]:
        return self.record["class_names"]

    def predict_proba(self, texts: Sequence[str]):
        return self.model.predict_proba(self.chain.transform(list(texts)))

    def predict(self, texts: Sequence[str]) -> list[dict]:
        probabilities = self.predict_proba(texts)
        results = []
        for text, row in zip(texts, probabilities):
            best = int(row.argmax())
            results.append({"text": text, "label": self.class_names[best],
                            "probabilities": {name: round(float(p), 6) for name, p in zip(self.class_names, row)}})
        return results

    def evaluate(self, data: str | None, zoo, text_col=None, score_col=None, fmt=None) -> dict:
        """Metrics on new data (labelled the run's way), or on the run's own test split."""
        from ..metrics import classification_metrics
        from ..runs import evaluation_data

        texts, scores, rows, origin, _ = evaluation_data(self.run_dir, self.record, data, zoo, text_col, score_col, fmt)
        labels = self.discretizer.labels(scores, rows, origin)
        metrics = classification_metrics(labels, self.predict_proba(texts).argmax(1), self.class_names)
        metrics["data"] = origin
        return metrics


class ClassifierKind(TrainableKind):
    name = "classifier"
    plural = "classifiers"
    hook = "register_classifiers"
    protocol = Classifier
    changes = (Change("load", "0.2.0", "the core passes device= (\"cpu\", \"cuda\") to load",
                      old="load(directory)", adapt=dropping_keywords("device")),)
    order = 30
    default_preprocess = "normalize,tokenize"
    columns = (Column("macro_f1", "macro-F1"), Column("accuracy", "accuracy"),
               Column("macro_precision", "macro P"), Column("macro_recall", "macro R"),
               Column("train_seconds", "train s", 1, False), Column("train_tokens_per_second", "train tok/s", 0),
               Column("inference_texts_per_second", "infer texts/s", 0), Column("parameters", "params", 0, False),
               Column("model_size_bytes", "size MB", 1, False))
    primary_metric = "macro_f1"
    validation_metric = Column("macro_f1", "validation macro-F1")
    epoch_metric = "val_macro_f1"

    def prepare(self, options, zoo, log=log_info, progress=False) -> PreparedData:
        return prepare_classification_data(options, zoo, log, progress)

    def record(self, prepared: PreparedData) -> dict:
        return {"class_names": prepared.class_names, "discretizer": prepared.discretizer.to_dict()}

    def fit(self, model, prepared: PreparedData, settings: FitSettings) -> dict:
        return model.fit(prepared.part("train"), prepared.part("validation"), with_chain(settings, prepared.options))

    def evaluate(self, model, prepared: PreparedData, settings: FitSettings) -> dict:
        import numpy as np

        from ..errors import ZooError
        from ..metrics import classification_metrics

        test = prepared.part("test")
        started = time.perf_counter()
        probabilities = np.asarray(model.predict_proba(test.texts), dtype=np.float64)
        seconds = time.perf_counter() - started
        if probabilities.shape != (len(test.texts), len(prepared.class_names)):
            raise ZooError(f"predict_proba returned shape {probabilities.shape}; expected"
                           f" ({len(test.texts)}, {len(prepared.class_names)}).")
        if not np.isfinite(probabilities).all():
            raise ZooError("The model predicts NaN or infinite probabilities: training diverged."
                           " Lower the learning rate (--param lr=...) and run again.")
        metrics = classification_metrics(test.labels, probabilities.argmax(1), prepared.class_names)
        metrics["inference_texts_per_second"] = len(test.texts) / seconds if seconds else None
        return metrics

    def validation_score(self, model, prepared: PreparedData, settings: FitSettings) -> float:
        import numpy as np

        from ..metrics import classification_metrics

        validation = prepared.part("validation")
        predicted = np.asarray(model.predict_proba(validation.texts), dtype=np.float64).argmax(1)
        return float(classification_metrics(validation.labels, predicted, prepared.class_names)["macro_f1"])

    def fingerprint(self, model, prepared: PreparedData):
        import numpy as np

        texts = [prepared.texts[i] for i in prepared.split.test[:8]] or ["نص"]
        return np.asarray(model.predict_proba(texts), dtype=np.float64)

    def same_fingerprint(self, a, b) -> bool:
        import numpy as np

        return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-4))

    def write_artifacts(self, run_dir: Path, metrics: dict, history: dict, title: str) -> None:
        from ..metrics import plot_confusion_matrix, plot_learning_curve

        plot_confusion_matrix(metrics["confusion_matrix"], metrics["class_names"], run_dir / "confusion_matrix.png",
                              f"{title}: test split")
        plot_learning_curve(history.get("epochs", []), run_dir / "learning_curve.png", title, history.get("best_epoch"))

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        names = [("accuracy", "accuracy"), ("macro precision", "macro_precision"), ("macro recall", "macro_recall"),
                 ("macro F1", "macro_f1"), ("weighted precision", "weighted_precision"),
                 ("weighted recall", "weighted_recall"), ("weighted F1", "weighted_f1")]
        return [[label, f"{metrics[key]:.4f}"] for label, key in names if isinstance(metrics.get(key), float)
                and math.isfinite(metrics[key])]

    def loaded(self, run_dir: Path, record: dict, model, zoo) -> LoadedClassifier:
        import numpy as np

        from ..errors import RunDirError
        from ..preprocessing import build_chain

        names = record.get("class_names")
        outputs = np.asarray(model.predict_proba(["نص"])).shape[-1]
        if not isinstance(names, list) or len(names) != outputs:
            raise RunDirError(f"{run_dir}: zoo_run.json lists {len(names) if isinstance(names, list) else 'no'} class"
                              f" names but its model predicts {outputs} classes; the record was edited or mixed with"
                              " another run's files. Train again with 'zoo run'.")
        return LoadedClassifier(run_dir, record, model, build_chain(record.get("preprocess"), zoo))


KIND = ClassifierKind()
