"""The neural toolkit's seams: tokenizers (word, BPE, a pre-trained Hugging Face one), saved metadata."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from nlpzoo.discovery import get_zoo
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

    code = ("from nlpzoo.errors import ZooError\nfrom nlpzoo.neural import PretrainedTokenizer\ntry:\n"
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
