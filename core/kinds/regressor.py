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
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from ..foundations.errors import DataError
from .base import Column, DataOptions, Prepared, format_value, log_info
from .supervised import LoadedModel, SupervisedKind, SupervisedModel, TargetedTexts


@dataclass
class ScoredTexts(TargetedTexts):
    """Preprocessed texts with their numeric scores."""

    target_field = "scores"

    scores: list[float]


@runtime_checkable
class Regressor(SupervisedModel[ScoredTexts], Protocol):
    """Fitted with ``fit(train: ScoredTexts, validation: ScoredTexts, settings) -> history``, saved and
    loaded as every trained component is; a regressor brings one score per text."""

    def predict(self, texts: Sequence[str]):
        """One score per text: a numpy array of shape (len(texts),)."""


@dataclass(kw_only=True)
class PreparedScores(Prepared):
    """One dataset with numeric scores, split and preprocessed once for every regressor of a bench."""

    scores: list[float]
    score_range: tuple[float, float]
    declared_range: bool

    def part(self, name: str) -> ScoredTexts:
        indices = getattr(self.split, name)
        return ScoredTexts([self.texts[i] for i in indices], [self.scores[i] for i in indices],
                           raw_texts=[self.dataset.texts[i] for i in indices])


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
    return KIND.prepare(options, zoo, log, progress)


def clip(predictions, score_range) -> "numpy.ndarray":
    import numpy as np

    return np.clip(np.asarray(predictions, dtype=np.float64).reshape(-1), score_range[0], score_range[1])


class LoadedRegressor(LoadedModel):
    """A saved regressor run, ready to score raw texts with the run's own preprocessing."""

    def __init__(self, kind, run_dir: Path, record: dict, model, chain):
        super().__init__(kind, run_dir, record, model, chain)
        self.score_range = tuple(record["score_range"])

    def predict_scores(self, texts: Sequence[str]):
        return clip(self.outputs(texts), self.score_range)

    def predict(self, texts: Sequence[str]) -> list[dict]:
        return [{"text": text, "score": round(float(score), 4)} for text, score in zip(texts, self.predict_scores(texts))]

    def targets(self, scores: list, rows: list[int], origin: str, column: str) -> list[float]:
        from ..data.tables import to_numbers

        return [float(s) for s in to_numbers(scores, rows, origin, column)]


class RegressorKind(SupervisedKind):
    name = "regressor"
    plural = "regressors"
    hook = "register_regressors"
    protocol = Regressor
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
    charts = (("spearman", "Spearman (test)"), ("mae", "MAE (test, lower is better)"),
              ("inference_texts_per_second", "inference texts/s"))
    compared = ("spearman", "mae", "train_seconds")
    output_method = "predict"
    output_noun = "scores"
    loaded_type = LoadedRegressor

    def check_options(self, options: DataOptions) -> None:
        if options.discretize:
            raise DataError(f"--discretize {options.discretize} is for classifiers; a regressor predicts the score"
                            " itself. Leave out --discretize, or train a classifier (--classifier NAME).")

    def targets(self, dataset, options: DataOptions, source):
        from ..data.tables import numeric_scores, to_numbers

        scores = [float(s) for s in to_numbers(dataset.scores, dataset.rows, dataset.source, dataset.score_col)]
        bad = next((row for row, s in zip(dataset.rows, scores) if not math.isfinite(s)), None)
        if bad is not None:
            raise DataError(f"{dataset.source}: row {bad}: the score in '{dataset.score_col}' is not a finite number.")
        declared = options.score_range or source.score_range
        if declared:
            numeric_scores(dataset, declared)
        if len(set(scores)) < 2:
            raise DataError(f"{dataset.source}: every score in '{dataset.score_col}' is {scores[0]:g}: there is"
                            " nothing to predict. Check --score-col.")
        bins = stratification_bins(scores)
        return scores, bins, [f"score bin {b + 1}" for b in range(max(bins) + 1)], declared

    def prepared(self, options, dataset, scores, split, texts, declared, source: dict) -> PreparedScores:
        train_scores = [scores[i] for i in split.train]
        score_range = tuple(float(x) for x in declared) if declared else (min(train_scores), max(train_scores))
        return PreparedScores(options, dataset, split, texts, source, scores=scores, score_range=score_range,
                              declared_range=bool(declared))

    def record(self, prepared: PreparedScores) -> dict:
        return {"score_range": list(prepared.score_range), "score_range_declared": prepared.declared_range}

    def expected_shape(self, facts, count: int) -> tuple:
        return (count,)

    def metrics(self, facts, scores, predicted) -> dict:
        from ..data.metrics import regression_metrics

        return regression_metrics(scores, clip(predicted, facts.score_range))

    def plot(self, run_dir: Path, metrics: dict, title: str) -> None:
        from ..data.metrics import plot_regression

        plot_regression(metrics["test_points"], run_dir, title)

    def card_facts(self, record: dict) -> str:
        low, high = record.get("score_range") or (None, None)
        return f"Scores from {low:g} to {high:g}." if low is not None else ""

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        return [[label, format_value(metrics.get(key), 4)] for label, key in (
            ("Spearman", "spearman"), ("Pearson", "pearson"), ("MAE", "mae"), ("RMSE", "rmse"), ("R²", "r2"),
            ("within 1 point", "within_1"))]


KIND = RegressorKind()
