"""The regressor kind: text in, a score out (a rating, a relevance, a readability level), with no
discretisation. The same model names serve both kinds: ``zoo run --regressor bigru`` next to
``zoo run --classifier bigru``.

Contract (what a regressor factory returns; the core drives every regressor this way)::

    model = component.build(**params)                   # untrained; parameters already checked
    history = model.fit(train, validation, settings)    # ScoredTexts, ScoredTexts, FitSettings
    scores = model.predict(texts)                        # numpy array (len(texts),) of floats
    model.save(run_dir)                                  # run_dir exists; safetensors / JSON, no pickles
    fresh = component.build(**params); fresh.load(run_dir, device="cpu")

- ``ScoredTexts(texts, scores)``: preprocessed texts and their scores as floats.
- ``fit`` returns the history as a classifier's does; per-epoch records carry the validation
  score it selects on (e.g. ``val_spearman``). It calls ``settings.on_epoch`` after each epoch.
- Predictions are on the scores' own scale; the core clips them to the declared score range
  (``--score-range`` or the dataset's), else to the range of the training scores.
- A text's score does not depend on the other texts in its batch; the same seed gives the same
  model; a fresh object loaded from ``save``'s files predicts exactly the same.

Neural plugins get all of this from :class:`nlpzoo.neural.NeuralTextRegressor` (one output,
standardised targets, MSE or Huber loss, early stopping on validation Spearman or RMSE).

Data: a file or registry dataset with numeric scores (``--score-col``); non-numeric or non-finite
scores and a constant score column are errors; ``--discretize`` is refused (it is for classifiers).
The train/validation/test split is seeded and stratified on binned scores, so every score range is
in each part. Default preprocessing: ``tokenize`` (no normalisation, which removes diacritics). Metrics computed by the core on the
test split: MAE, RMSE, R², Pearson and Spearman correlation (scipy), and the share of predictions
within one point of the truth. Run directory extras: ``predicted_vs_true.png`` and ``residuals.png``.
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
class ScoredTexts:
    """Preprocessed texts with their numeric scores."""

    texts: list[str]
    scores: list[float]
    raw_texts: list[str] | None = None     # the same texts before preprocessing (a teacher reads these)

    def __len__(self) -> int:
        return len(self.texts)


@runtime_checkable
class Regressor(Protocol):
    def fit(self, train: ScoredTexts, validation: ScoredTexts, settings: FitSettings) -> dict:
        """Train; return the history (as a classifier's)."""

    def predict(self, texts: Sequence[str]):
        """One score per text: a numpy array of shape (len(texts),)."""

    def save(self, directory: Path) -> None:
        """Write the trained state into ``directory`` (which exists): safetensors / JSON, never pickles."""

    def load(self, directory: Path, device: str = "cpu") -> None:
        """Restore what :meth:`save` wrote, on a freshly built instance."""


@dataclass
class PreparedScores:
    """One dataset with numeric scores, split and preprocessed once for every regressor of a bench."""

    options: DataOptions
    dataset: object                   # nlpzoo.data.Dataset
    scores: list[float]
    split: object                     # nlpzoo.split.Split
    texts: list[str]                  # preprocessed
    score_range: tuple[float, float]
    declared_range: bool
    source: dict = field(default_factory=dict)

    def part(self, name: str) -> ScoredTexts:
        indices = getattr(self.split, name)
        return ScoredTexts([self.texts[i] for i in indices], [self.scores[i] for i in indices],
                           [self.dataset.texts[i] for i in indices])


def stratification_bins(scores: list[float], most: int = 5, least_per_bin: int = 3) -> list[int]:
    """A stratum per score, so a stratified split puts every score range in each part: each score
    value when there are at most ten (ratings), else quantile bins (as many as keep
    ``least_per_bin`` scores in each)."""
    import numpy as np

    values = np.asarray(scores, dtype=np.float64)
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= 10 and counts.min() >= least_per_bin:  # few score values (a 1-6 rating): one stratum each
        return np.searchsorted(distinct, values).tolist()
    for count in range(most, 1, -1):
        edges = np.unique(np.quantile(values, np.linspace(0, 1, count + 1))[1:-1])
        bins = np.digitize(values, edges)
        if np.bincount(bins).min(initial=len(values)) >= least_per_bin and len(np.unique(bins)) > 1:
            return bins.tolist()
    return [0] * len(scores)


def prepare_regression_data(options: DataOptions, zoo, log=log_info, progress: bool = False) -> PreparedScores:
    from ..data import load_dataset, numeric_scores, to_numbers
    from ..datasets import resolve_source, source_info
    from ..errors import DataError
    from ..preprocessing import run_chain
    from ..split import stratified_split

    if options.discretize:
        raise DataError(f"--discretize {options.discretize} is for classifiers; a regressor predicts the score itself."
                        " Leave out --discretize, or train a classifier (--classifier NAME).")
    source = resolve_source(options, zoo)
    log(f"Loading {Path(source.path).name}...")
    dataset = load_dataset(source.path, options.text_col or source.text_col, options.score_col or source.score_col,
                           options.fmt or source.fmt)
    if dataset.drop_summary():
        log(f"Warning: {dataset.drop_summary()}")
    scores = [float(s) for s in to_numbers(dataset.scores, dataset.rows, dataset.source, dataset.score_col)]
    bad = next((row for row, s in zip(dataset.rows, scores) if not math.isfinite(s)), None)
    if bad is not None:
        raise DataError(f"{dataset.source}: row {bad}: the score in '{dataset.score_col}' is not a finite number.")
    declared = options.score_range or source.score_range
    if declared:
        numeric_scores(dataset, declared)
    if len(set(scores)) < 2:
        raise DataError(f"{dataset.source}: every score in '{dataset.score_col}' is {scores[0]:g}: there is nothing to"
                        " predict. Check --score-col.")
    bins = stratification_bins(scores)
    split = stratified_split(bins, options.seed, options.test_fraction, options.validation_fraction,
                             [f"score bin {b + 1}" for b in range(max(bins) + 1)], dataset.source)
    texts = run_chain(options.preprocess, dataset.texts, zoo, progress)
    train_scores = [scores[i] for i in split.train]
    score_range = tuple(float(x) for x in declared) if declared else (min(train_scores), max(train_scores))
    return PreparedScores(options, dataset, scores, split, texts, score_range, bool(declared),
                          source_info(source, dataset, options))


def clip(predictions, score_range) -> "numpy.ndarray":
    import numpy as np

    return np.clip(np.asarray(predictions, dtype=np.float64).reshape(-1), score_range[0], score_range[1])


class LoadedRegressor:
    """A saved regressor run, ready to score raw texts with the run's own preprocessing."""

    def __init__(self, run_dir: Path, record: dict, model, chain):
        self.run_dir, self.record, self.model, self.chain = run_dir, record, model, chain
        self.score_range = tuple(record["score_range"])

    def predict_scores(self, texts: Sequence[str]):
        return clip(self.model.predict(self.chain.transform(list(texts))), self.score_range)

    def predict(self, texts: Sequence[str]) -> list[dict]:
        return [{"text": text, "score": round(float(score), 4)} for text, score in zip(texts, self.predict_scores(texts))]

    def evaluate(self, data: str | None, zoo, text_col=None, score_col=None, fmt=None) -> dict:
        """Metrics on new data, or on the run's own test split."""
        from ..data import to_numbers
        from ..metrics import regression_metrics
        from ..runs import evaluation_data

        texts, scores, rows, origin, column = evaluation_data(self.run_dir, self.record, data, zoo, text_col,
                                                              score_col, fmt)
        metrics = regression_metrics([float(s) for s in to_numbers(scores, rows, origin, column)],
                                     self.predict_scores(texts))
        metrics["data"] = origin
        return metrics


class RegressorKind(TrainableKind):
    name = "regressor"
    plural = "regressors"
    hook = "register_regressors"
    protocol = Regressor
    changes = (Change("load", "0.2.0", "the core passes device= (\"cpu\", \"cuda\") to load",
                      old="load(directory)", adapt=dropping_keywords("device")),)
    order = 35
    # Tokenised but not normalised: normalisation removes diacritics, which carry much of the signal
    # for readability (TF-IDF + Ridge on ReadMe++: Spearman 0.567 with normalize,tokenize, 0.708 with tokenize).
    default_preprocess = "tokenize"
    columns = (Column("spearman", "Spearman"), Column("pearson", "Pearson"), Column("mae", "MAE", 3, False),
               Column("rmse", "RMSE", 3, False), Column("r2", "R²"), Column("within_1", "within 1"),
               Column("train_seconds", "train s", 1, False), Column("inference_texts_per_second", "infer texts/s", 0),
               Column("parameters", "params", 0, False))
    primary_metric = "spearman"
    validation_metric = Column("spearman", "validation Spearman")
    epoch_metric = "val_spearman"

    def prepare(self, options, zoo, log=log_info, progress=False) -> PreparedScores:
        return prepare_regression_data(options, zoo, log, progress)

    def record(self, prepared: PreparedScores) -> dict:
        return {"score_range": list(prepared.score_range), "score_range_declared": prepared.declared_range}

    def fit(self, model, prepared: PreparedScores, settings: FitSettings) -> dict:
        return model.fit(prepared.part("train"), prepared.part("validation"), with_chain(settings, prepared.options))

    def evaluate(self, model, prepared: PreparedScores, settings: FitSettings) -> dict:
        import numpy as np

        from ..errors import ZooError
        from ..metrics import regression_metrics

        test = prepared.part("test")
        started = time.perf_counter()
        raw = np.asarray(model.predict(test.texts), dtype=np.float64)
        seconds = time.perf_counter() - started
        if raw.shape != (len(test.texts),):
            raise ZooError(f"predict returned shape {raw.shape}; expected ({len(test.texts)},).")
        if not np.isfinite(raw).all():
            raise ZooError("The model predicts NaN or infinite scores: training diverged."
                           " Lower the learning rate (--param lr=...) and run again.")
        metrics = regression_metrics(test.scores, clip(raw, prepared.score_range))
        metrics["inference_texts_per_second"] = len(test.texts) / seconds if seconds else None
        return metrics

    def validation_score(self, model, prepared: PreparedScores, settings: FitSettings) -> float:
        import numpy as np

        from ..metrics import regression_metrics

        validation = prepared.part("validation")
        raw = np.asarray(model.predict(validation.texts), dtype=np.float64)
        return float(regression_metrics(validation.scores, clip(raw, prepared.score_range))["spearman"])

    def fingerprint(self, model, prepared: PreparedScores):
        import numpy as np

        texts = [prepared.texts[i] for i in prepared.split.test[:8]] or ["نص"]
        return np.asarray(model.predict(texts), dtype=np.float64)

    def same_fingerprint(self, a, b) -> bool:
        import numpy as np

        return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-4))

    def write_artifacts(self, run_dir: Path, metrics: dict, history: dict, title: str) -> None:
        from ..metrics import plot_learning_curve, plot_regression

        plot_regression(metrics["test_points"], run_dir, title)
        plot_learning_curve(history.get("epochs", []), run_dir / "learning_curve.png", title, history.get("best_epoch"))

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        from .base import format_value

        return [[label, format_value(metrics.get(key), 4)] for label, key in (
            ("Spearman", "spearman"), ("Pearson", "pearson"), ("MAE", "mae"), ("RMSE", "rmse"), ("R²", "r2"),
            ("within 1 point", "within_1"))]

    def loaded(self, run_dir: Path, record: dict, model, zoo) -> LoadedRegressor:
        from ..preprocessing import build_chain

        return LoadedRegressor(run_dir, record, model, build_chain(record.get("preprocess"), zoo))


KIND = RegressorKind()
