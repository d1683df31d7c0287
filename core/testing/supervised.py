"""The classifier and regressor contract checks (one path, as the two kinds share one)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ..machinery.components import Component
from .rules import (Interrupted, check_declaration, check_train_tokens, component_named, quiet_settings, require,
                    run_rules)
from .tiny_data import TinyData, TinyScores, tiny_classification_data, tiny_regression_data


def check_classifier(name_or_component, params: dict | None = None, zoo=None, rules=None,
                     data: TinyData | None = None) -> list[str]:
    """Check a classifier against :mod:`nlpzoo.kinds.classifier`'s contract on tiny data.
    ``params`` should make training quick but able to learn (a few epochs, small sizes)."""
    component = component_named(name_or_component, "classifier", zoo)
    data = data or tiny_classification_data()
    k = len(data.class_names)

    def outputs(model, texts):
        return np.asarray(model.predict_proba(texts), dtype=np.float64)

    def shape(component, probabilities, model):
        require(probabilities.shape == (len(data.test.texts), k), component, "predict_proba_shape",
                 f"shape {probabilities.shape}, expected ({len(data.test.texts)}, {k})")
        require(bool(np.isfinite(probabilities).all()), component, "predict_proba_shape", "NaN or infinite values")
        require(bool(np.allclose(probabilities.sum(1), 1, atol=1e-4)), component, "predict_proba_shape",
                 "rows do not sum to 1")
        empty = np.asarray(model.predict_proba([]))
        require(empty.shape in ((0, k), (0,)), component, "predict_proba_shape", f"empty input gave shape {empty.shape}")

    def learns(component, model):
        predicted = outputs(model, data.train.texts).argmax(1)
        accuracy = float((predicted == np.array(data.train.labels)).mean())
        majority = max(np.bincount(data.train.labels)) / len(data.train)
        require(accuracy > majority, component, "learns", f"training accuracy {accuracy:.2f} is no better than always"
                 f" predicting the largest class ({majority:.2f}); give params that let it learn")

    return _check_supervised(component, params, rules, data, outputs, ("predict_proba_shape", shape), learns)


def check_regressor(name_or_component, params: dict | None = None, zoo=None, rules=None,
                    data: TinyScores | None = None) -> list[str]:
    """Check a regressor against :mod:`nlpzoo.kinds.regressor`'s contract on tiny data (the demo
    set's 0-10 scores)."""
    component = component_named(name_or_component, "regressor", zoo)
    data = data or tiny_regression_data()

    def outputs(model, texts):
        return np.asarray(model.predict(texts), dtype=np.float64)

    def shape(component, predictions, model):
        require(predictions.shape == (len(data.test.texts),), component, "predict_shape",
                 f"shape {predictions.shape}, expected ({len(data.test.texts)},)")
        require(bool(np.isfinite(predictions).all()), component, "predict_shape", "NaN or infinite values")
        require(np.asarray(model.predict([])).shape == (0,), component, "predict_shape", "predict([]) must be empty")

    def learns(component, model):
        from scipy.stats import spearmanr

        predicted = outputs(model, data.train.texts)
        rho = spearmanr(predicted, data.train.scores).statistic if len(set(predicted.tolist())) > 1 else 0.0
        require(rho > 0.3, component, "learns", f"Spearman correlation with the training scores is {rho:.2f};"
                 " give params that let it learn")

    return _check_supervised(component, params, rules, data, outputs, ("predict_shape", shape), learns)


def _check_supervised(component: Component, params: dict | None, rules, data, outputs, shape_rule, learns) -> list[str]:
    """The rules classifiers and regressors share; ``outputs(model, texts)`` is their prediction."""

    params = {k: v for k, v in (params or {}).items() if component.param(k)}
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}
    texts = data.test.texts

    def trained():
        if "model" not in state:
            model = component.build(**params)
            state["history"] = model.fit(data.train, data.validation, quiet_settings(work / "first"))
            state["model"], state["outputs"] = model, outputs(model, texts)
        return state["model"]

    def fit_returns_history():
        trained()
        history = state["history"]
        require(isinstance(history, dict), component, "fit_returns_history", f"fit returned {type(history).__name__}")
        require(isinstance(history.get("epochs"), list) and isinstance(history.get("interrupted"), bool), component,
                 "fit_returns_history", "the history needs 'epochs' (a list) and 'interrupted' (a bool)")
        for record in history["epochs"]:
            require("epoch" in record, component, "fit_returns_history", "each epoch record needs 'epoch'")
        check_train_tokens(component, "fit_returns_history", history, data.train.texts)

    def save_load_roundtrip():
        (work / "saved").mkdir()
        trained().save(work / "saved")
        fresh = component.build(**params)
        fresh.load(work / "saved", device="cpu")
        again = outputs(fresh, texts)
        require(again.shape == state["outputs"].shape and np.allclose(again, state["outputs"], atol=1e-5), component,
                 "save_load_roundtrip", "a fresh object loaded from the saved files predicts differently (max"
                 f" difference {np.abs(again - state['outputs']).max() if again.shape == state['outputs'].shape else '-'})")

    def batch_independence():
        model = trained()
        alone = np.concatenate([outputs(model, [t]) for t in texts[:12]])
        reordered = outputs(model, list(reversed(texts)))[::-1]
        require(np.allclose(alone.reshape(state["outputs"][:12].shape), state["outputs"][:12], atol=1e-5), component,
                 "batch_independence", "a text's prediction changes with the other texts in its batch (padding leaks in?)")
        require(np.allclose(reordered, state["outputs"], atol=1e-5), component, "batch_independence",
                 "a text's prediction changes with the order of the batch")

    def same_seed_same_model():
        trained()
        second = component.build(**params)
        second.fit(data.train, data.validation, quiet_settings(work / "second"))
        require(np.allclose(outputs(second, texts), state["outputs"], atol=1e-6), component, "same_seed_same_model",
                 "two models trained with the same seed predict differently")

    def resume_equals_uninterrupted():
        if component.param("epochs") is None:
            return False  # no epochs, nothing to resume
        total = max(2, int(params.get("epochs", 2)))

        def stop_before_the_last_epoch(record):  # an interruption: the same run, stopped after epoch total - 1
            if record.get("epoch") == total - 1:
                raise Interrupted

        short = component.build(**{**params, "epochs": total})
        try:
            short.fit(data.train, data.validation, quiet_settings(work / "resumed", on_epoch=stop_before_the_last_epoch))
        except Interrupted:
            pass
        if not any((work / "resumed").glob("*")):
            return False  # keeps no checkpoint: resuming does not apply
        resumed = component.build(**{**params, "epochs": total})
        resumed.fit(data.train, data.validation, quiet_settings(work / "resumed", resume=True))
        straight = component.build(**{**params, "epochs": total})
        straight.fit(data.train, data.validation, quiet_settings(work / "straight"))
        require(np.allclose(outputs(resumed, texts), outputs(straight, texts), atol=1e-5), component,
                 "resume_equals_uninterrupted", f"stopping a {total}-epoch run after epoch {total - 1}, then"
                 f" resuming it, predicts differently from {total} epochs in one go")

    shape_name, shape_check = shape_rule
    table = {"declaration": lambda: check_declaration(component), "fit_returns_history": fit_returns_history,
             shape_name: lambda: shape_check(component, (trained(), state["outputs"])[1], state["model"]),
             "learns": lambda: learns(component, trained()), "save_load_roundtrip": save_load_roundtrip,
             "batch_independence": batch_independence, "same_seed_same_model": same_seed_same_model,
             "resume_equals_uninterrupted": resume_equals_uninterrupted}
    return run_rules(component, table, rules)
