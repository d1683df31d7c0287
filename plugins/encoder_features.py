"""`encoder-logreg` and `encoder-ridge`: frozen sentence vectors of any pre-trained encoder
(:class:`nlpzoo.neural.SentenceEncoder`, cached by content) under a logistic regression or a ridge.

Minutes where fine-tuning takes hours on a CPU, and a baseline for what the encoder knows before it
is trained. The run folder holds the linear model (safetensors) and the encoder's name; the
encoder's own folder (or hub id) is read again when the run is loaded.
"""
from __future__ import annotations

import time

from nlpzoo import Component, Param, Search, hookimpl


FILE, RECORD = "encoder_features.safetensors", "encoder_features.json"


def encoder_params(default_model: str = "intfloat/multilingual-e5-small") -> list[Param]:
    return [Param("model", str, default_model, "The pre-trained encoder: a hub id or a transformers folder (zoo"
                  " convert e5 FOLDER writes multilingual-e5-small offline)."),
            Param("pooling", str, "mean", "mean of the tokens (e5, sentence-transformers) or first ([CLS]).",
                  choices=("mean", "first")),
            Param("text_prefix", str, "query: ", "Put before every text (e5 expects 'query: ')."),
            Param("max_length", int, 256, "Tokens read per text.", min=8),
            Param("batch_size", int, 32, "Texts per forward pass.", min=1)]


class _SentenceFeatures:
    """What both heads share: the frozen encoder and saving the encoder's settings."""

    def __init__(self, model, pooling, text_prefix, max_length, batch_size, **head):
        self.params = dict(model=model, pooling=pooling, text_prefix=text_prefix, max_length=max_length,
                           batch_size=batch_size, **head)
        self.encoder = None

    def vectors(self, texts, device: str = "cpu"):
        from nlpzoo.neural import SentenceEncoder

        if self.encoder is None:
            p = self.params
            self.encoder = SentenceEncoder(p["model"], p["pooling"], p["text_prefix"], p["max_length"],
                                           p["batch_size"], device)
        return self.encoder.encode(list(texts))

    def _history(self, started: float, train_texts, parameters: int) -> dict:
        return {"epochs": [], "interrupted": False, "train_seconds": time.perf_counter() - started,
                "train_tokens": sum(len(t.split()) for t in train_texts), "parameters": parameters}

    def _save(self, directory, tensors: dict, extra: dict) -> None:
        from nlpzoo.plugins.tfidf_features import save_arrays

        save_arrays(directory, FILE, RECORD, tensors, {"encoder": {k: self.params[k] for k in
                                                                   ("model", "pooling", "text_prefix", "max_length")},
                                                       **extra})

    def _load(self, directory, name: str) -> tuple[dict, dict]:
        from nlpzoo import RunDirError
        from nlpzoo.plugins.tfidf_features import load_arrays

        tensors, saved = load_arrays(directory, FILE, RECORD, name)
        encoder = saved.get("encoder") if isinstance(saved, dict) else None
        expected = {k: self.params[k] for k in ("model", "pooling", "text_prefix", "max_length")}
        if encoder != expected:
            raise RunDirError(f"{directory}: {RECORD} names the encoder {encoder}, but the run's record {expected};"
                              " the folder was changed after training. Train it again with 'zoo run'.")
        return tensors, saved


class EncoderLogReg(_SentenceFeatures):
    def __init__(self, C: float = 1.0, class_weight: str = "balanced", **encoder):
        super().__init__(**encoder, C=C, class_weight=class_weight)
        self.model, self.n_classes = None, 0

    def fit(self, train, validation, settings):
        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        features = self.vectors(train.texts, settings.device if settings.device != "auto" else "cpu")
        weight = None if self.params["class_weight"] == "none" else "balanced"
        self.model = LogisticRegression(C=self.params["C"], max_iter=5000, class_weight=weight,
                                        random_state=settings.seed).fit(features, train.labels)
        self.n_classes = train.n_classes
        return self._history(started, train.texts, int(self.model.coef_.size + self.model.intercept_.size))

    def predict_proba(self, texts):
        import numpy as np

        full = np.zeros((len(texts), self.n_classes), dtype=np.float64)
        if len(texts):
            full[:, self.model.classes_] = self.model.predict_proba(self.vectors(texts))
        return full

    def save(self, directory):
        import numpy as np

        self._save(directory, {"coef": self.model.coef_, "intercept": self.model.intercept_,
                               "classes": self.model.classes_.astype(np.int64)}, {"n_classes": self.n_classes})

    def load(self, directory, device: str = "cpu"):
        from sklearn.linear_model import LogisticRegression

        from nlpzoo import RunDirError

        tensors, saved = self._load(directory, "encoder-logreg")
        try:
            self.model = LogisticRegression()
            self.model.coef_, self.model.intercept_ = tensors["coef"], tensors["intercept"]
            self.model.classes_ = tensors["classes"]
            self.n_classes = int(saved["n_classes"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunDirError(f"{directory}: the saved encoder-logreg model is incomplete ({type(error).__name__}).")


class EncoderRidge(_SentenceFeatures):
    def __init__(self, alpha: float = 1.0, **encoder):
        super().__init__(**encoder, alpha=alpha)
        self.coef, self.intercept = None, 0.0

    def fit(self, train, validation, settings):
        from sklearn.linear_model import Ridge

        started = time.perf_counter()
        model = Ridge(alpha=self.params["alpha"]).fit(self.vectors(train.texts), train.scores)
        self.coef, self.intercept = model.coef_, float(model.intercept_)
        return self._history(started, train.texts, int(self.coef.size + 1))

    def predict(self, texts):
        import numpy as np

        if not len(texts):
            return np.zeros(0, dtype=np.float64)
        return np.asarray(self.vectors(texts) @ self.coef + self.intercept, dtype=np.float64)

    def save(self, directory):
        import numpy as np

        self._save(directory, {"coef": np.asarray(self.coef, dtype=np.float64)}, {"intercept": self.intercept})

    def load(self, directory, device: str = "cpu"):
        from nlpzoo import RunDirError

        tensors, saved = self._load(directory, "encoder-ridge")
        try:
            self.coef, self.intercept = tensors["coef"], float(saved["intercept"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunDirError(f"{directory}: the saved encoder-ridge model is incomplete ({type(error).__name__}).")


CAPABILITIES = {"family": "sentence-vectors", "language": "multilingual", "needs_download": True}


@hookimpl
def register_classifiers(register):
    register(Component(
        name="encoder-logreg",
        description="Frozen sentence vectors of a pre-trained encoder (multilingual-e5-small by default) +"
                    " logistic regression.",
        factory=EncoderLogReg, preprocess="none",
        params=[*encoder_params(),
                Param("C", float, 1.0, "Inverse regularisation strength.", min=1e-9,
                      search=Search.range(0.01, 100.0, log=True)),
                Param("class_weight", str, "balanced", "Class weighting.", choices=("balanced", "none"))],
        capabilities={**CAPABILITIES, "task": "text-classification"}))


@hookimpl
def register_regressors(register):
    register(Component(
        name="encoder-ridge",
        description="Frozen sentence vectors of a pre-trained encoder (multilingual-e5-small by default) + ridge.",
        factory=EncoderRidge, preprocess="none",
        params=[*encoder_params(),
                Param("alpha", float, 1.0, "Ridge regularisation strength.", min=0.0,
                      search=Search.range(0.01, 100.0, log=True))],
        capabilities={**CAPABILITIES, "task": "text-regression"}))
