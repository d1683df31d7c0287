"""The classifier contract, run on every registered classifier (third-party ones too, when installed):
build, train on the built-in data, predict, save, load, predict the same."""
from __future__ import annotations

import numpy as np
import pytest

from nlpzoo.discovery import get_zoo, list_components
from nlpzoo.kinds import DataOptions, FitSettings
from nlpzoo.kinds.classifier import prepare_classification_data as prepare_data
from tests.helpers import TINY

RECURRENT = ["rnn", "birnn", "gru", "bigru", "lstm", "bilstm"]
PLUGIN_CLASSIFIERS = sorted(c.name for c in list_components("classifier") if c.plugin != "registry")


@pytest.fixture(scope="module")
def demo():
    return prepare_data(DataOptions(preprocess="normalize,tokenize", seed=13), get_zoo(), log=lambda m: None)


def tiny_params(component):
    return {k: v for k, v in TINY.items() if component.param(k)}


def test_every_recurrent_variant_is_registered():
    assert set(RECURRENT) <= set(PLUGIN_CLASSIFIERS) and "tfidf-logreg" in PLUGIN_CLASSIFIERS


@pytest.mark.parametrize("name", PLUGIN_CLASSIFIERS)
def test_classifier_contract(name, demo, tmp_path):
    component = get_zoo().get("classifier", name)
    model = component.build(**tiny_params(component))
    history = model.fit(demo.part("train"), demo.part("validation"),
                        FitSettings(seed=13, device="cpu", progress=False, checkpoint_dir=tmp_path / "ckpt", log=lambda m: None))
    epochs = history["epochs"]
    if epochs:  # models with a training loop: the loss must drop
        assert epochs[-1]["train_loss"] < epochs[0]["train_loss"] * 0.8, epochs
    test = demo.part("test")
    probabilities = model.predict_proba(test.texts)
    assert probabilities.shape == (len(test), len(demo.class_names))
    assert np.allclose(probabilities.sum(1), 1, atol=1e-5)
    accuracy = (probabilities.argmax(1) == np.array(test.labels)).mean()
    assert accuracy > 0.5, f"{name} learned nothing on the demo set (accuracy {accuracy:.2f})"

    model.save(tmp_path / "saved")
    again = component.build(**tiny_params(component))
    again.load(tmp_path / "saved")
    assert np.array_equal(again.predict_proba(test.texts), probabilities)
