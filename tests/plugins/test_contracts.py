"""nlpzoo.testing's contract checks over every registered component, built-in and third-party alike
(timm-style: a new plugin is checked the moment it is registered), and over the example distribution."""
from __future__ import annotations

import pytest

from nlpzoo.machinery.discovery import list_components
from nlpzoo.testing import check_classifier, check_generator, check_preprocessor, check_regressor, check_scraper
from tests.helpers import TINY, save_tiny_bert
from tests.plugins.test_preprocessors import write_tiny_stanza_model_dir

CHECKS = {"classifier": check_classifier, "generator": check_generator, "preprocessor": check_preprocessor,
          "regressor": check_regressor, "scraper": check_scraper}
QUICK = {"classifier": {**TINY, "num_filters": 8, "filter_sizes": [2, 3]},
         "generator": {"n_layer": 1, "n_head": 2, "n_embd": 32, "vocab_size": 400, "block_size": 32, "epochs": 1,
                       "order": 4},
         "preprocessor": {}, "scraper": {}, "regressor": {**TINY, "epochs": 4}}
REGISTERED = [(c.kind, c.name) for c in list_components() if c.plugin != "registry"]
RECURRENT = ["rnn", "birnn", "gru", "bigru", "lstm", "bilstm"]


def test_every_built_in_is_registered():
    names = {name for _, name in REGISTERED}
    assert set(RECURRENT) | {"tfidf-logreg", "tfidf-ridge", "causal-lm", "scrapy", "beautifulsoup", "normalize",
                             "tokenize"} <= names
    regressors = {name for kind, name in REGISTERED if kind == "regressor"}
    assert set(RECURRENT) | {"tfidf-ridge", "encoder-ridge"} == regressors  # the same model names serve both kinds


@pytest.mark.parametrize("kind, name", REGISTERED, ids=[f"{k}:{n}" for k, n in REGISTERED])
def test_registered_component_follows_its_contract(kind, name, tmp_path):
    params = dict(QUICK[kind])
    if name == "stanza-lemma":  # no stanza models can be downloaded here: the test writes one
        params = {"model_dir": str(write_tiny_stanza_model_dir(tmp_path / "stanza")), "processors": "tokenize,lemma"}
    if name == "encoder":  # no hub here: a tiny BERT folder the test writes, loaded as a hub id would be
        from nlpzoo.testing import tiny_classification_data

        texts = tiny_classification_data().train.texts
        params = {"model": str(save_tiny_bert(tmp_path / "bert", texts)), "epochs": 8, "lr": 3e-3, "batch_size": 8,
                  "warmup_ratio": 0.0, "patience": 10, "max_length": 32}
    if name in ("encoder-logreg", "encoder-ridge"):  # frozen vectors of a tiny BERT the test writes
        from nlpzoo.testing import tiny_classification_data

        texts = tiny_classification_data().train.texts
        params = {"model": str(save_tiny_bert(tmp_path / "bert", texts)), "max_length": 32}
    passed = CHECKS[kind](name, params=params)
    assert "declaration" in passed and len(passed) >= 4, passed


@pytest.fixture(scope="module")
def teacher_run(tmp_path_factory):
    """A finished tfidf-logreg run on the demo set (low/medium/high, as the kit's data)."""
    import nlpzoo

    return nlpzoo.train("tfidf-logreg", out=tmp_path_factory.mktemp("teacher") / "run", progress=False).dir


@pytest.mark.parametrize("kind, name", [("classifier", "gru"), ("regressor", "gru")])
def test_a_distilled_student_follows_its_kinds_contract(kind, name, teacher_run, tmp_path):
    teacher = teacher_run
    if kind == "regressor":
        import nlpzoo

        teacher = nlpzoo.train("tfidf-ridge", kind="regressor", out=tmp_path / "ridge", progress=False).dir
    passed = CHECKS[kind](name, params={**QUICK[kind], "teacher": str(teacher), "distill_alpha": 0.3})
    assert "save_load_roundtrip" in passed, passed


EXAMPLE = [("classifier", "naive-bayes"), ("classifier", "text-cnn"), ("preprocessor", "mask-numbers"),
           ("generator", "char-ngram")]


@pytest.mark.parametrize("kind, name", EXAMPLE, ids=[n for _, n in EXAMPLE])
def test_example_distribution_follows_the_contracts(example_plugin, kind, name):
    from nlpzoo.machinery.discovery import get_zoo

    component = get_zoo().get(kind, name)
    assert component.distribution == "zoo-plugin-example"
    passed = CHECKS[kind](component, params=QUICK[kind])
    assert "save_load_roundtrip" in passed or kind == "preprocessor", passed
