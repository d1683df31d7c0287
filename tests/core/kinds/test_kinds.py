"""Kinds are units: each is one module, and a new kind is one new module plus its hook."""
from __future__ import annotations

import textwrap

import pytest

import nlpzoo.kinds
from nlpzoo.machinery import discovery
from nlpzoo.kinds import all_kinds, get_kind

TAGGER_KIND = '''
"""A new kind, written the way a newcomer would: this module and its hook, nothing else."""
from typing import Protocol

from nlpzoo.machinery.hookspecs import hookspec
from nlpzoo.kinds.base import Kind


class Tagger(Protocol):
    def tag(self, text: str) -> list[tuple[str, str]]:
        """(token, tag) pairs."""


@hookspec
def register_taggers(register):
    """Register part-of-speech taggers."""


class TaggerKind(Kind):
    name = "tagger"
    plural = "taggers"
    hook = "register_taggers"
    protocol = Tagger
    order = 50


KIND = TaggerKind()
'''

TAGGER_PLUGIN = '''
from nlpzoo import Component, hookimpl

class EveryWordANoun:
    def tag(self, text):
        return [(word, "NOUN") for word in text.split()]

@hookimpl
def register_taggers(register):
    register(Component(name="nouns", description="tags every word as a noun", factory=EveryWordANoun))
'''


def test_the_five_kinds_each_state_their_contract():
    assert list(all_kinds()) == ["scraper", "preprocessor", "classifier", "regressor", "generator"]
    for kind in all_kinds().values():
        assert kind.hook.startswith("register_") and kind.plural.endswith("s")
        from nlpzoo.machinery import hookspecs

        assert getattr(hookspecs, kind.hook).__doc__.strip()  # every kind's hook is a documented spec
        assert [m for m in vars(kind.protocol) if callable(getattr(kind.protocol, m)) and not m.startswith("_")]
    assert get_kind("classifiers") is get_kind("classifier")
    assert [k.name for k in all_kinds().values() if k.trainable] == ["classifier", "regressor", "generator"]


def test_a_new_kind_is_one_module_and_its_hook(tmp_path, monkeypatch, install_plugin):
    package = tmp_path / "extra_kinds"
    package.mkdir()
    (package / "tagger.py").write_text(textwrap.dedent(TAGGER_KIND), "utf-8")
    monkeypatch.setattr(nlpzoo.kinds, "__path__", [*nlpzoo.kinds.__path__, str(package)])
    all_kinds.cache_clear()
    try:
        install_plugin("zoo-nouns", "nouns", "zoo_nouns_plugin", TAGGER_PLUGIN)
        zoo = discovery.get_zoo()
        assert "tagger" in all_kinds() and zoo.names("tagger") == ["nouns"]
        assert zoo.create("tagger", "nouns").tag("الطعام لذيذ") == [("الطعام", "NOUN"), ("لذيذ", "NOUN")]
        assert next(p for p in zoo.plugins if p.name == "nouns").status == "ok"
        from nlpzoo.machinery.registry import preset_tables

        assert preset_tables()["taggers"] == "tagger"  # presets over taggers work in registry.toml too
    finally:
        import sys

        monkeypatch.undo()
        sys.modules.pop("nlpzoo.kinds.tagger", None)
        all_kinds.cache_clear()
        discovery.reset()


def test_unknown_kind_is_a_clear_error():
    from nlpzoo.foundations.errors import ZooError

    with pytest.raises(ZooError, match="Unknown kind 'taggr'. Kinds: scraper, preprocessor, classifier, regressor,"):
        get_kind("taggr")


def test_the_core_imports_no_plugin_module():
    """Disabling or replacing a plugin takes it out of use only if nothing else imports it."""
    import re

    from tests.conftest import ROOT

    for folder in ("core", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            assert not re.search(r"(from|import)\s+nlpzoo\.plugins", text), f"{path} imports a plugin"
            assert not re.search(r"from \.\.?plugins", text), f"{path} imports a plugin"


class _Reader:
    """A model that answers from the texts it is shown and remembers them: each text's length decides it."""

    def __init__(self, n_classes: int = 2):
        self.seen, self.n_classes = [], n_classes

    def predict_proba(self, texts):
        self.seen.append(list(texts))
        return [[1.0, 0.0] if len(text) % 2 else [0.0, 1.0] for text in texts]

    def predict(self, texts):
        self.seen.append(list(texts))
        return [float(len(text) % 11) for text in texts]


@pytest.mark.parametrize("kind_name", ["classifier", "regressor"])
def test_validation_score_reads_the_validation_split_and_nothing_else(kind_name):
    """zoo tune and early stopping pick models by it: a score read off the test split would leak the test."""
    import numpy as np

    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import DataOptions
    from nlpzoo.data.metrics import classification_metrics, regression_metrics

    kind = get_kind(kind_name)
    prepared = kind.prepare(DataOptions(preprocess=None), get_zoo(), log=lambda message: None)
    reader = _Reader()
    score = kind.validation_score(reader, prepared, None)
    validation = prepared.part("validation")
    assert reader.seen == [validation.texts] and set(validation.texts).isdisjoint(prepared.part("test").texts)
    if kind_name == "classifier":
        predicted = np.asarray(reader.predict_proba(validation.texts)).argmax(1)
        assert score == pytest.approx(classification_metrics(validation.labels, predicted,
                                                             prepared.class_names)["macro_f1"])
    else:
        low, high = prepared.score_range
        predicted = np.clip(reader.predict(validation.texts), low, high)
        assert score == pytest.approx(regression_metrics(validation.scores, predicted)["spearman"])


def test_kinds_never_import_the_workflows():
    """A kind states a contract; runs, benches, studies and the API are built on kinds, not under them
    (evaluation_data lived in runs.py and was imported from inside the kinds' methods)."""
    import ast
    from pathlib import Path

    import nlpzoo.kinds

    workflows = {"workflows", "testing", "api", "cli"}
    for path in Path(nlpzoo.kinds.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                name = (node.module or "").split(".")[0] if node.level == 2 else \
                    (node.module or "").split(".")[1] if (node.module or "").startswith("nlpzoo.") else ""
                assert name not in workflows, f"{path.name}:{node.lineno} imports {node.module}"


def test_a_supervised_kind_must_bring_what_differs_between_kinds():
    """SupervisedKind holds the shared path; a kind that leaves out its targets, prepared data, output
    shape or metrics is refused when it is made, not when a run reaches the missing method."""
    from nlpzoo.kinds.classifier import ClassifierKind
    from nlpzoo.kinds.supervised import LoadedModel, SupervisedKind

    class WithoutMetrics(SupervisedKind):
        name, plural, hook = "tagger", "taggers", "register_taggers"
        targets, prepared, expected_shape = ClassifierKind.targets, ClassifierKind.prepared, ClassifierKind.expected_shape

    with pytest.raises(TypeError, match="metrics"):
        WithoutMetrics()
    with pytest.raises(TypeError, match="targets"):
        type("LoadedWithoutTargets", (LoadedModel,), {})(None, None, {}, None, None)


def test_a_column_shows_its_value_in_the_unit_its_title_says():
    """The size column stores bytes and its title says MB: the bench table, its progress line and
    `zoo runs compare` all show MB (one scale, declared on the column)."""
    from nlpzoo.kinds import get_kind
    from nlpzoo.workflows.bench_report import cell

    size = next(c for c in get_kind("classifier").columns if c.key == "model_size_bytes")
    assert size.title == "size MB" and size.format(2_500_000) == "2.5" and size.format(None) == "-"
    line = {"classifier": "bigru", "model_size_bytes": 2_500_000.0, "model_size_bytes_std": 100_000.0, "seeds": [13, 14]}
    assert cell(line, "model_size_bytes", "classifier") == "2.5 ± 0.1"
    macro = next(c for c in get_kind("classifier").columns if c.key == "macro_f1")
    assert macro.format(0.81234) == "0.812" and cell({"classifier": "x", "macro_f1": 0.81234}, "macro_f1") == "0.812"
