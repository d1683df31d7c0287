"""`tfidf-logreg`: TF-IDF (character 2-5 + word 1-2 n-grams) + logistic regression, the classical reference.

Saved without pickles: vocabularies and IDF weights as JSON/safetensors, the coefficients as
safetensors, and rebuilt on load.
"""
from __future__ import annotations

import json
from pathlib import Path

from nlpzoo import Component, Param, hookimpl


class TfidfLogReg:
    def __init__(self, C: float = 10.0, max_features: int = 200000, class_weight: str = "balanced", max_iter: int = 2000):
        self.params = dict(C=C, max_features=max_features, class_weight=class_weight, max_iter=max_iter)
        self.vectorizers = None
        self.model = None

    def _vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        common = dict(sublinear_tf=True, max_features=self.params["max_features"], token_pattern=None)
        return {"char": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, **common),
                "word": TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1,
                                        tokenizer=str.split, lowercase=False, **common)}

    def _features(self, texts):
        from scipy.sparse import hstack

        return hstack([v.transform(texts) for v in self.vectorizers.values()]).tocsr()

    def fit(self, train, validation, settings):
        import time

        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        self.vectorizers = self._vectorizers()
        for vectorizer in self.vectorizers.values():
            vectorizer.fit(train.texts)
        weight = None if self.params["class_weight"] == "none" else self.params["class_weight"]
        self.model = LogisticRegression(C=self.params["C"], max_iter=self.params["max_iter"], class_weight=weight,
                                        random_state=settings.seed)
        self.model.fit(self._features(train.texts), train.labels)
        self.n_classes = train.n_classes
        return {"epochs": [], "interrupted": False, "train_seconds": time.perf_counter() - started,
                "train_tokens": sum(len(t.split()) for t in train.texts),
                "parameters": int(self.model.coef_.size + self.model.intercept_.size)}

    def predict_proba(self, texts):
        import numpy as np

        full = np.zeros((len(texts), self.n_classes), dtype=np.float64)
        if len(texts):  # scikit-learn refuses an empty batch
            full[:, self.model.classes_] = self.model.predict_proba(self._features(list(texts)))
        return full

    def save(self, directory):
        import numpy as np
        from safetensors.numpy import save_file

        from nlpzoo.atomic import atomic_path, write_json

        tensors = {"coef": self.model.coef_, "intercept": self.model.intercept_,
                   "classes": self.model.classes_.astype(np.int64)}
        vocabularies = {}
        for name, vectorizer in self.vectorizers.items():
            tensors[f"{name}.idf"] = vectorizer.idf_
            vocabularies[name] = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        write_json(Path(directory) / "tfidf_vocabulary.json", {"n_classes": self.n_classes, "vocabularies": vocabularies})
        with atomic_path(Path(directory) / "tfidf_logreg.safetensors") as temporary:
            # safetensors stores raw C-order buffers; coef_ can be Fortran-ordered
            save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(temporary))

    def load(self, directory, device: str = "cpu"):
        from safetensors import SafetensorError
        from safetensors.numpy import load_file
        from sklearn.linear_model import LogisticRegression

        from nlpzoo.errors import RunDirError

        try:
            tensors = load_file(str(Path(directory) / "tfidf_logreg.safetensors"))
            saved = json.loads((Path(directory) / "tfidf_vocabulary.json").read_text("utf-8"))
            vocabularies, n_classes = saved["vocabularies"], int(saved["n_classes"])
        except (OSError, ValueError, KeyError, TypeError, SafetensorError) as error:
            raise RunDirError(f"{directory}: the saved tfidf-logreg model cannot be loaded ({type(error).__name__}:"
                              f" {(str(error).splitlines() or [''])[0][:160]}). Train it again with 'zoo run'.") from None
        self.vectorizers = self._vectorizers()
        for name, vectorizer in self.vectorizers.items():
            vectorizer.vocabulary_ = vocabularies[name]
            vectorizer.idf_ = tensors[f"{name}.idf"]
        self.model = LogisticRegression()
        self.model.coef_, self.model.intercept_ = tensors["coef"], tensors["intercept"]
        self.model.classes_ = tensors["classes"]
        self.n_classes = n_classes


@hookimpl
def register_classifiers(register):
    register(Component(
        name="tfidf-logreg",
        description="TF-IDF (char 2-5 + word 1-2 n-grams) + logistic regression: the classical reference.",
        factory=TfidfLogReg,
        params=[Param("C", float, 10.0, "Inverse regularisation strength."),
                Param("max_features", int, 200000, "Most n-grams kept per vectorizer."),
                Param("class_weight", str, "balanced", "Class weighting.", choices=("balanced", "none")),
                Param("max_iter", int, 2000, "Most solver iterations.")],
        capabilities={"family": "linear", "task": "text-classification", "needs_download": False},
    ))
