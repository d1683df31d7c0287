"""Tiny data sets for contract checks and plugin tests: the built-in demo set, split and labelled."""
from __future__ import annotations

from dataclasses import dataclass

from ..data.discretize import Discretizer
from ..data.split import stratified_split
from ..data.tables import load_dataset
from ..kinds.classifier import LabeledTexts
from ..kinds.regressor import ScoredTexts
from ..machinery.registry import DatasetEntry


@dataclass
class TinyData:
    train: LabeledTexts
    validation: LabeledTexts
    test: LabeledTexts
    class_names: list[str]


def tiny_classification_data(seed: int = 13, rows: int = 240) -> TinyData:
    """Train/validation/test parts of the built-in demo set (three classes, whitespace tokens)."""
    path = DatasetEntry(name="demo", source="", path="package:data/demo_reviews.csv").local_path()
    dataset = load_dataset(path, "text", "score")
    texts, scores, file_rows = dataset.texts[:rows], dataset.scores[:rows], dataset.rows[:rows]
    discretizer = Discretizer.parse("bins:0,4,7,10")
    discretizer.fit(scores, str(path), file_rows)
    labels = discretizer.labels(scores, file_rows, str(path))
    split = stratified_split(labels, seed, 0.2, 0.15, discretizer.class_names, str(path))
    n = len(discretizer.class_names)
    part = lambda idx: LabeledTexts([" ".join(texts[i].split()) for i in idx], [labels[i] for i in idx], n)
    return TinyData(part(split.train), part(split.validation), part(split.test), discretizer.class_names)


def tiny_texts(count: int = 200) -> list[str]:
    """Short Arabic reviews (the demo set's texts)."""
    data = tiny_classification_data()
    return (data.train.texts + data.validation.texts + data.test.texts)[:count]


@dataclass
class TinyScores:
    train: "ScoredTexts"
    validation: "ScoredTexts"
    test: "ScoredTexts"


def tiny_regression_data() -> TinyScores:
    """The demo set's texts with their 0-10 scores, split as :func:`tiny_classification_data` is."""
    data = tiny_classification_data()

    path = DatasetEntry(name="demo", source="", path="package:data/demo_reviews.csv").local_path()
    dataset = load_dataset(path, "text", "score")
    score_of = {" ".join(t.split()): float(s) for t, s in zip(dataset.texts, dataset.scores)}
    part = lambda texts: ScoredTexts(texts, [score_of[t] for t in texts])
    return TinyScores(part(data.train.texts), part(data.validation.texts), part(data.test.texts))
