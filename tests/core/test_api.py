"""The Python API: the same engine as the CLI, data as Python objects, silent when asked, no exits."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import nlpzoo
from nlpzoo.cli import main
from tests.helpers import TINY

TIMINGS = {"train_seconds", "train_tokens_per_second", "inference_texts_per_second", "device"}


def test_the_api_and_the_cli_make_the_same_run_folder(tmp_path):
    cli = tmp_path / "cli"
    args = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")]
    result = CliRunner().invoke(main, ["run", "--classifier", "gru", *args, "--out", str(cli), "--no-progress"])
    assert result.exit_code == 0, result.output
    run = nlpzoo.train("gru", params=TINY, out=tmp_path / "api", progress=False)
    a, b = (json.loads((d / "zoo_run.json").read_text()) for d in (cli, run.dir))
    assert {k: v for k, v in a.items() if k != "created"} == {k: v for k, v in b.items() if k != "created"}
    assert (cli / "split.json").read_bytes() == (run.dir / "split.json").read_bytes()
    from safetensors import safe_open

    with safe_open(str(cli / "model.safetensors"), "pt") as x, safe_open(str(run.dir / "model.safetensors"), "pt") as y:
        assert x.metadata() == y.metadata() and sorted(x.keys()) == sorted(y.keys())
        assert all(x.get_tensor(k).equal(y.get_tensor(k)) for k in x.keys())  # the same weights, bit for bit
    ma, mb = (json.loads((d / "metrics.json").read_text()) for d in (cli, run.dir))
    assert {k: v for k, v in ma.items() if k not in TIMINGS} == {k: v for k, v in mb.items() if k not in TIMINGS}


def test_a_run_predicts_evaluates_and_loads_as_latest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = nlpzoo.train("bigru", params=TINY, progress=False)  # runs/<time>-bigru
    assert run.dir.parent.name == "runs" and run.kind == "classifier" and run.class_names == ["low", "medium", "high"]
    first, second = run.predict(["الطعام لذيذ جدا والخدمة ممتازة", "المكان غير نظيف ولن أعود"])
    assert isinstance(first, nlpzoo.Prediction) and first.label == "high" and second.label == "low"
    assert set(first.probabilities) == {"low", "medium", "high"} and first.score is None
    probabilities = run.predict_proba(["الطعام لذيذ"])
    assert probabilities.shape == (1, 3) and np.isclose(probabilities.sum(), 1)
    latest = nlpzoo.load("latest")
    assert latest.dir.resolve() == run.dir.resolve()
    assert latest.evaluate()["macro_f1"] == pytest.approx(run.metrics["macro_f1"])
    assert "macro_f1" in repr(latest) and latest.config["component"]["name"] == "bigru"


def test_data_may_be_a_dataframe_or_texts_and_scores(tmp_path):
    import pandas as pd

    from nlpzoo.data.tables import load_dataset
    from nlpzoo.data.datasets import resolve
    from nlpzoo.machinery.discovery import get_zoo

    demo = load_dataset(resolve(None, get_zoo().registry).path)
    frame = pd.DataFrame({"review": demo.texts, "stars": [float(s) for s in demo.scores]})
    from_frame = nlpzoo.train("tfidf-logreg", data=frame, text_col="review", score_col="stars",
                              discretize="bins:0,4,7,10", out=tmp_path / "frame", progress=False)
    from_lists = nlpzoo.train("tfidf-logreg", data=(demo.texts, [float(s) for s in demo.scores]),
                              discretize="bins:0,4,7,10", out=tmp_path / "lists", progress=False)
    from_file = nlpzoo.train("tfidf-logreg", out=tmp_path / "file", progress=False)
    assert from_frame.metrics["macro_f1"] == from_lists.metrics["macro_f1"] == from_file.metrics["macro_f1"]
    assert from_frame.evaluate()["support"] == from_file.metrics["support"]  # the inline data is found again
    scores = nlpzoo.train("tfidf-ridge", kind="regressor", data=(demo.texts, [float(s) for s in demo.scores]),
                          out=tmp_path / "scores", progress=False)
    prediction = scores.predict("الطعام لذيذ جدا والخدمة ممتازة")[0]
    assert prediction.label is None and 0 <= prediction.score <= 10


def test_progress_false_is_fully_silent(tmp_path, capfd):
    nlpzoo.train("gru", params={**TINY, "epochs": 1}, out=tmp_path / "quiet", progress=False)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_errors_are_exceptions_never_exits(tmp_path):
    with pytest.raises(nlpzoo.ZooError, match="Did you mean: bigru"):
        nlpzoo.train("bigruu")
    with pytest.raises(nlpzoo.ZooError, match="must be >= 1"):
        nlpzoo.train("bigru", params={"hidden_size": -1})
    with pytest.raises(nlpzoo.ZooError, match="does not exist"):
        nlpzoo.load(tmp_path / "nothing")
    run = nlpzoo.train("tfidf-logreg", out=tmp_path / "c", progress=False)
    with pytest.raises(nlpzoo.ZooError, match="generate\\(\\) works on generator runs"):
        run.generate("نص")


def test_bench_returns_rows_and_a_dataframe(tmp_path):
    result = nlpzoo.bench(["gru", "tfidf-logreg"], params=TINY, epochs=2, out=tmp_path / "b")
    frame = result.to_dataframe()
    assert list(frame["classifier"]) == [s["classifier"] for s in result.summaries["classifier"]]
    assert {"macro_f1", "accuracy", "train_seconds"} <= set(frame.columns) and len(result.rows) == 2
    assert len(result.to_dataframe(per_seed=True)) == 2 and not result.failed
    assert (tmp_path / "b" / "report.html").is_file()


def test_generate_and_info(example_plugin, tmp_path):
    run = nlpzoo.train("char-ngram", kind="generator", params={"order": 3}, eval_texts=2, out=tmp_path / "g",
                       progress=False)
    texts = nlpzoo.generate(run.dir, "الطعام", max_new_tokens=10, seed=3)
    assert len(texts) == 1 and texts == run.generate("الطعام", max_new_tokens=10, seed=3)
    described = nlpzoo.info("bigru")
    assert [d["kind"] for d in described] == ["classifier", "regressor"]  # one name, two kinds
    assert nlpzoo.info("tfidf-logreg")["params"][0]["name"] == "C"
    assert "demo" in {d["name"] for d in nlpzoo.list_datasets()}


def test_every_run_folder_has_a_model_card(tmp_path):
    run = nlpzoo.train("gru", params=TINY, out=tmp_path / "card", progress=False)
    card = (run.dir / "README.md").read_text("utf-8")
    assert card.startswith("---\nlibrary_name: nlp-zoo\nlanguage:\n- ar\n")
    assert f"sha256 `{run.config['data']['sha256']}`" in card and "| macro F1 |" in card
    assert "![confusion matrix](confusion_matrix.png)" in card and "| `hidden_size` | `16` |" in card
    assert 'nlpzoo.load("card")' in card and "zoo predict card" in card


def test_the_api_names_are_not_shadowed_by_submodules():
    """nlpzoo.bench was once also a submodule: importing it replaced the function on the package."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(nlpzoo.__path__):
        if info.name != "__main__":  # running it would start the command line
            importlib.import_module(f"nlpzoo.{info.name}")
    for name in ("train", "load", "bench", "generate", "info", "list_datasets", "list_components", "create"):
        assert callable(getattr(nlpzoo, name)) and not isinstance(getattr(nlpzoo, name), type(nlpzoo)), name


def test_every_public_name_is_documented_and_typed():
    import inspect

    for name in nlpzoo.__all__:
        value = getattr(nlpzoo, name)
        if name.startswith("__") or not (inspect.isfunction(value) or inspect.isclass(value)):
            continue
        assert inspect.getdoc(value), f"nlpzoo.{name} has no docstring"
        if inspect.isfunction(value) and value.__module__.startswith("nlpzoo.api."):
            assert "return" in value.__annotations__, f"nlpzoo.{name} has no return type"
    for member in ("predict", "predict_proba", "evaluate", "generate", "metrics", "config", "history", "class_names"):
        assert inspect.getdoc(getattr(nlpzoo.Run, member)), f"Run.{member} has no docstring"


# -- the bench table's order ------------------------------------------------------------------------
RANKED = '''
import json
from pathlib import Path

import numpy as np

from nlpzoo import Component, hookimpl


class ByRule:
    """Predicts from the text alone by a fixed rule, so the metrics it gets are known beforehand."""

    def __init__(self, rule):
        self.rule, self.ids = rule, {}

    def fit(self, train, validation, settings):
        if hasattr(train, "labels"):   # a classifier learns which id each word's class has
            self.ids = {text.split()[0]: int(label) for text, label in zip(train.texts, train.labels)}
            self.n = train.n_classes
        return {"epochs": [], "interrupted": False}

    def predict_proba(self, texts):
        probabilities = np.zeros((len(texts), self.n))
        for row, text in enumerate(texts):
            word, number = text.split()
            small = self.rule == "keen" and (word == "small" or int(number) % 2 == 1)
            probabilities[row, self.ids["small" if small else "big"]] = 1.0
        return probabilities

    def predict(self, texts):   # a regressor: the score is written in the text
        scores = [float(text.split()[1]) for text in texts]
        if self.rule == "monotone":
            return np.array(scores) ** 3 / 100   # inside the training range: the zoo clips to it
        return np.array([score + ((index * 7) % 5 - 2) * 0.6 for index, score in enumerate(scores)])

    def save(self, directory):
        Path(directory, "rule.json").write_text(json.dumps({"ids": self.ids, "n": getattr(self, "n", 0)}))

    def load(self, directory, device="cpu"):
        saved = json.loads(Path(directory, "rule.json").read_text())
        self.ids, self.n = saved["ids"], saved["n"]


def component(rule, description):
    return Component(name=rule, description=description, factory=lambda: ByRule(rule), params=[])


@hookimpl
def register_classifiers(register):
    register(component("majority", "Always the majority class: high accuracy, low macro-F1."))
    register(component("keen", "The minority class too often: lower accuracy, higher macro-F1."))


@hookimpl
def register_regressors(register):
    register(component("monotone", "score**3/100: the right order (Spearman 1), a low Pearson."))
    register(component("noisy", "score plus noise: a high Pearson, the order slightly wrong."))
'''


def test_bench_ranks_classifiers_by_macro_f1_and_regressors_by_spearman_not_accuracy_or_pearson(
        tmp_path, install_plugin):
    # each pair is built so that the other metric orders it the other way round: the order tests the metric
    install_plugin("zoo-ranked", "ranked", "zoo_ranked", RANKED)
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,label\n" + "".join(
        f"{'big' if i % 5 else 'small'} {i},{'big' if i % 5 else 'small'}\n" for i in range(400)), "utf-8")
    scored = tmp_path / "scored.csv"
    scored.write_text("text,score\n" + "".join(f"item {i / 40:.3f},{i / 40:.3f}\n" for i in range(400)), "utf-8")

    classifiers = nlpzoo.bench(["majority", "keen"], data=labelled, preprocess=None, out=tmp_path / "c")
    table = {s["classifier"]: s for s in classifiers.summaries["classifier"]}
    assert table["majority"]["accuracy"] > table["keen"]["accuracy"]
    assert [s["classifier"] for s in classifiers.summaries["classifier"]] == ["keen", "majority"]

    regressors = nlpzoo.bench(["monotone", "noisy"], data=scored, kind="regressor", score_col="score",
                              preprocess=None, out=tmp_path / "r")
    table = {s["regressor"]: s for s in regressors.summaries["regressor"]}
    assert table["noisy"]["pearson"] > table["monotone"]["pearson"]
    assert [s["regressor"] for s in regressors.summaries["regressor"]] == ["monotone", "noisy"]
