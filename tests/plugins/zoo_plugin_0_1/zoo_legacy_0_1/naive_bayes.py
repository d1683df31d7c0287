"""`legacy-naive-bayes`: nlp-zoo 0.1's example classifier, as published then (``load`` takes no device)."""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from nlpzoo import Component, Param, hookimpl


class NaiveBayes:
    def __init__(self, alpha: float = 1.0, min_freq: int = 1):
        self.alpha, self.min_freq = alpha, min_freq
        self.log_prior: list[float] = []
        self.log_likelihood: dict[str, list[float]] = {}
        self.log_unknown: list[float] = []

    def fit(self, train, validation, settings):
        counts = [Counter() for _ in range(train.n_classes)]
        for text, label in zip(train.texts, train.labels):
            counts[label].update(text.split())
        totals = Counter()
        for c in counts:
            totals.update(c)
        vocab = [w for w, n in totals.items() if n >= self.min_freq]
        class_sizes = Counter(train.labels)
        self.log_prior = [math.log((class_sizes[k] + 1) / (len(train) + train.n_classes))
                          for k in range(train.n_classes)]
        denominators = [sum(c[w] for w in vocab) + self.alpha * (len(vocab) + 1) for c in counts]
        self.log_likelihood = {w: [math.log((c[w] + self.alpha) / d) for c, d in zip(counts, denominators)]
                               for w in vocab}
        self.log_unknown = [math.log(self.alpha / d) for d in denominators]
        return {"epochs": [], "interrupted": False}

    def predict_proba(self, texts):
        import numpy as np

        rows = []
        for text in texts:
            scores = list(self.log_prior)
            for word in text.split():
                for k, value in enumerate(self.log_likelihood.get(word, self.log_unknown)):
                    scores[k] += value
            top = max(scores)
            exp = [math.exp(s - top) for s in scores]
            rows.append([e / sum(exp) for e in exp])
        return np.array(rows, dtype="float64")

    def save(self, directory):
        state = {"log_prior": self.log_prior, "log_likelihood": self.log_likelihood,
                 "log_unknown": self.log_unknown}
        Path(directory, "naive_bayes.json").write_text(json.dumps(state, ensure_ascii=False), "utf-8")

    def load(self, directory):
        state = json.loads(Path(directory, "naive_bayes.json").read_text("utf-8"))
        self.log_prior, self.log_likelihood = state["log_prior"], state["log_likelihood"]
        self.log_unknown = state["log_unknown"]


@hookimpl
def register_classifiers(register):
    register(Component(
        name="legacy-naive-bayes",
        description="Multinomial naive Bayes over whitespace tokens (an nlp-zoo 0.1 plugin).",
        factory=NaiveBayes,
        params=[Param("alpha", float, 1.0, "Additive (Laplace) smoothing."),
                Param("min_freq", int, 1, "Words seen fewer times are ignored.")],
        capabilities={"family": "bayes", "task": "text-classification", "needs_download": False},
    ))
