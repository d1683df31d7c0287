"""`tfidf-logreg`: TF-IDF (character 2-5 + word 1-2 n-grams) + logistic regression, the classical reference.

Saved without pickles: vocabularies as JSON, IDF weights and coefficients as safetensors, rebuilt on load.
"""
from __future__ import annotations

import time

from nlpzoo import Component, Param, Search, hookimpl


class TfidfLogReg:
    def __init__(self, C: float = 10.0, max_features: int = 200000, class_weight: str = "balanced", max_iter: int = 2000):
        from nlpzoo.plugins.tfidf_features import TfidfFeatures

        self.params = dict(C=C, max_features=max_features, class_weight=class_weight, max_iter=max_iter)
        self.features = TfidfFeatures(max_features)
        self.model = None
        self.n_classes = 0

    def fit(self, train, validation, settings):
        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        self.features.fit(train.texts)
        weight = None if self.params["class_weight"] == "none" else self.params["class_weight"]
        self.model = LogisticRegression(C=self.params["C"], max_iter=self.params["max_iter"], class_weight=weight,
                                        random_state=settings.seed)
        self.model.fit(self.features.transform(train.texts), train.labels)
        self.n_classes = train.n_classes
        return {"epochs": [], "interrupted": False, "train_seconds": time.perf_counter() - started,
                "train_tokens": sum(len(t.split()) for t in train.texts),
                "parameters": int(self.model.coef_.size + self.model.intercept_.size)}

    def predict_proba(self, texts):
        import numpy as np

        full = np.zeros((len(texts), self.n_classes), dtype=np.float64)
        if len(texts):  # scikit-learn refuses an empty batch
            full[:, self.model.classes_] = self.model.predict_proba(self.features.transform(list(texts)))
        return full

    def save(self, directory):
        import numpy as np

        from nlpzoo.plugins.tfidf_features import save_arrays

        tensors, vocabularies = self.features.state()
        tensors.update({"coef": self.model.coef_, "intercept": self.model.intercept_,
                        "classes": self.model.classes_.astype(np.int64)})
        save_arrays(directory, "tfidf_logreg.safetensors", "tfidf_vocabulary.json", tensors,
                    {"n_classes": self.n_classes, "vocabularies": vocabularies})

    def load(self, directory, device: str = "cpu"):
        from sklearn.linear_model import LogisticRegression

        from nlpzoo import RunDirError
        from nlpzoo.plugins.tfidf_features import load_arrays

        tensors, saved = load_arrays(directory, "tfidf_logreg.safetensors", "tfidf_vocabulary.json", "tfidf-logreg")
        try:
            self.features.restore(tensors, saved["vocabularies"])
            self.model = LogisticRegression()
            self.model.coef_, self.model.intercept_ = tensors["coef"], tensors["intercept"]
            self.model.classes_ = tensors["classes"]
            self.n_classes = int(saved["n_classes"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunDirError(f"{directory}: the saved tfidf-logreg model is incomplete ({type(error).__name__}:"
                              f" {error}). Train it again with 'zoo run'.") from None


@hookimpl
def register_classifiers(register):
    register(Component(
        name="tfidf-logreg",
        description="TF-IDF (char 2-5 + word 1-2 n-grams) + logistic regression: the classical reference.",
        factory=TfidfLogReg,
        params=[Param("C", float, 10.0, "Inverse regularisation strength.", min=1e-9,
                      search=Search.range(0.1, 100.0, log=True)),
                Param("max_features", int, 200000, "Most n-grams kept per vectorizer.", min=1),
                Param("class_weight", str, "balanced", "Class weighting.", choices=("balanced", "none"),
                      search=Search.among("balanced", "none")),
                Param("max_iter", int, 2000, "Most solver iterations.", min=1)],
        capabilities={"family": "linear", "task": "text-classification", "needs_download": False},
    ))
