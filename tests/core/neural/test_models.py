"""The neural toolkit's seams: tokenizers (word, BPE, a pre-trained Hugging Face one), saved metadata."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.kinds import FitSettings
from nlpzoo.neural import PretrainedTokenizer, SubwordVocabulary, WordVocabulary, encoder_from_json
from nlpzoo.testing import tiny_classification_data
from tests.helpers import TINY, save_tiny_wordpiece


def test_a_classifier_on_a_pretrained_tokenizer_trains_saves_and_loads_without_the_tokenizer_folder(tmp_path):
    data = tiny_classification_data()
    folder = tmp_path / "my-tokenizer"
    save_tiny_wordpiece(folder, data.train.texts)
    params = {**TINY, "units": "pretrained", "tokenizer": str(folder)}
    model = get_zoo().create("classifier", "bigru", **params)
    model.fit(data.train, data.validation, FitSettings(progress=False, device="cpu", log=lambda m: None))
    assert isinstance(model.vocabulary, PretrainedTokenizer)
    ids = model.encode(["الطعام لذيذ"])[0]
    cls, sep = (model.vocabulary.backend.token_to_id(t) for t in ("[CLS]", "[SEP]"))
    assert ids[0] == cls and ids[-1] == sep  # special tokens as the tokenizer's model expects
    (tmp_path / "run").mkdir()
    model.save(tmp_path / "run")
    shutil.rmtree(folder)  # the run holds the tokenizer's whole definition
    again = get_zoo().create("classifier", "bigru", **params)
    again.load(tmp_path / "run")
    texts = data.test.texts
    assert np.allclose(again.predict_proba(texts), model.predict_proba(texts), atol=1e-6)


def test_an_unreachable_tokenizer_is_one_clear_error(tmp_path):
    """Offline (a fresh process: huggingface_hub reads HF_HUB_OFFLINE when it is imported)."""
    import os
    import subprocess
    import sys

    code = ("from nlpzoo.foundations.errors import ZooError\nfrom nlpzoo.neural import PretrainedTokenizer\ntry:\n"
            "    PretrainedTokenizer.from_pretrained('no-such-org/no-such-tokenizer')\nexcept ZooError as error:\n"
            "    print(error)\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "Tokenizer 'no-such-org/no-such-tokenizer' cannot be loaded" in result.stdout, result.stderr[-2000:]
    assert "local folder saved with save_pretrained" in result.stdout


@pytest.mark.parametrize("build", [lambda texts: WordVocabulary.build(texts, 500, 1),
                                   lambda texts: SubwordVocabulary.build(texts, 300, 2)])
def test_encoders_round_trip_through_json(build):
    texts = tiny_classification_data().train.texts
    encoder = build(texts)
    again = encoder_from_json(encoder.to_json())
    assert again.encode_batch(texts[:20]) == encoder.encode_batch(texts[:20]) and again.size == encoder.size
    assert encoder.pad_id == 0


def test_the_class_count_comes_from_the_weights_metadata(tmp_path):
    from safetensors import safe_open

    data = tiny_classification_data()
    model = get_zoo().create("classifier", "gru", **{**TINY, "epochs": 1})
    model.fit(data.train, data.validation, FitSettings(progress=False, device="cpu", log=lambda m: None))
    model.save(tmp_path)
    with safe_open(str(tmp_path / "model.safetensors"), framework="pt") as handle:
        assert handle.metadata() == {"format": "nlp-zoo/neural-text-classifier", "n_classes": "3"}


CUSTOM_ENCODER_PLUGIN = '''
from nlpzoo import NEURAL_PARAMS, Component, hookimpl, with_defaults


class CharEncoder:
    """Characters as ids: a plugin's own TextEncoder."""

    pad_id = 0

    def __init__(self, chars):
        self.chars = list(chars)
        self.index = {c: i + 2 for i, c in enumerate(self.chars)}

    @property
    def size(self):
        return len(self.chars) + 2

    def encode_batch(self, texts):
        return [[self.index.get(c, 1) for c in text] for text in texts]

    def to_json(self):
        return {"units": "characters", "chars": self.chars}

    @classmethod
    def from_json(cls, data):
        return cls(data["chars"])


class NoFromJson(CharEncoder):
    from_json = None


def char_encoder(texts, params):
    return CharEncoder(sorted({c for t in texts for c in t}))


def bare_encoder(texts, params):
    return NoFromJson(sorted({c for t in texts for c in t}))


def module_builder(vocab_size, n_classes, params):
    import torch

    class Bag(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.EmbeddingBag(vocab_size, 16, padding_idx=0)
            self.out = torch.nn.Linear(16, n_classes)

        def forward(self, ids, lengths):
            return self.out(self.embedding(ids))

    return Bag()


def build(encoder, **params):
    from nlpzoo.neural import NeuralTextClassifier

    return NeuralTextClassifier(module_builder, encoder=char_encoder if encoder == "chars" else bare_encoder, **params)


@hookimpl
def register_classifiers(register):
    from functools import partial

    for name, encoder in (("char-bag", "chars"), ("bare-bag", "bare")):
        register(Component(name=name, description="bag of characters", factory=partial(build, encoder),
                           params=with_defaults(NEURAL_PARAMS, max_len=120, epochs=6, lr=0.01)))
'''


def test_a_plugins_own_text_encoder_survives_save_and_load(install_plugin, tmp_path):
    import json

    from nlpzoo.testing import check_classifier

    install_plugin("zoo-char-bag", "char-bag", "zoo_char_bag", CUSTOM_ENCODER_PLUGIN)
    assert "save_load_roundtrip" in check_classifier("char-bag")
    model = get_zoo().create("classifier", "char-bag")
    assert model.params["max_len"] == 120   # the plugin's own default for a shared parameter
    data = tiny_classification_data()
    model.fit(data.train, data.validation, FitSettings(progress=False, device="cpu", log=lambda m: None))
    model.save(tmp_path)
    saved = json.loads((tmp_path / "vocabulary.json").read_text("utf-8"))
    assert saved["encoder_class"] == "zoo_char_bag:CharEncoder" and saved["units"] == "characters"
    fresh = get_zoo().create("classifier", "char-bag")
    fresh.load(tmp_path)
    assert type(fresh.vocabulary).__name__ == "CharEncoder"
    assert np.allclose(fresh.predict_proba(data.test.texts), model.predict_proba(data.test.texts), atol=1e-6)


@pytest.mark.parametrize("path, message", [("antigravity:fly", "outside the plugin's own packages"),
                                           ("builtins:eval", "outside the plugin's own packages"),
                                           ("zoo_char_bag:char_encoder", "not a TextEncoder class"),
                                           ("zoo_char_bag:Missing", "cannot be found")])
def test_a_saved_encoder_class_outside_the_plugins_packages_is_not_imported(install_plugin, tmp_path, path, message):
    import json

    from nlpzoo.foundations.errors import RunDirError

    install_plugin("zoo-char-bag", "char-bag", "zoo_char_bag", CUSTOM_ENCODER_PLUGIN)
    data = tiny_classification_data()
    model = get_zoo().create("classifier", "char-bag", epochs=1)
    model.fit(data.train, data.validation, FitSettings(progress=False, device="cpu", log=lambda m: None))
    model.save(tmp_path)
    saved = json.loads((tmp_path / "vocabulary.json").read_text("utf-8"))
    (tmp_path / "vocabulary.json").write_text(json.dumps({**saved, "encoder_class": path}), "utf-8")
    with pytest.raises(RunDirError, match=message):
        get_zoo().create("classifier", "char-bag").load(tmp_path)
    assert "antigravity" not in __import__("sys").modules


def test_an_encoder_that_cannot_be_rebuilt_is_refused_before_training(install_plugin):
    install_plugin("zoo-char-bag", "char-bag", "zoo_char_bag", CUSTOM_ENCODER_PLUGIN)
    data = tiny_classification_data()
    model = get_zoo().create("classifier", "bare-bag")
    with pytest.raises(TypeError, match=r"NoFromJson has no classmethod from_json\(data\)"):
        model.fit(data.train, data.validation, FitSettings(progress=False, device="cpu", log=lambda m: None))
    assert model.module is None   # refused when the vocabulary was built, before a module existed
