"""Classification metrics (scikit-learn) and the run's two plots (matplotlib)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def classification_metrics(labels: list[int], predictions, class_names: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, precision_recall_fscore_support

    indices = list(range(len(class_names)))
    result = {"accuracy": float(accuracy_score(labels, predictions)), "support": len(labels)}
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(labels, predictions, labels=indices, average=average, zero_division=0)
        result.update({f"{average}_precision": float(p), f"{average}_recall": float(r), f"{average}_f1": float(f)})
    report = classification_report(labels, predictions, labels=indices, target_names=class_names,
                                   output_dict=True, zero_division=0)
    result["per_class"] = {name: {k: float(v) for k, v in report[name].items()} for name in class_names}
    result["confusion_matrix"] = confusion_matrix(labels, predictions, labels=indices).tolist()
    result["class_names"] = list(class_names)
    return result


def _save_figure(figure, target: Path) -> None:
    from .atomic import atomic_path

    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=110, bbox_inches="tight")


def plot_confusion_matrix(matrix: list[list[int]], class_names: list[str], target: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = np.array(matrix)
    figure, axes = plt.subplots(figsize=(1.2 * len(class_names) + 2.5, 1.1 * len(class_names) + 2))
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
    plt.close(figure)


def plot_learning_curve(epochs: list[dict], target: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, loss_axes = plt.subplots(figsize=(6, 3.6))
    numbers = [e["epoch"] for e in epochs]
    loss_axes.plot(numbers, [e["train_loss"] for e in epochs], "o-", color="tab:red", label="train loss")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("train loss", color="tab:red")
    f1_axes = loss_axes.twinx()
    f1_axes.plot(numbers, [e["val_macro_f1"] for e in epochs], "s-", color="tab:blue", label="validation macro-F1")
    f1_axes.set_ylabel("validation macro-F1", color="tab:blue")
    if not epochs:
        loss_axes.text(0.5, 0.5, "no epochs (a model without a training loop)", ha="center",
                       transform=loss_axes.transAxes)
    loss_axes.set_title(title or "learning curve")
    _save_figure(figure, target)
    plt.close(figure)
