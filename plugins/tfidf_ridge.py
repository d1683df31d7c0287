"""`tfidf-ridge`: TF-IDF (character 2-5 + word 1-2 n-grams) + ridge regression, the regression reference.

The same features as `tfidf-logreg`; saved without pickles (JSON vocabularies, safetensors weights).
"""
from __future__ import annotations

import time

from nlpzoo import Component, Param, Search, hookimpl


class TfidfRidge:
    def __init__(self, alpha: float = 0.3, max_features: int = 200000):
        from nlpzoo.plugins.tfidf_features import TfidfFeatures

        self.alpha = alpha
        self.features = TfidfFeatures(max_features)
        self.coef, self.intercept = None, 0.0

    def fit(self, train, validation, settings):
        from sklearn.linear_model import Ridge

        started = time.perf_counter()
        self.features.fit(train.texts)
        model = Ridge(alpha=self.alpha, random_state=settings.seed).fit(self.features.transform(train.texts),
                                                                       train.scores)
        self.coef, self.intercept = model.coef_, float(model.intercept_)
        return {"epochs": [], "interrupted": False, "train_seconds": time.perf_counter() - started,
                "train_tokens": sum(len(t.split()) for t in train.texts), "parameters": int(self.coef.size + 1)}

    def predict(self, texts):
        import numpy as np

        if not len(texts):
            return np.zeros(0, dtype=np.float64)
        return np.asarray(self.features.transform(list(texts)) @ self.coef + self.intercept, dtype=np.float64)

    def save(self, directory):
        import numpy as np

        from nlpzoo.plugins.tfidf_features import save_arrays

        tensors, vocabularies = self.features.state()
        tensors["coef"] = np.asarray(self.coef, dtype=np.float64)
        save_arrays(directory, "tfidf_ridge.safetensors", "tfidf_ridge.json", tensors,
                    {"intercept": self.intercept, "vocabularies": vocabularies})

    def load(self, directory, device: str = "cpu"):
        from nlpzoo import RunDirError
        from nlpzoo.plugins.tfidf_features import load_arrays

        tensors, saved = load_arrays(directory, "tfidf_ridge.safetensors", "tfidf_ridge.json", "tfidf-ridge")
        try:
            self.features.restore(tensors, saved["vocabularies"])
            self.coef, self.intercept = tensors["coef"], float(saved["intercept"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunDirError(f"{directory}: the saved tfidf-ridge model is incomplete ({type(error).__name__}:"
                              f" {error}). Train it again with 'zoo run'.") from None


@hookimpl
def register_regressors(register):
    register(Component(
        name="tfidf-ridge",
        description="TF-IDF (char 2-5 + word 1-2 n-grams) + ridge regression: the regression reference.",
        factory=TfidfRidge,
        params=[Param("alpha", float, 0.3, "Ridge regularisation strength.", min=0.0,
                      search=Search.range(0.01, 10.0, log=True)),
                Param("max_features", int, 200000, "Most n-grams kept per vectorizer.", min=1)],
        capabilities={"family": "linear", "task": "text-regression", "needs_download": False},
    ))
