"""Metrics the core computes for each kind (scikit-learn, scipy) and the runs' plots (matplotlib)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..foundations.atomic import atomic_path


def macro_f1(labels: list[int], predictions, n_classes: int) -> float:
    """The unweighted mean of each class's F1; a class never seen nor predicted counts as 0 (scikit-learn's default)."""
    from sklearn.metrics import f1_score

    return float(f1_score(labels, predictions, labels=list(range(n_classes)), average="macro", zero_division=0))


def classification_metrics(labels: list[int], predictions, class_names: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, precision_recall_fscore_support

    indices = list(range(len(class_names)))
    result = {"accuracy": float(accuracy_score(labels, predictions)), "support": len(labels)}
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(labels, predictions, labels=indices, average=average, zero_division=0)
        result.update({f"{average}_precision": float(p), f"{average}_recall": float(r), f"{average}_f1": float(f)})
    report = classification_report(labels, predictions, labels=indices, target_names=class_names,
                                   output_dict=True, zero_division=0)
    result["per_class"] = {name: {"precision": float(report[name]["precision"]), "recall": float(report[name]["recall"]),
                                  "f1": float(report[name]["f1-score"]), "support": int(report[name]["support"])}
                           for name in class_names}
    result["confusion_matrix"] = confusion_matrix(labels, predictions, labels=indices).tolist()
    result["class_names"] = list(class_names)
    return result


def regression_metrics(true: list[float], predicted) -> dict:
    """MAE, RMSE, R², Pearson and Spearman correlation, the share within one point, and the points."""
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    true_values, predicted = np.asarray(true, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    varied = len(np.unique(predicted)) > 1 and len(np.unique(true_values)) > 1
    return {"mae": float(mean_absolute_error(true_values, predicted)),
            "rmse": float(np.sqrt(mean_squared_error(true_values, predicted))),
            "r2": float(r2_score(true_values, predicted)) if len(true_values) > 1 else None,
            "pearson": float(pearsonr(true_values, predicted).statistic) if varied else None,
            "spearman": float(spearmanr(true_values, predicted).statistic) if varied else None,
            "within_1": float(np.mean(np.abs(predicted - true_values) <= 1.0)), "support": len(true_values),
            "test_points": [[float(t), round(float(p), 4)] for t, p in zip(true_values, predicted)]}


def plot_regression(points: list[list[float]], run_dir: Path, title: str = "") -> None:
    """predicted_vs_true.png (with the diagonal) and residuals.png (predicted - true against true)."""
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched

    values = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    true, predicted = values[:, 0], values[:, 1]
    low, high = float(min(true.min(), predicted.min())), float(max(true.max(), predicted.max()))
    figure = Figure(figsize=(4.8, 4.5))
    axes = figure.subplots()
    axes.scatter(true, predicted, s=12, alpha=0.5, color="tab:blue")
    axes.plot([low, high], [low, high], "--", color="grey", linewidth=1, label="predicted = true")
    axes.set_xlabel("true score")
    axes.set_ylabel("predicted score")
    axes.set_title(f"{title}: test split" if title else "predicted vs true (test split)")
    axes.legend(loc="upper left")
    _save_figure(figure, run_dir / "predicted_vs_true.png")
    figure = Figure(figsize=(5.5, 3.4))
    axes = figure.subplots()
    axes.scatter(true, predicted - true, s=12, alpha=0.5, color="tab:red")
    axes.axhline(0, color="grey", linewidth=1)
    axes.set_xlabel("true score")
    axes.set_ylabel("predicted - true")
    axes.set_title(f"{title}: residuals" if title else "residuals (test split)")
    _save_figure(figure, run_dir / "residuals.png")


def _save_figure(figure, target: Path) -> None:
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=110, bbox_inches="tight")


def plot_confusion_matrix(matrix: list[list[int]], class_names: list[str], target: Path, title: str = "") -> None:
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched

    values = np.array(matrix)
    figure = Figure(figsize=(1.2 * len(class_names) + 2.5, 1.1 * len(class_names) + 2))
    axes = figure.subplots()
    axes.imshow(values, cmap="Blues")
    axes.set_xticks(range(len(class_names)), class_names, rotation=30, ha="right")
    axes.set_yticks(range(len(class_names)), class_names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for (row, column), value in np.ndenumerate(values):
        axes.text(column, row, str(value), ha="center", va="center",
                  color="white" if value > values.max() / 2 else "black")
    axes.set_title(title or "confusion matrix (test split)")
    _save_figure(figure, target)


def plot_learning_curve(epochs: list[dict], target: Path, title: str = "", best_epoch: int | None = None) -> None:
    """Training and validation loss (left axis), the validation score (right axis) and the epoch whose
    weights were kept. Models trained without epochs get no plot at all."""
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched

    if not epochs:
        return
    numbers = [e["epoch"] for e in epochs]
    figure = Figure(figsize=(6.4, 3.8))
    loss_axes = figure.subplots()
    loss_axes.plot(numbers, [e["train_loss"] for e in epochs], "o-", color="tab:red", label="train loss")
    if any(e.get("val_loss") is not None for e in epochs):
        loss_axes.plot(numbers, [e.get("val_loss") for e in epochs], "o--", color="tab:orange", label="validation loss")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    score_axes = loss_axes.twinx()
    key = next((k for k in epochs[0] if k.startswith("val_") and k not in ("val_loss", "val_perplexity")), None)
    lines = loss_axes.get_lines()
    if key:
        label = {"val_macro_f1": "validation macro-F1", "val_spearman": "validation Spearman",
                 "val_rmse": "validation -RMSE"}.get(key, key.replace("_", " "))
        lines += score_axes.plot(numbers, [e[key] for e in epochs], "s-", color="tab:blue", label=label)
        score_axes.set_ylabel(label, color="tab:blue")
    if best_epoch:
        lines.append(loss_axes.axvline(best_epoch, color="grey", linestyle=":", label=f"kept: epoch {best_epoch}"))
    loss_axes.set_xticks(numbers)
    loss_axes.legend(lines, [line.get_label() for line in lines], loc="best", fontsize="small")
    loss_axes.set_title(title or "learning curve")
    _save_figure(figure, target)
