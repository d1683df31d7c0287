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
  :class:`nlpzoo.foundations.errors.RunDirError`.

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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from ..foundations.errors import DataError, RunDirError
from .base import Column, DataOptions, Prepared, log_info
from .supervised import LoadedModel, SupervisedKind, SupervisedModel, TargetedTexts


@dataclass
class LabeledTexts(TargetedTexts):
    """Preprocessed texts with their class indices."""

    target_field = "labels"

    labels: list[int]
    n_classes: int
    class_names: list[str] | None = None   # the name of each class index, for models that store them


@runtime_checkable
class Classifier(SupervisedModel[LabeledTexts], Protocol):
    """Fitted with ``fit(train: LabeledTexts, validation: LabeledTexts, settings) -> history``, saved and
    loaded as every trained component is; a classifier brings its class probabilities."""

    def predict_proba(self, texts: Sequence[str]):
        """Class probabilities as a numpy array of shape (len(texts), n_classes)."""


@dataclass(kw_only=True)
class PreparedData(Prepared):
    """One dataset, labelled, split and preprocessed once: every model of a bench shares it."""

    discretizer: object               # nlpzoo.data.discretize.Discretizer
    labels: list[int]

    @property
    def class_names(self) -> list[str]:
        return self.discretizer.class_names

    def part(self, name: str) -> LabeledTexts:
        indices = getattr(self.split, name)
        return LabeledTexts([self.texts[i] for i in indices], [self.labels[i] for i in indices], len(self.class_names),
                            list(self.class_names), raw_texts=[self.dataset.texts[i] for i in indices])


def prepare_classification_data(options: DataOptions, zoo, log=log_info, progress: bool = False) -> PreparedData:
    return KIND.prepare(options, zoo, log, progress)


class LoadedClassifier(LoadedModel):
    """A saved classifier run, ready to label raw texts with the run's own preprocessing."""

    def __init__(self, kind, run_dir: Path, record: dict, model, chain):
        from ..data.discretize import Discretizer

        super().__init__(kind, run_dir, record, model, chain)
        self.discretizer = Discretizer.from_dict(record["discretizer"])

    @property
    def class_names(self) -> list[str]:
        return self.record["class_names"]

    def predict_proba(self, texts: Sequence[str]):
        return self.outputs(texts)

    def predict(self, texts: Sequence[str]) -> list[dict]:
        probabilities = self.predict_proba(texts)
        results = []
        for text, row in zip(texts, probabilities):
            best = int(row.argmax())
            results.append({"text": text, "label": self.class_names[best],
                            "probabilities": {name: round(float(p), 6) for name, p in zip(self.class_names, row)}})
        return results

    def targets(self, scores: list, rows: list[int], origin: str, column: str) -> list[int]:
        return self.discretizer.labels(scores, rows, origin)


class ClassifierKind(SupervisedKind):
    name = "classifier"
    plural = "classifiers"
    hook = "register_classifiers"
    protocol = Classifier
    order = 30
    default_preprocess = "normalize,tokenize"
    columns = (Column("macro_f1", "macro-F1"), Column("accuracy", "accuracy"),
               Column("macro_precision", "macro P"), Column("macro_recall", "macro R"),
               Column("train_seconds", "train s", 1, False), Column("train_tokens_per_second", "train tok/s", 0),
               Column("inference_texts_per_second", "infer texts/s", 0), Column("parameters", "params", 0, False),
               Column("model_size_bytes", "size MB", 1, False, scale=1e-6))
    primary_metric = "macro_f1"
    validation_metric = Column("macro_f1", "validation macro-F1")
    epoch_metric = "val_macro_f1"
    bench_default = "all"
    charts = (("macro_f1", "macro-F1 (test)"), ("accuracy", "accuracy (test)"),
              ("train_tokens_per_second", "train tokens/s"), ("inference_texts_per_second", "inference texts/s"))
    compared = ("macro_f1", "accuracy", "train_seconds")
    output_method = "predict_proba"
    output_noun = "probabilities"
    loaded_type = LoadedClassifier

    def targets(self, dataset, options: DataOptions, source):
        from ..data.discretize import Discretizer, auto_discretizer
        from ..data.tables import numeric_scores

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
        return labels, labels, discretizer.class_names, discretizer

    def prepared(self, options, dataset, labels, split, texts, discretizer, source: dict) -> PreparedData:
        return PreparedData(options, dataset, split, texts, source, discretizer=discretizer, labels=labels)

    def record(self, prepared: PreparedData) -> dict:
        return {"class_names": prepared.class_names, "discretizer": prepared.discretizer.to_dict()}

    def expected_shape(self, facts, count: int) -> tuple:
        return (count, len(facts.class_names))

    def metrics(self, facts, labels, probabilities) -> dict:
        from ..data.metrics import classification_metrics

        return classification_metrics(labels, probabilities.argmax(1), facts.class_names)

    def plot(self, run_dir: Path, metrics: dict, title: str) -> None:
        from ..data.metrics import plot_confusion_matrix

        plot_confusion_matrix(metrics["confusion_matrix"], metrics["class_names"], run_dir / "confusion_matrix.png",
                              f"{title}: test split")

    def card_facts(self, record: dict) -> str:
        names = record.get("class_names") or []
        return f"Classes: {', '.join(map(str, names))}." if names else ""

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        names = [("accuracy", "accuracy"), ("macro precision", "macro_precision"), ("macro recall", "macro_recall"),
                 ("macro F1", "macro_f1"), ("weighted precision", "weighted_precision"),
                 ("weighted recall", "weighted_recall"), ("weighted F1", "weighted_f1")]
        return [[label, f"{metrics[key]:.4f}"] for label, key in names if isinstance(metrics.get(key), float)
                and math.isfinite(metrics[key])]

    def check_loaded(self, run_dir: Path, record: dict, model) -> None:
        names = record.get("class_names")
        outputs = self.outputs(model, ["نص"]).shape[-1]
        if not isinstance(names, list) or len(names) != outputs:
            raise RunDirError(f"{run_dir}: zoo_run.json lists {len(names) if isinstance(names, list) else 'no'} class"
                              f" names but its model predicts {outputs} classes; the record was edited or mixed with"
                              " another run's files. Train again with 'zoo run'.")


KIND = ClassifierKind()
