"""nlpzoo.tune / nlpzoo.workflows.tuning: search spaces, the honest objective, pruning, storage and outputs."""
from __future__ import annotations

import csv
import json

import optuna
import pytest

import nlpzoo
from nlpzoo import Param, Search
from nlpzoo.machinery.components import Component
from nlpzoo.foundations.errors import ParameterError, ZooError
from nlpzoo.kinds import get_kind
from nlpzoo.workflows.tuning import build_space, parse_duration, read_space_file

# A third-party classifier whose per-epoch validation score is its `quality` parameter: pruning and
# Ctrl-C behave the same on every machine. It memorises the validation labels it is shown and
# labels a `quality` share of them right, so the core's validation score follows `quality` too.
SCRIPTED = '''
import json, time, zlib
from pathlib import Path

import numpy as np

from nlpzoo import Check, Component, Param, Search, hookimpl


class Scripted:
    def __init__(self, quality, epochs, seconds, marker, fail, floor):
        self.quality, self.epochs, self.seconds, self.marker, self.fail = quality, epochs, seconds, marker, fail
        self.labels, self.n = {}, 2

    def fit(self, train, validation, settings):
        if self.fail:
            raise RuntimeError("boom")
        self.n = train.n_classes
        self.labels = dict(zip(validation.texts, validation.labels))
        history = {"epochs": [], "interrupted": False}
        if self.marker:
            with open(self.marker, "a") as handle:
                handle.write("started\\n")
        try:
            for epoch in range(1, self.epochs + 1):
                time.sleep(self.seconds)
                record = {"epoch": epoch, "train_loss": 1.0 / epoch, "val_macro_f1": self.quality}
                history["epochs"].append(record)
                if settings.on_epoch:
                    settings.on_epoch(dict(record))
        except KeyboardInterrupt:
            history["interrupted"] = True
        return history

    def predict_proba(self, texts):
        probabilities = np.zeros((len(texts), self.n))
        for row, text in enumerate(texts):
            label = self.labels.get(text, 0)
            right = zlib.crc32(text.encode()) % 1000 < self.quality * 1000
            probabilities[row, label if right else (label + 1) % self.n] = 1.0
        return probabilities

    def save(self, directory):
        Path(directory, "scripted.json").write_text(json.dumps({"labels": self.labels, "n": self.n}))

    def load(self, directory, device="cpu"):
        saved = json.loads(Path(directory, "scripted.json").read_text())
        self.labels, self.n = saved["labels"], saved["n"]


@hookimpl
def register_classifiers(register):
    register(Component(
        name="scripted", description="Validation scores set by its parameters (a test double).",
        factory=Scripted,
        params=[Param("quality", float, 0.5, "The validation score.", min=0.0, max=1.0,
                      search=Search.range(0.0, 1.0)),
                Param("epochs", int, 3, "Epochs.", min=1, budget=True),
                Param("seconds", float, 0.0, "Seconds per epoch.", min=0.0),
                Param("marker", str, "", "A file to append to when a trial starts training."),
                Param("fail", bool, False, "Raise in fit."),
                Param("floor", float, 0.0, "The lowest quality allowed (a rule over two parameters).")],
        checks=[Check(("quality", "floor"), lambda quality, floor: quality >= floor, "quality is below floor")]))
'''


@pytest.fixture
def scripted(install_plugin):
    return install_plugin("zoo-scripted", "scripted", "zoo_scripted", SCRIPTED)


def quiet(**kwargs):
    return {"progress": False, "log": lambda message: None, **kwargs}


# -- declaring spaces -------------------------------------------------------------------------------
@pytest.mark.parametrize("param, search, message", [
    (Param("lr", float, 0.01, min=1e-6, max=1.0), Search.range(1e-7, 0.1, log=True), "declared limits"),
    (Param("lr", float, 0.01, min=0.0), Search.range(0.0, 0.1, log=True), "low > 0"),
    (Param("pooling", str, "max", choices=("max", "mean")), Search.range(0, 1), "choices instead"),
    (Param("pooling", str, "max", choices=("max", "mean")), Search.among("max", "sum"), "must be one of"),
    (Param("size", int, 64, min=1), Search.range(8, 64.5), "whole number"),
    (Param("size", int, 64, min=1), Search.range(64, 8), "below high"),
    (Param("size", int, 64, min=1), Search.range(8, 64, log=True, step=8), "not both"),
    (Param("sizes", list[int], [3, 4], min=1), Search.range(1, 5), "choices instead"),
])
def test_a_space_that_does_not_fit_its_parameter_is_an_error_naming_it(param, search, message):
    with pytest.raises(ParameterError, match=message) as raised:
        search.check(param, "space.toml")
    assert f"'{param.name}'" in str(raised.value)


def test_a_plugin_declaring_a_bad_space_fails_at_registration():
    bad = Param("lr", float, 0.01, min=0.0, search=Search.range(0.0, 1.0, log=True))
    with pytest.raises(TypeError, match="lr.*low > 0"):
        bad.check_declaration()
    with pytest.raises(TypeError, match="budget"):
        Param("epochs", int, 3, min=1, budget=True, search=Search.range(1, 5)).check_declaration()
    Param("sizes", list[int], [3, 4], min=1, search=Search.among("3,4", "2,3,4")).check_declaration()


def test_every_builtin_space_fits_its_parameter():
    zoo = nlpzoo.get_zoo()
    spaces = 0
    for component in zoo.list():
        for param in component.params:
            if param.search is not None:
                param.search.check(param, component.name)
                spaces += 1
    assert spaces >= 10
    assert nlpzoo.get_zoo().get("classifier", "bigru").param("lr").search.log


# -- the user's space file --------------------------------------------------------------------------
def bigru():
    return nlpzoo.get_zoo().get("classifier", "bigru")


def test_the_space_file_overrides_narrows_and_fixes(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text('preprocess = ["normalize,tokenize", "none", "normalize , tokenize"]\n[params]\n'
                    'lr = {low = 0.001, high = 0.005, log = true}\npooling = {choices = ["mean"]}\nlayers = 2\n')
    space = build_space(bigru(), get_kind("classifier"), read_space_file(path), {"hidden_size": "96"},
                        zoo=nlpzoo.get_zoo())
    assert space.params["lr"] == Search(0.001, 0.005, True)
    assert space.params["pooling"].choices == ("mean",)
    assert space.fixed == {"layers": 2, "hidden_size": 96}
    assert "hidden_size" not in space.params and "layers" not in space.params
    assert "dropout" in space.params  # the plugin's own space stays unless the file says plugin_spaces = false
    assert space.chains == ["normalize,tokenize", None]
    only = build_space(bigru(), get_kind("classifier"), {"plugin_spaces": False, "params": {"lr": {"low": 0.001,
                                                                                                   "high": 0.01}}})
    assert list(only.params) == ["lr"]


@pytest.mark.parametrize("text, message", [
    ('[params]\nhiden_size = {low = 32, high = 64}\n', "unknown parameter 'hiden_size'.*Did you mean 'hidden_size'"),
    ('[params]\nlr = {low = 0.0, high = 2.0}\n', "declared limits"),
    ('[params]\npooling = {low = 1, high = 2}\n', "is str.*choices"),
    ('[params]\nlr = {lo = 0.001, high = 0.01}\n', "unknown key 'lo'"),
    ('[params]\nepochs = {low = 1, high = 9}\n', "training budget"),
    ('[params]\nlr = {low = 0.001}\n', "both low and high"),
    ('[params]\nlayers = "two"\n', "'layers' must be int"),
    ('preprocess = ["normalize,tokenise"]\n', "tokenise"),
    ('trials = 3\n', "unknown key 'trials'"),
    ('[params\n', "invalid TOML"),
])
def test_a_bad_space_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "space.toml"
    path.write_text(text)
    with pytest.raises(ZooError, match=message):
        build_space(bigru(), get_kind("classifier"), read_space_file(path), zoo=nlpzoo.get_zoo())


def test_nothing_to_search_is_an_error():
    plain = Component("plain", "no spaces", factory=dict, params=(Param("c", float, 1.0),), kind="classifier")
    with pytest.raises(ZooError, match="Nothing to search"):
        build_space(plain, get_kind("classifier"))


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("45", 45)])
def test_timeouts_read_as_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "30 minutes", "0m", ""])
def test_a_bad_timeout_is_an_error(text):
    if text == "":
        assert parse_duration(text) is None
        return
    with pytest.raises(ZooError, match="timeout"):
        parse_duration(text)


# -- studies ---------------------------------------------------------------------------------------
def test_trials_are_scored_on_validation_and_only_the_best_touches_the_test_split(scripted, tmp_path, monkeypatch):
    kind = type(get_kind("classifier"))
    calls = {"evaluate": 0, "validation": 0}
    evaluate, validation = kind.evaluate, kind.validation_score

    def counted_evaluate(self, *args, **kwargs):
        calls["evaluate"] += 1
        return evaluate(self, *args, **kwargs)

    def counted_validation(self, *args, **kwargs):
        calls["validation"] += 1
        return validation(self, *args, **kwargs)

    monkeypatch.setattr(kind, "evaluate", counted_evaluate)
    monkeypatch.setattr(kind, "validation_score", counted_validation)
    result = nlpzoo.tune("scripted", trials=5, pruner="none", out=tmp_path, seeds=[1, 2], **quiet())
    assert calls == {"evaluate": 1, "validation": 10}  # two seeds per trial; the test split once
    assert result.counts["complete"] == 5
    best = max(result.trials, key=lambda row: row["value"])
    assert result.best["number"] == best["number"]
    # the value is the core's validation macro-F1, which the scripted model makes follow `quality`
    ranked = sorted(result.trials, key=lambda row: row["params"]["quality"])
    assert ranked[-1]["value"] > ranked[0]["value"]
    assert result.test["macro_f1"] == json.loads((result.run_dir / "metrics.json").read_text())["macro_f1"]


def test_a_study_writes_its_trials_plots_best_and_a_preset_that_zoo_runs(tmp_path, monkeypatch):
    """A real model (a tiny BiGRU on the demo set) through every output."""
    monkeypatch.chdir(tmp_path)
    space = {"plugin_spaces": False, "params": {"hidden_size": {"low": 8, "high": 16, "step": 8},
                                                "lr": {"low": 0.003, "high": 0.03, "log": True}}}
    result = nlpzoo.tune("bigru", trials=3, space=space, preprocess=["normalize,tokenize", "normalize"],
                         params={"epochs": 2, "embedding_dim": 8, "batch_size": 32}, out="tune-out",
                         study="tiny", **quiet())
    folder = tmp_path / "tune-out" / "tiny"
    assert result.folder.resolve() == folder
    for name in ("study.db", "trials.csv", "best.json", "tuned.toml", "optimization_history.png",
                 "param_importances.png", "parallel_coordinate.png"):
        assert (folder / name).stat().st_size > 0, name
    with open(folder / "trials.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and {r["state"] for r in rows} <= {"complete", "pruned"}
    assert {"hidden_size", "lr", "preprocess"} <= set(rows[0])
    best = json.loads((folder / "best.json").read_text())
    assert best["best"]["number"] == result.best["number"] and best["test"]["macro_f1"] > 0
    # the preset is the best trial: the same parameters and chain, and zoo run reproduces its test score
    run = nlpzoo.train("bigru-tuned", registry=str(folder / "tuned.toml"), out=tmp_path / "again", progress=False)
    assert run.record["params"]["hidden_size"] == result.best["params"]["hidden_size"]
    assert run.record["params"]["lr"] == pytest.approx(result.best["params"]["lr"])
    assert ",".join(run.record["preprocess"]) == result.best["preprocess"]
    assert run.metrics["macro_f1"] == pytest.approx(best["test"]["macro_f1"], abs=1e-6)


def test_pruned_trials_stop_early_and_are_recorded_as_pruned(scripted, tmp_path):
    space = {"plugin_spaces": False, "params": {"quality": {"choices": [0.9, 0.1]}}}
    result = nlpzoo.tune("scripted", trials=8, space=space, params={"epochs": 6}, pruner="median", out=tmp_path,
                         **quiet())
    pruned = [row for row in result.trials if row["state"] == "pruned"]
    assert pruned, result.trials
    assert all(row["params"]["quality"] == 0.1 and row["epochs"] < 6 for row in pruned)
    assert all(row["epochs"] == 6 for row in result.trials if row["state"] == "complete")
    without = nlpzoo.tune("scripted", trials=8, space=space, params={"epochs": 6}, pruner="none", out=tmp_path,
                          study="no-pruner", **quiet())
    assert without.counts["pruned"] == 0


def test_trials_whose_values_break_a_declared_check_are_pruned_before_training(scripted, tmp_path):
    marker = tmp_path / "started.txt"
    space = {"plugin_spaces": False, "params": {"quality": {"choices": [0.2, 0.9]}, "floor": {"choices": [0.0, 0.5]}}}
    result = nlpzoo.tune("scripted", trials=10, space=space, params={"marker": str(marker)}, pruner="none",
                         out=tmp_path, **quiet())
    broken = [row for row in result.trials if row["params"]["quality"] < row["params"]["floor"]]
    assert broken and result.counts["fail"] == 0   # pruned, not failed: the study goes on
    assert all(row["state"] == "pruned" and "quality=0.2, floor=0.5: quality is below floor" in row["error"]
               for row in broken)
    assert all(row["state"] == "complete" for row in result.trials if row not in broken)
    assert marker.read_text().count("started") == len(result.trials) - len(broken) + 1  # + the best, retrained
    assert result.best["params"]["quality"] >= result.best["params"]["floor"]
    with pytest.raises(ParameterError, match="quality=0.2, floor=0.5: quality is below floor"):
        nlpzoo.train("scripted", params={"quality": 0.2, "floor": 0.5}, out=tmp_path / "runs", **quiet())


def test_a_continued_study_keeps_its_trials_and_runs_the_missing_ones(scripted, tmp_path):
    first = nlpzoo.tune("scripted", trials=3, out=tmp_path, pruner="none", **quiet())
    again = nlpzoo.tune("scripted", trials=5, out=tmp_path, pruner="none", **quiet())
    assert [row["params"] for row in again.trials[:3]] == [row["params"] for row in first.trials]
    assert again.counts["complete"] == 5
    with pytest.raises(ZooError, match="other settings.*--study NEW"):
        nlpzoo.tune("scripted", trials=6, out=tmp_path, params={"epochs": 4}, **quiet())


def test_an_unreachable_storage_is_one_clear_error(scripted, tmp_path):
    with pytest.raises(ZooError, match="Cannot open the study storage postgresql://"):
        nlpzoo.tune("scripted", trials=1, out=tmp_path, storage="postgresql://zoo@127.0.0.1:9/none", **quiet())
    with pytest.raises(ZooError, match="Cannot open the study storage"):
        nlpzoo.tune("scripted", trials=1, out=tmp_path, storage="nonsense:/x", **quiet())


def test_failing_trials_are_recorded_and_stop_a_study_that_cannot_work(scripted, tmp_path):
    with pytest.raises(ZooError, match="5 trials in a row failed; the last: PluginError.*boom"):
        nlpzoo.tune("scripted", trials=20, out=tmp_path, params={"fail": "true"}, **quiet())
    study = optuna.load_study(study_name="scripted-demo", storage=f"sqlite:///{tmp_path / 'scripted-demo' / 'study.db'}")
    assert [t.state.name for t in study.trials] == ["FAIL"] * 5
    assert "boom" in study.trials[0].user_attrs["error"]


def test_kinds_declare_what_a_study_optimises():
    assert get_kind("classifier").validation_metric.higher_is_better
    assert get_kind("regressor").validation_metric.key == "spearman"
    assert not get_kind("generator").validation_metric.higher_is_better
    with pytest.raises(ZooError, match="no validation metric to tune"):
        nlpzoo.tune("normalize", kind="preprocessor")


def test_a_regressor_is_tuned_by_validation_spearman(tmp_path):
    result = nlpzoo.tune("tfidf-ridge", kind="regressor", trials=2, out=tmp_path, **quiet())
    assert result.metric == "validation Spearman" and result.direction == "maximize"
    assert result.counts["complete"] == 2 and "spearman" in result.test


def test_third_party_components_are_tuned_by_the_spaces_they_declare(example_plugin, tmp_path):
    result = nlpzoo.tune("naive-bayes", trials=3, out=tmp_path, **quiet())
    assert result.counts["complete"] == 3
    assert {"alpha", "min_freq"} == set(result.trials[0]["params"])
    assert 0.01 <= result.trials[0]["params"]["alpha"] <= 10.0
    assert result.test["macro_f1"] > 0.5


def test_a_generator_is_tuned_by_validation_perplexity(example_plugin, tmp_path):
    result = nlpzoo.tune("char-ngram", kind="generator", trials=3, out=tmp_path, **quiet())
    assert result.metric == "validation perplexity" and result.direction == "minimize"
    finished = [row for row in result.trials if row["state"] == "complete"]
    assert result.best["value"] == min(row["value"] for row in finished) > 1.0
    assert result.test["test_perplexity"] > 1.0


def test_a_timeout_ends_the_study_after_the_running_trial(scripted, tmp_path):
    import time

    started = time.monotonic()
    result = nlpzoo.tune("scripted", timeout="2s", params={"seconds": 0.3}, pruner="none", out=tmp_path, **quiet())
    assert 1 <= result.counts["complete"] <= 4 and result.counts["running"] == 0
    assert time.monotonic() - started < 60 and result.test is not None  # a study that ran out of time is finished
