"""The `ensemble` classifier: soft voting and stacking over any registered classifiers."""
from __future__ import annotations

import json

import numpy as np
import pytest

import nlpzoo
from nlpzoo.foundations.errors import ZooError
from nlpzoo.kinds import FitSettings
from nlpzoo.testing import tiny_classification_data
from tests.conftest import run_zoo

SMALL = '[classifiers.gru-tiny]\nbase = "gru"\nembedding_dim = 16\nhidden_size = 16\nepochs = 3\nmin_freq = 1\n'


@pytest.fixture
def registry(tmp_path, monkeypatch):
    path = tmp_path / "members.toml"
    path.write_text(SMALL)
    monkeypatch.setenv("ZOO_REGISTRY", str(path))
    return path


def trained(method: str, members: str = "gru-tiny,tfidf-logreg"):
    data = tiny_classification_data()
    model = nlpzoo.create("classifier", "ensemble", members=members, method=method)
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))
    return model, data


def test_soft_voting_is_the_mean_of_the_members_probabilities(registry):
    model, data = trained("soft")
    texts = data.test.texts
    expected = np.mean([member.predict_proba(texts) for member in model.members], axis=0)
    assert np.allclose(model.predict_proba(texts), expected)
    assert [c.name for c in model.components] == ["gru-tiny", "tfidf-logreg"]


def test_stacking_learns_weights_on_the_validation_split_and_gives_probabilities(registry, tmp_path):
    model, data = trained("stacking")
    probabilities = model.predict_proba(data.test.texts)
    assert probabilities.shape == (len(data.test.texts), data.train.n_classes)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert not np.allclose(probabilities, np.mean([m.predict_proba(data.test.texts) for m in model.members], axis=0))
    model.save(tmp_path)
    state = json.loads((tmp_path / "ensemble.json").read_text())
    assert state["members"] == ["gru-tiny", "tfidf-logreg"] and state["stacker"]["coefficients"]
    fresh = nlpzoo.create("classifier", "ensemble", members="gru-tiny,tfidf-logreg", method="stacking")
    fresh.load(tmp_path)
    assert np.allclose(fresh.predict_proba(data.test.texts), probabilities)


@pytest.mark.parametrize("class_weight", ["balanced", "none"])
def test_the_stacker_weighs_classes_as_asked_on_unbalanced_validation_reviews(registry, class_weight):
    from sklearn.linear_model import LogisticRegression

    from nlpzoo.kinds.classifier import LabeledTexts

    data = tiny_classification_data()
    rare = data.validation.labels[0]   # keep only two validation rows of one class: clearly unbalanced
    labels = data.validation.labels
    keep = [i for i, y in enumerate(labels) if y != rare] + [i for i, y in enumerate(labels) if y == rare][:2]
    validation = LabeledTexts([data.validation.texts[i] for i in keep], [data.validation.labels[i] for i in keep],
                              data.validation.n_classes)
    model = nlpzoo.create("classifier", "ensemble", members="gru-tiny,tfidf-logreg", method="stacking",
                          stacker_class_weight=class_weight)
    model.fit(data.train, validation, FitSettings(progress=False, log=lambda m: None))
    features = np.concatenate([m.predict_proba(validation.texts) for m in model.members], axis=1)
    fitted = {weight: LogisticRegression(C=1.0, class_weight=weight, max_iter=2000, random_state=13)
              .fit(features, validation.labels) for weight in ("balanced", None)}
    coefficients, _ = model.stacker
    expected = fitted["balanced" if class_weight == "balanced" else None]
    other = fitted[None if class_weight == "balanced" else "balanced"]
    assert np.allclose(coefficients[expected.classes_], expected.coef_, atol=1e-6)
    assert not np.allclose(coefficients[other.classes_], other.coef_, atol=1e-3)


@pytest.mark.parametrize("members, message", [("bigru", "give two or more"), ("bigru,ensemble", "cannot be a member"),
                                              ("bigru,bigruu", "bigruu")])
def test_bad_members_are_one_clear_error(members, message):
    with pytest.raises(ZooError, match=message):
        nlpzoo.create("classifier", "ensemble", members=members)


def test_an_ensemble_run_predicts_evaluates_and_benches_like_any_classifier(registry, tmp_path):
    env = {"ZOO_REGISTRY": str(registry)}
    run = run_zoo("run", "--classifier", "ensemble", "--param", "members=gru-tiny,tfidf-logreg", "--out",
                  str(tmp_path / "run"), "--json", env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "run" / "members" / "0-gru-tiny" / "model.safetensors").exists()
    predicted = run_zoo("predict", str(tmp_path / "run"), "الأكل لذيذ جدا", "--json", env=env, cwd=tmp_path)
    assert predicted.returncode == 0 and json.loads(predicted.stdout)["label"]
    evaluated = run_zoo("evaluate", str(tmp_path / "run"), "--json", env=env, cwd=tmp_path)
    assert json.loads(evaluated.stdout)["macro_f1"] == pytest.approx(json.loads(run.stdout)["macro_f1"])
    bench = run_zoo("--registry", str(registry), "bench", "--classifiers", "ensemble,tfidf-logreg", "--param",
                    "members=gru-tiny,tfidf-logreg", "--out", str(tmp_path / "bench"), "--json", cwd=tmp_path)
    assert bench.returncode == 0, bench.stderr
    rows = {line["classifier"]: line for line in json.loads(bench.stdout)["summary"]}
    assert set(rows) == {"ensemble", "tfidf-logreg"} and rows["ensemble"]["macro_f1"] > 0.5


def test_an_ensemble_is_tuned_by_its_method(registry, tmp_path):
    result = nlpzoo.tune("ensemble", trials=2, params={"members": "gru-tiny,tfidf-logreg"}, out=tmp_path,
                         space={"plugin_spaces": False, "params": {"method": {"choices": ["soft", "stacking"]}}},
                         progress=False, log=lambda message: None)
    assert result.counts["complete"] == 2 and result.best["params"]["members"] == ["gru-tiny", "tfidf-logreg"]
    assert result.best["params"]["method"] in ("soft", "stacking") and result.test["macro_f1"] > 0.5


def test_an_ensemble_folder_naming_member_folders_outside_itself_is_refused(tmp_path):
    model = nlpzoo.create("classifier", "ensemble", members="tfidf-logreg,tfidf-logreg")
    data = tiny_classification_data()
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))
    saved = tmp_path / "shared" / "ensemble"
    saved.mkdir(parents=True)
    model.save(saved)
    elsewhere = tmp_path / "elsewhere"
    (saved / "members" / "0-tfidf-logreg").rename(elsewhere)
    state = json.loads((saved / "ensemble.json").read_text())
    state["folders"][0] = "../../elsewhere"
    (saved / "ensemble.json").write_text(json.dumps(state))
    fresh = nlpzoo.create("classifier", "ensemble", members="tfidf-logreg,tfidf-logreg")
    with pytest.raises(ZooError, match="outside the folder"):
        fresh.load(saved)


@pytest.mark.parametrize("members", ["nlp-zoo:ensemble,tfidf-logreg", "loop,tfidf-logreg", "ensemble-of-two,tfidf-logreg"])
def test_an_ensemble_member_that_is_itself_an_ensemble_is_one_clear_error(tmp_path, monkeypatch, members):
    """By a distribution-qualified name, or a preset that names itself (which recursed until Python
    gave up), or a preset of another ensemble: one ZooError, never a RecursionError."""
    registry = tmp_path / "loop.toml"
    registry.write_text('[classifiers.loop]\nbase = "ensemble"\nmembers = "loop,tfidf-logreg"\n\n'
                        '[classifiers.ensemble-of-two]\nbase = "ensemble"\nmembers = "tfidf-logreg,tfidf-logreg"\n')
    monkeypatch.setenv("ZOO_REGISTRY", str(registry))
    from nlpzoo.machinery.discovery import reset

    reset()
    with pytest.raises(ZooError, match="cannot be a member"):
        nlpzoo.create("classifier", "ensemble", members=members)


def test_a_saved_ensemble_with_an_unknown_method_is_refused_not_soft_voted(tmp_path):
    model = nlpzoo.create("classifier", "ensemble", members="tfidf-logreg,tfidf-logreg", method="stacking")
    data = tiny_classification_data()
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))
    model.save(tmp_path)
    state = json.loads((tmp_path / "ensemble.json").read_text())
    for method, stacker in (("median", state["stacker"]), ("stacking", None), ("stacking", {"coefficients": "x"})):
        (tmp_path / "ensemble.json").write_text(json.dumps({**state, "method": method, "stacker": stacker}))
        fresh = nlpzoo.create("classifier", "ensemble", members="tfidf-logreg,tfidf-logreg", method="stacking")
        with pytest.raises(ZooError, match="ensemble.json"):
            fresh.load(tmp_path)


def test_members_is_a_list_parameter_that_the_command_line_writes_with_commas():
    """A list of names (JSON and the Python API give a list); 'a,b' from the command line, a preset or
    a 0.2 run record, which kept the string, is the same list."""
    component = nlpzoo.get_zoo().get("classifier", "ensemble")
    assert component.param("members").is_list and component.default_params()["members"] == ["bigru", "tfidf-logreg"]
    assert component.resolve_params({"members": "bigru, tfidf-logreg"})["members"] == ["bigru", "tfidf-logreg"]
    assert nlpzoo.create("classifier", "ensemble", members=["gru", "tfidf-logreg"]).names == ["gru", "tfidf-logreg"]
