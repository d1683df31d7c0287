"""What the two supervised kinds share: texts with a target each (a class for a classifier, a score
for a regressor), split, trained, scored and loaded back the same way.

:class:`SupervisedKind` holds the whole path once: load the data, let the kind turn the score column
into its targets (and the strata the split keeps in proportion), split, preprocess, train with
``fit(train, validation, settings)``, time the model's outputs on the test split, check their shape
and that they are finite, and score them. A kind brings only what differs: its targets, its
``outputs`` method (``predict_proba`` or ``predict``), its metrics and its plots. :class:`LoadedModel`
is a saved supervised run ready to use, with one ``evaluate`` for both kinds.
"""
from __future__ import annotations

import abc
import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, Sequence, TypeVar, runtime_checkable

from ..data.preprocessing import build_chain, run_chain
from ..foundations.errors import DataError, ZooError
from ..machinery.plugin_api import Change, dropping_keywords
from .base import DataOptions, FitSettings, SavedModel, TrainableKind, log_info


@dataclass
class TargetedTexts:
    """Preprocessed texts, each with its target; a kind's part of its prepared data (LabeledTexts, ScoredTexts)."""

    texts: list[str]
    raw_texts: list[str] | None = field(default=None, kw_only=True)   # the same texts before preprocessing (a teacher reads these)
    target_field: ClassVar[str] = ""        # the field that holds the targets: "labels", "scores"

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def targets(self) -> list:
        """One target per text, what the kind's metrics compare outputs with."""
        return getattr(self, self.target_field)


Texts = TypeVar("Texts", bound=TargetedTexts)


@runtime_checkable
class SupervisedModel(SavedModel, Protocol[Texts]):
    """What a classifier's and a regressor's objects share: each is fitted on its kind's texts with their targets."""

    def fit(self, train: Texts, validation: Texts, settings: FitSettings) -> dict:
        """Train; return the history (docs/plugins.md lists its keys)."""


def evaluation_data(run_dir: Path, record: dict, data, zoo, text_col=None, score_col=None, fmt=None):
    """(texts, raw scores, file rows, where they came from, score column) to evaluate a saved run on:
    ``data`` (columns defaulting to the run's), or the run's own test split when ``data`` is None."""
    from ..data.datasets import resolve, sha256_of
    from ..data.split import read_split
    from ..data.tables import load_dataset

    source = record["data"]
    if data is None:
        if sha256_of(Path(source["path"])) != source["sha256"]:
            raise DataError(f"{source['path']} changed since the run; pass --data to evaluate on it explicitly.")
        dataset = load_dataset(source["path"], source["text_col"], source["score_col"], source.get("format"))
        indices = read_split(run_dir, len(dataset.texts))["test"]
        origin = f"{source['path']} (the run's test split)"
    else:
        resolved = resolve(data, zoo.registry)
        dataset = load_dataset(resolved.path, text_col or resolved.text_col or source["text_col"],
                               score_col or resolved.score_col or source["score_col"], fmt or resolved.fmt)
        indices, origin = list(range(len(dataset.texts))), str(resolved.path)
    return ([dataset.texts[i] for i in indices], [dataset.scores[i] for i in indices],
            [dataset.rows[i] for i in indices], origin, dataset.score_col)


class LoadedModel(abc.ABC):
    """A saved supervised run, ready for raw texts: the run's own preprocessing, then its model.
    Each supervised kind's loaded type says how raw scores from a file become its targets."""

    def __init__(self, kind: "SupervisedKind", run_dir: Path, record: dict, model, chain):
        self.kind, self.run_dir, self.record, self.model, self.chain = kind, run_dir, record, model, chain

    def outputs(self, texts: Sequence[str]):
        """The model's raw outputs (class probabilities, or scores before clipping) on raw texts."""
        return self.kind.outputs(self.model, self.chain.transform(list(texts)))

    @abc.abstractmethod
    def targets(self, scores: list, rows: list[int], origin: str, column: str):
        """The kind's targets for raw scores read from a file: class indices or numbers."""

    def evaluate(self, data: str | None, zoo, text_col=None, score_col=None, fmt=None) -> dict:
        """Metrics on new data (its scores turned into targets the run's way), or on the run's own test split."""
        texts, scores, rows, origin, column = evaluation_data(self.run_dir, self.record, data, zoo, text_col,
                                                              score_col, fmt)
        metrics = self.kind.metrics(self, self.targets(scores, rows, origin, column), self.outputs(texts))
        metrics["data"] = origin
        return metrics


class SupervisedKind(TrainableKind):
    """A kind trained on (text, target) pairs. :mod:`nlpzoo.kinds.classifier` and
    :mod:`nlpzoo.kinds.regressor` implement its abstract methods (targets, prepared data, output
    shape, metrics) and may refine the hooks that do nothing here (option checks, plots, the check
    of a loaded model); a kind that leaves an abstract method out cannot be instantiated."""

    changes = (Change("load", "0.2.0", "the core passes device= (\"cpu\", \"cuda\") to load",
                      old="load(directory)", adapt=dropping_keywords("device")),)
    output_method = ""        # the model's method that gives its outputs: "predict_proba", "predict"
    output_noun = ""          # what those outputs are, for messages: "probabilities", "scores"
    loaded_type: ClassVar[type[LoadedModel]]   # the kind's loaded-run class

    # What a kind brings.
    def check_options(self, options: DataOptions) -> None:
        """Refuse options that make no sense for this kind, before any data is read."""

    @abc.abstractmethod
    def targets(self, dataset, options: DataOptions, source):
        """(targets, strata, stratum names, kind fields): one target per row of ``dataset``, the stratum of
        each row for the split, and what the kind's prepared data keeps besides (a discretizer)."""

    @abc.abstractmethod
    def prepared(self, options, dataset, targets, split, texts, kept, source: dict):
        """The kind's prepared-data object."""

    @abc.abstractmethod
    def expected_shape(self, facts, count: int) -> tuple:
        """The shape :meth:`outputs` must have for ``count`` texts. ``facts`` is the prepared data or a
        loaded run: either tells what the kind needs (``class_names``, ``score_range``)."""

    @abc.abstractmethod
    def metrics(self, facts, targets, outputs) -> dict:
        """The kind's metrics of ``outputs`` (from :meth:`outputs`) against ``targets``."""

    def plot(self, run_dir: Path, metrics: dict, title: str) -> None:
        """The kind's own plots beside the learning curve."""

    def check_loaded(self, run_dir: Path, record: dict, model) -> None:
        """Refuse a saved model that does not fit its record."""

    # The path every supervised kind shares.
    def outputs(self, model, texts: Sequence[str]):
        import numpy as np

        return np.asarray(getattr(model, self.output_method)(list(texts)), dtype=np.float64)

    def prepare(self, options: DataOptions, zoo, log=log_info, progress: bool = False):
        from ..data.datasets import resolve_source, source_info
        from ..data.split import stratified_split
        from ..data.tables import load_dataset

        self.check_options(options)
        source = resolve_source(options, zoo)
        log(f"Loading {Path(source.path).name}...")
        dataset = load_dataset(source.path, options.text_col or source.text_col, options.score_col or source.score_col,
                               options.fmt or source.fmt)
        if dataset.drop_summary():
            log(f"Warning: {dataset.drop_summary()}")
        targets, strata, strata_names, kept = self.targets(dataset, options, source)
        split = stratified_split(strata, options.seed, options.test_fraction, options.validation_fraction,
                                 strata_names, dataset.source)
        texts = run_chain(options.preprocess, dataset.texts, zoo, progress)
        prepared = self.prepared(options, dataset, targets, split, texts, kept, source_info(source, dataset, options))
        prepared.zoo = zoo
        return prepared

    def fit(self, model, prepared, settings: FitSettings) -> dict:
        """``model.fit`` on the train and validation parts; ``settings.preprocess`` runs the run's own
        chain on raw texts (a teacher's unlabelled texts arrive as the training texts did)."""
        def preprocess(texts: list[str]) -> list[str]:
            return run_chain(prepared.options.preprocess, list(texts), prepared.zoo)

        return model.fit(prepared.part("train"), prepared.part("validation"),
                         dataclasses.replace(settings, preprocess=preprocess))

    def scored_outputs(self, model, prepared, part) -> tuple:
        """(outputs, seconds) of ``model`` on ``part``, checked: the shape the kind expects, finite numbers."""
        import numpy as np

        started = time.perf_counter()
        outputs = self.outputs(model, part.texts)
        seconds = time.perf_counter() - started
        expected = self.expected_shape(prepared, len(part.texts))
        if outputs.shape != expected:
            raise ZooError(f"{self.output_method} returned shape {outputs.shape}; expected {expected}.")
        if not np.isfinite(outputs).all():
            raise ZooError(f"The model predicts NaN or infinite {self.output_noun}: training diverged."
                           " Lower the learning rate (--param lr=...) and run again.")
        return outputs, seconds

    def evaluate(self, model, prepared, settings: FitSettings) -> dict:
        test = prepared.part("test")
        outputs, seconds = self.scored_outputs(model, prepared, test)
        metrics = self.metrics(prepared, test.targets, outputs)
        metrics["inference_texts_per_second"] = len(test.texts) / seconds if seconds else None
        return metrics

    def validation_score(self, model, prepared, settings: FitSettings) -> float:
        validation = prepared.part("validation")
        outputs = self.outputs(model, validation.texts)
        return float(self.metrics(prepared, validation.targets, outputs)[self.validation_metric.key])

    def fingerprint(self, model, prepared):
        return self.outputs(model, [prepared.texts[i] for i in prepared.split.test[:8]] or ["نص"])

    def same_fingerprint(self, a, b) -> bool:
        import numpy as np

        return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-4))

    def write_artifacts(self, run_dir: Path, metrics: dict, history: dict, title: str) -> None:
        from ..data.metrics import plot_learning_curve

        self.plot(run_dir, metrics, title)
        plot_learning_curve(history.get("epochs", []), run_dir / "learning_curve.png", title, history.get("best_epoch"))

    def loaded(self, run_dir: Path, record: dict, model, zoo) -> LoadedModel:
        self.check_loaded(run_dir, record, model)
        return self.loaded_type(self, run_dir, record, model, build_chain(record.get("preprocess"), zoo))
