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


# -- edges of the regression metrics --------------------------------------------------------------
def test_two_distinct_values_on_each_side_are_enough_for_a_correlation():
    true, predicted = [1.0, 2.0, 1.0, 2.0, 2.0], [1.0, 2.0, 2.0, 2.0, 1.0]
    metrics = regression_metrics(true, predicted)
    assert metrics["spearman"] == pytest.approx(spearmanr(true, predicted).statistic)
    assert metrics["pearson"] == pytest.approx(pearsonr(true, predicted).statistic)


def test_constant_truth_has_no_correlation_either():
    metrics = regression_metrics([5.0, 5.0, 5.0], [4.0, 5.0, 6.0])
    assert metrics["spearman"] is None and metrics["pearson"] is None


def test_r2_needs_two_texts_and_is_sklearns_from_two_on():
    assert regression_metrics([3.0], [4.0])["r2"] is None
    assert regression_metrics([1.0, 3.0], [2.0, 3.0])["r2"] == pytest.approx(r2_score([1.0, 3.0], [2.0, 3.0]))


def test_within_one_point_counts_a_miss_of_exactly_one_and_points_keep_four_decimals():
    metrics = regression_metrics([5.0, 5.0, 5.0, 5.0], [6.0, 4.0, 6.5, 5.123456])
    assert metrics["within_1"] == 0.75
    assert metrics["test_points"] == [[5.0, 6.0], [5.0, 4.0], [5.0, 6.5], [5.0, 5.1235]]


# -- the plots: what each figure draws, read back from the figure itself ------------------------------
@pytest.fixture
def figures(monkeypatch, tmp_path):
    """Every figure a plot function saves, by file name; the PNG is still written (and must open)."""
    import matplotlib.image

    from nlpzoo.data import metrics

    saved = {}
    real_save = metrics._save_figure

    def save(figure, target):
        real_save(figure, target)
        assert matplotlib.image.imread(target).shape[0] > 100, f"{target.name} is not a readable picture"
        saved[target.name] = figure

    monkeypatch.setattr(metrics, "_save_figure", save)
    return saved


def test_the_regression_plots_show_each_point_the_diagonal_and_the_residuals(figures, tmp_path):
    from nlpzoo.data.metrics import plot_regression

    points = [[1.0, 2.0], [4.0, 3.5], [9.0, 8.0]]
    plot_regression(points, tmp_path, title="bigru")
    scatter = figures["predicted_vs_true.png"].axes[0]
    assert scatter.collections[0].get_offsets().tolist() == points
    diagonal = scatter.get_lines()[0]
    assert list(diagonal.get_xdata()) == [1.0, 9.0] and list(diagonal.get_ydata()) == [1.0, 9.0]
    assert scatter.get_title() == "bigru: test split"
    residuals = figures["residuals.png"].axes[0]
    assert residuals.collections[0].get_offsets().tolist() == [[1.0, 1.0], [4.0, -0.5], [9.0, -1.0]]
    assert residuals.get_title() == "bigru: residuals"
    assert list(residuals.get_lines()[0].get_ydata()) == [0, 0]   # the line of no error
    plot_regression([[2.0, 0.5]], tmp_path)   # the diagonal spans the predictions too, below the truth
    diagonal = figures["predicted_vs_true.png"].axes[0].get_lines()[0]
    assert list(diagonal.get_xdata()) == [0.5, 2.0]
    assert figures["predicted_vs_true.png"].axes[0].get_title() == "predicted vs true (test split)"


def test_the_confusion_matrix_shows_every_count_on_its_class_names(figures, tmp_path):
    from nlpzoo.data.metrics import plot_confusion_matrix

    matrix = [[8, 1, 0], [2, 5, 3], [0, 4, 9]]
    plot_confusion_matrix(matrix, ["low", "medium", "high"], tmp_path / "confusion_matrix.png")
    axes = figures["confusion_matrix.png"].axes[0]
    assert axes.images[0].get_array().tolist() == matrix
    assert [t.get_text() for t in axes.get_xticklabels()] == ["low", "medium", "high"]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["low", "medium", "high"]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in axes.texts}
    assert {k: int(t.get_text()) for k, t in cells.items()} == {(r, c): v for r, row in enumerate(matrix)
                                                                for c, v in enumerate(row)}
    # dark cells (above half the largest count) get white text
    assert {k for k, t in cells.items() if t.get_color() == "white"} == {(0, 0), (1, 1), (2, 2)}
    assert axes.get_xlabel() == "predicted" and axes.get_ylabel() == "true"
    assert axes.get_title() == "confusion matrix (test split)"
    plot_confusion_matrix([[4, 2], [0, 1]], ["a", "b"], tmp_path / "half.png", title="ensemble")
    axes = figures["half.png"].axes[0]
    colours = {t.get_text(): t.get_color() for t in axes.texts}
    assert colours == {"4": "white", "2": "black", "0": "black", "1": "black"}   # exactly half the largest: black
    assert axes.get_title() == "ensemble"


def test_the_learning_curve_shows_both_losses_the_score_and_the_kept_epoch(figures, tmp_path):
    from nlpzoo.data.metrics import plot_learning_curve

    epochs = [{"epoch": 1, "train_loss": 1.0, "val_loss": 0.9, "val_macro_f1": 0.5},
              {"epoch": 2, "train_loss": 0.6, "val_loss": 0.7, "val_macro_f1": 0.7},
              {"epoch": 3, "train_loss": 0.4, "val_loss": 0.8, "val_macro_f1": 0.6}]
    plot_learning_curve(epochs, tmp_path / "curve.png", best_epoch=2)
    loss_axes, score_axes = figures["curve.png"].axes
    train, validation, kept = loss_axes.get_lines()
    assert list(train.get_ydata()) == [1.0, 0.6, 0.4] and list(validation.get_ydata()) == [0.9, 0.7, 0.8]
    assert list(kept.get_xdata()) == [2, 2]
    assert list(score_axes.get_lines()[0].get_ydata()) == [0.5, 0.7, 0.6]
    assert [t.get_text() for t in loss_axes.get_legend().get_texts()] == [
        "train loss", "validation loss", "validation macro-F1", "kept: epoch 2"]
    assert list(loss_axes.get_xticks()) == [1, 2, 3] and loss_axes.get_title() == "learning curve"

    # no validation loss, no kept epoch: only the train loss and the score; a regressor's score is named
    plot_learning_curve([{"epoch": 1, "train_loss": 2.0, "val_spearman": 0.3}], tmp_path / "r.png", title="ridge")
    loss_axes, score_axes = figures["r.png"].axes
    assert len(loss_axes.get_lines()) == 1 and score_axes.get_ylabel() == "validation Spearman"
    assert loss_axes.get_title() == "ridge"


def test_a_model_without_epochs_gets_no_learning_curve(figures, tmp_path):
    from nlpzoo.data.metrics import plot_learning_curve

    plot_learning_curve([], tmp_path / "none.png")
    assert figures == {} and not (tmp_path / "none.png").exists()
