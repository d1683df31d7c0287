"""The metrics the core computes for every classifier and regressor, against hand counts and scipy's and
scikit-learn's own."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import mean_absolute_error, r2_score

from nlpzoo.data.metrics import classification_metrics, macro_f1, regression_metrics


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


# Ten unbalanced labels over four classes: "a" six times, "b" three, "c" once, "d" never (and never predicted).
# The confusion matrix, rows true, columns predicted:  a: 5 1 0 0 / b: 1 2 0 0 / c: 1 0 0 0 / d: 0 0 0 0
UNBALANCED_LABELS = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2]
UNBALANCED_PREDICTIONS = [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
F1_A, F1_B = 2 * 5 / (2 * 5 + 2 + 1), 2 * 2 / (2 * 2 + 1 + 1)   # 2TP / (2TP + FP + FN): 10/13 and 2/3


def test_macro_f1_is_the_mean_of_each_classs_f1_on_unbalanced_data_not_the_accuracy():
    metrics = classification_metrics(UNBALANCED_LABELS, UNBALANCED_PREDICTIONS, ["a", "b", "c", "d"])
    assert metrics["accuracy"] == pytest.approx(0.7)              # micro-F1 equals this: 7 of 10 right
    assert metrics["macro_f1"] == pytest.approx((F1_A + F1_B + 0 + 0) / 4)   # 0.359, a class without texts is 0
    assert metrics["weighted_f1"] == pytest.approx((6 * F1_A + 3 * F1_B + 1 * 0) / 10)
    assert metrics["macro_precision"] == pytest.approx((5 / 7 + 2 / 3) / 4)
    assert metrics["macro_recall"] == pytest.approx((5 / 6 + 2 / 3) / 4)
    assert metrics["weighted_recall"] == pytest.approx(0.7)
    assert metrics["per_class"]["a"] == pytest.approx({"precision": 5 / 7, "recall": 5 / 6, "f1": F1_A, "support": 6})
    assert metrics["per_class"]["d"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert metrics["confusion_matrix"] == [[5, 1, 0, 0], [1, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert metrics["support"] == 10 and metrics["class_names"] == ["a", "b", "c", "d"]


def test_the_training_loops_validation_macro_f1_is_the_same_number():
    assert macro_f1(UNBALANCED_LABELS, np.array(UNBALANCED_PREDICTIONS), 4) == pytest.approx((F1_A + F1_B) / 4)
    assert macro_f1([0, 1], np.array([0, 1]), 3) == pytest.approx(2 / 3)   # a class never seen nor predicted is 0
