"""The metrics the core computes for every regressor, against scipy's and scikit-learn's own."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import mean_absolute_error, r2_score

from nlpzoo.metrics import regression_metrics


def test_regression_metrics_match_the_reference_implementations():
    true = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    predicted = [1.5, 1.8, 3.9, 3.2, 5.5, 4.6]
    metrics = regression_metrics(true, predicted)
    assert metrics["mae"] == pytest.approx(mean_absolute_error(true, predicted))
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((np.array(true) - predicted) ** 2)))
    assert metrics["r2"] == pytest.approx(r2_score(true, predicted))
    assert metrics["pearson"] == pytest.approx(pearsonr(true, predicted).statistic)
    assert metrics["spearman"] == pytest.approx(spearmanr(true, predicted).statistic)
    assert metrics["within_1"] == pytest.approx(5 / 6)  # 6.0 -> 4.6 is the one miss
    assert metrics["test_points"][0] == [1.0, 1.5]


def test_constant_predictions_have_no_correlation_rather_than_nan():
    metrics = regression_metrics([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    assert metrics["spearman"] is None and metrics["pearson"] is None and metrics["mae"] == pytest.approx(2 / 3)
