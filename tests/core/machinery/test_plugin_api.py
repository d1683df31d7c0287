"""The plugin surface's guard (nlpzoo.machinery.plugin_api): components checked against their kind's Protocol,
older methods adapted or refused by name, the plugin API a module declares, and the deprecated 0.1 names."""
from __future__ import annotations

import importlib
import re
import sys
import warnings

import pytest
from click.testing import CliRunner

import nlpzoo
from nlpzoo import Check, Component, Param, with_defaults
from nlpzoo.machinery import discovery
from nlpzoo.foundations.errors import ParameterError
from nlpzoo.machinery.plugin_api import PluginContractError, check_component, conform

SCRAPER_0_1 = '''
from nlpzoo import Component, hookimpl
{api}

class OldScraper:
    def scrape(self, site, output_path):
        output_path.write_text("scraped", "utf-8")
        return {{"pages_fetched": 1, "items_kept": 0, "duplicates": 0, "errors": {{}}}}

@hookimpl
def register_scrapers(register):
    register(Component(name="old-scraper", description="0.1 form", factory=OldScraper))
'''

CLASSIFIER_WITHOUT_PREDICT = '''
from nlpzoo import Component, hookimpl

class Half:
    def fit(self, train, validation, settings):
        return {}
    def save(self, directory):
        pass
    def load(self, directory, device="cpu"):
        pass

def build():
    return Half()

@hookimpl
def register_classifiers(register):
    register(Component(name="half", description="no predict_proba", factory=build))
'''


def test_an_older_scrape_without_log_is_adapted_and_still_runs(install_plugin, tmp_path):
    install_plugin("zoo-old-scraper", "old-scraper", "zoo_old_scraper", SCRAPER_0_1.format(api=""))
    scraper = discovery.get_zoo().create("scraper", "old-scraper")
    stats = scraper.scrape(None, tmp_path / "out.jsonl", log=print)   # the call the core makes now
    assert stats["pages_fetched"] == 1 and (tmp_path / "out.jsonl").read_text("utf-8") == "scraped"
    assert check_component(discovery.get_zoo().get("scraper", "old-scraper")) == []


def test_load_gives_the_device_to_plugins_that_take_it_and_calls_plain_0_1_loads_plainly(tmp_path):
    calls = []

    class Plain:   # a classifier written for nlp-zoo 0.1
        def fit(self, train, validation, settings):
            return {}

        def predict_proba(self, texts):
            return [[1.0] for _ in texts]

        def save(self, directory):
            pass

        def load(self, directory):
            calls.append(("plain", directory))

    class WithDevice(Plain):
        def load(self, directory, device="cpu"):
            calls.append(("device", directory, device))

    component = Component("p", "p", Plain, kind="classifier", plugin="p", distribution="zoo-p", version="0.1")
    conform(component, Plain()).load(tmp_path, device="cuda")     # the call the core makes
    conform(component, WithDevice()).load(tmp_path, device="cuda")
    assert calls == [("plain", tmp_path), ("device", tmp_path, "cuda")]


def test_a_missing_method_is_refused_at_build_and_at_check_naming_it(install_plugin):
    install_plugin("zoo-half", "half", "zoo_half", CLASSIFIER_WITHOUT_PREDICT, version="3.1")
    component = discovery.get_zoo().get("classifier", "half")
    with pytest.raises(PluginContractError) as caught:
        component.build()
    message = str(caught.value)
    assert "classifier 'half' [plugin 'half' (zoo-half 3.1)]" in message
    assert "it has no method predict_proba(texts)" in message and message.count("it has no method") == 1
    assert check_component(component) == [message]   # --check builds from a factory function to inspect it


def test_a_plugin_declaring_a_newer_api_is_refused_with_the_upgrade(install_plugin):
    install_plugin("zoo-future", "future", "zoo_future", SCRAPER_0_1.format(api="NLPZOO_PLUGIN_API = 3"))
    info = next(p for p in discovery.get_zoo().plugins if p.name == "future")
    assert info.status == "error"
    assert f"plugin API 3, but nlp-zoo {nlpzoo.__version__} has API {nlpzoo.PLUGIN_API}" in info.error
    assert "pip install -U nlp-zoo" in info.error


def test_a_plugin_declaring_an_older_api_loads_and_says_so(install_plugin):
    install_plugin("zoo-older", "older", "zoo_older", SCRAPER_0_1.format(api="NLPZOO_PLUGIN_API = 1"))
    info = next(p for p in discovery.get_zoo().plugins if p.name == "older")
    assert info.status == "ok" and info.api == 1
    from nlpzoo.cli import main

    listing = CliRunner().invoke(main, ["plugins"], terminal_width=200).output
    assert re.search(r"older\s.*ok \(API 1\)", listing), listing


def test_a_shared_parameters_default_is_changed_with_with_defaults():
    group = (Param("max_len", int, 200, "tokens kept", min=1), Param("lr", float, 1e-3, "learning rate"))
    changed = with_defaults(group, max_len=64)
    assert [p.default for p in changed] == [64, 1e-3] and group[0].default == 200
    with pytest.raises(TypeError, match="no parameter named max_length"):
        with_defaults(group, max_length=64)
    repeated = Component("x", "x", dict, params=[*group, Param("max_len", int, 64, "again")])
    with pytest.raises(TypeError, match=r"with_defaults\(GROUP, max_len=VALUE\)"):
        repeated.check_declaration()
    with pytest.raises(TypeError, match="does not fit"):
        Component("x", "x", dict, params=with_defaults(group, max_len=0)).check_declaration()


def test_a_check_over_several_parameters_refuses_values_that_do_not_fit_together():
    component = Component("ngrams", "n-grams", dict, kind="classifier",
                          params=[Param("minn", int, 2, "shortest"), Param("maxn", int, 4, "longest")],
                          checks=[Check(("minn", "maxn"), lambda minn, maxn: minn <= maxn, "minn must be at most maxn")])
    component.check_declaration()
    assert component.resolve_params({"minn": "3"}) == {"minn": 3, "maxn": 4}
    with pytest.raises(ParameterError, match=r"minn=4, maxn=2: minn must be at most maxn. Change one of them"):
        component.resolve_params({"minn": "4", "maxn": "2"})
    bad_defaults = Component("ngrams", "n-grams", dict, params=[Param("minn", int, 5, ""), Param("maxn", int, 4, "")],
                             checks=[Check(("minn", "maxn"), lambda minn, maxn: minn <= maxn, "minn <= maxn")])
    with pytest.raises(TypeError, match="the defaults break the check"):
        bad_defaults.check_declaration()
    unknown = Component("ngrams", "n-grams", dict, params=[Param("minn", int, 1, "")],
                        checks=[Check(("minn", "maxn"), lambda minn, maxn: True, "x")])
    with pytest.raises(TypeError, match=r"unknown parameters \['maxn'\]"):
        unknown.check_declaration()


@pytest.mark.parametrize("module, name, replacement", [
    ("nlpzoo.classifier", "FitSettings", "nlpzoo.FitSettings"),
    ("nlpzoo.classifier", "LabeledTexts", "nlpzoo.LabeledTexts"),
    ("nlpzoo.classifier", "Classifier", "nlpzoo.Classifier"),
    ("nlpzoo.generation", "check_sampling", "nlpzoo.check_sampling"),
    ("nlpzoo.experiment", "DataOptions", "nlpzoo.DataOptions"),
])
def test_names_0_1_documented_still_work_with_a_warning_naming_the_replacement(module, name, replacement):
    sys.modules.pop(module, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(importlib.import_module(module), name)
    assert value is getattr(nlpzoo, replacement.split(".")[1])
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any(f"{module}.{name} is deprecated since nlp-zoo 0.2.0" in m and f"use {replacement}" in m
               for m in messages), messages


@pytest.mark.parametrize("module, name, hint", [("nlpzoo.generation", "load_generator", "nlpzoo.load(RUN_DIR)"),
                                                ("nlpzoo.experiment", "train_and_evaluate", "nlpzoo.train")])
def test_0_1_names_whose_behaviour_changed_say_what_replaces_them(module, name, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shim = importlib.import_module(module)
    with pytest.raises(AttributeError, match=f"removed in nlp-zoo 0.2.0: .*{hint.replace('(', '.').replace(')', '.')}"):
        getattr(shim, name)
