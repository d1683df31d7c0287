"""Entry-point discovery, failure isolation, duplicates and disabling."""
from __future__ import annotations

import pytest

from nlpzoo.machinery import discovery
from nlpzoo.foundations.errors import ComponentConflictError, UnknownComponentError

RECURRENT = ["rnn", "birnn", "gru", "bigru", "lstm", "bilstm"]

TOY = """
from nlpzoo import Component, Param, hookimpl

class Toy:
    def __init__(self, strength):
        self.strength = strength

    def fit(self, train, validation, settings):
        return {{"epochs": [], "interrupted": False}}

    def predict_proba(self, texts):
        return [[1.0] for _ in texts]

    def save(self, directory):
        pass

    def load(self, directory, device="cpu"):
        pass

@hookimpl
def register_classifiers(register):
    register(Component(name="{name}", description="toy", factory=Toy,
                       params=[Param("strength", int, 3, "how strong")]))
"""


def test_builtin_plugins_are_found_through_entry_points():
    zoo = discovery.get_zoo()
    plugins = {p.name: p for p in zoo.plugins}
    for name in RECURRENT:
        assert plugins[name].distribution == "nlp-zoo"
        assert plugins[name].status == "ok"
        assert plugins[name].components == [f"classifier:{name}", f"regressor:{name}"]
    assert set(RECURRENT) <= set(zoo.names("classifier"))


def test_third_party_plugin_is_discovered_and_buildable(install_plugin):
    install_plugin("zoo-toy", "toy", "zoo_toy_plugin", TOY.format(name="toy"), version="2.5")
    zoo = discovery.get_zoo()
    component = zoo.get("classifier", "toy")
    assert (component.plugin, component.distribution, component.version) == ("toy", "zoo-toy", "2.5")
    assert zoo.create("classifier", "toy", strength="7").strength == 7


def test_plugin_that_fails_to_import_is_isolated(install_plugin):
    install_plugin("zoo-broken", "broken", "zoo_broken_plugin", "raise RuntimeError('missing libfoo\\nmore')\n")
    zoo = discovery.get_zoo()
    broken = next(p for p in zoo.plugins if p.name == "broken")
    assert broken.status == "error"
    assert broken.error == "RuntimeError: missing libfoo"
    assert set(RECURRENT) | {"tfidf-logreg", "encoder"} <= set(zoo.names("classifier"))   # before and after it


def test_plugin_whose_hook_raises_is_isolated(install_plugin):
    source = """
from nlpzoo import hookimpl

@hookimpl
def register_classifiers(register):
    raise ValueError("cannot register today")
"""
    install_plugin("zoo-hookfail", "hookfail", "zoo_hookfail_plugin", source)
    zoo = discovery.get_zoo()
    info = next(p for p in zoo.plugins if p.name == "hookfail")
    assert info.error == "in register_classifiers: ValueError: cannot register today"
    assert "bigru" in zoo.names("classifier")


def test_plugin_with_a_misspelt_hook_is_reported(install_plugin):
    source = """
from nlpzoo import hookimpl

@hookimpl
def register_clasifiers(register):
    pass
"""
    install_plugin("zoo-typo", "typo", "zoo_typo_plugin", source)
    zoo = discovery.get_zoo()
    info = next(p for p in zoo.plugins if p.name == "typo")
    assert info.status == "error" and "register_clasifiers" in info.error


def test_duplicate_names_fail_with_both_distributions_named(install_plugin):
    install_plugin("zoo-toy-a", "toy-a", "zoo_toy_a", TOY.format(name="toy"))
    install_plugin("zoo-toy-b", "toy-b", "zoo_toy_b", TOY.format(name="toy"))
    zoo = discovery.get_zoo()
    assert len(zoo.find("toy")) == 2
    with pytest.raises(ComponentConflictError) as caught:
        zoo.get("classifier", "toy")
    message = str(caught.value)
    assert "zoo-toy-a" in message and "zoo-toy-b" in message and "ZOO_DISABLE_PLUGINS" in message


def test_disabling_resolves_a_duplicate(install_plugin, monkeypatch):
    install_plugin("zoo-toy-a", "toy-a", "zoo_toy_a", TOY.format(name="toy"))
    install_plugin("zoo-toy-b", "toy-b", "zoo_toy_b", TOY.format(name="toy"))
    monkeypatch.setenv("ZOO_DISABLE_PLUGINS", "toy-b")
    assert discovery.get_zoo().get("classifier", "toy").distribution == "zoo-toy-a"


def test_disabling_a_builtin_plugin(monkeypatch):
    monkeypatch.setenv("ZOO_DISABLE_PLUGINS", "bigru, lstm")
    zoo = discovery.get_zoo()
    assert "bigru" not in zoo.names("classifier") and "lstm" not in zoo.names("classifier")
    assert {p.name for p in zoo.plugins if p.disabled} == {"bigru", "lstm"}
    assert "gru" in zoo.names("classifier")


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownComponentError) as caught:
        discovery.get_zoo().get("classifier", "bigruu")
    message = str(caught.value)
    assert message.startswith("Unknown classifier 'bigruu'. Did you mean: bigru")
    assert "Known classifiers:" in message and "lstm" in message


def test_list_filters_with_shell_patterns():
    names = [c.name for c in discovery.list_components("classifier", "*gru*")]
    assert "bigru" in names and "gru" in names and "lstm" not in names


WRONG_DEFAULT = """
from nlpzoo import Component, Param, hookimpl

@hookimpl
def register_classifiers(register):
    register(Component(name="cnn", description="x", factory=dict, params=[Param("num_filters", int, "100")]))
"""

EXITS = """
import sys
sys.exit("this plugin quits at import")
"""

SHADOWS_BIGRU = """
from nlpzoo import Component, Param, hookimpl

class Other:
    pass

@hookimpl
def register_classifiers(register):
    register(Component(name="bigru", description="someone else's bigru", factory=Other))
"""


def test_a_default_of_the_wrong_type_is_refused_when_the_plugin_registers(install_plugin):
    install_plugin("zoo-cnn", "cnn", "zoo_cnn_plugin", WRONG_DEFAULT)
    zoo = discovery.get_zoo()
    info = next(p for p in zoo.plugins if p.name == "cnn")
    assert info.status == "error" and "num_filters" in info.error and "'100'" in info.error
    assert "cnn" not in zoo.names("classifier")


def test_a_plugin_that_calls_sys_exit_at_import_is_isolated(install_plugin):
    install_plugin("zoo-quits", "quits", "zoo_quits_plugin", EXITS)
    zoo = discovery.get_zoo()
    info = next(p for p in zoo.plugins if p.name == "quits")
    assert info.status == "error" and "SystemExit" in info.error
    assert "bigru" in zoo.names("classifier")


def test_a_third_party_bigru_leaves_listing_presets_and_qualified_names_working(install_plugin):
    install_plugin("zoo-shadow", "shadow", "zoo_shadow_plugin", SHADOWS_BIGRU)
    zoo = discovery.get_zoo()
    assert len(zoo.claims("classifier", "bigru")) == 2  # both listed
    with pytest.raises(ComponentConflictError, match="nlp-zoo:bigru, zoo-shadow:bigru"):
        zoo.get("classifier", "bigru")
    assert zoo.get("classifier", "nlp-zoo:bigru").distribution == "nlp-zoo"
    assert zoo.get("classifier", "bigru", distribution="zoo-shadow").description == "someone else's bigru"
    preset = zoo.get("classifier", "bigru-small")  # the zoo's own preset builds on the zoo's own bigru
    assert preset.capabilities["base_distribution"] == "nlp-zoo"

    gone = "a-distribution-no-longer-installed"   # a run's record names it: one namesake left is that one
    assert zoo.get("classifier", "gru", distribution=gone).name == "gru"
    with pytest.raises(UnknownComponentError):   # two namesakes left: neither is guessed
        zoo.get("classifier", "bigru", distribution=gone)


def test_disabling_the_builtin_while_a_duplicate_is_installed_leaves_every_command_working(install_plugin, monkeypatch):
    install_plugin("zoo-shadow", "shadow", "zoo_shadow_plugin", SHADOWS_BIGRU)
    monkeypatch.setenv("ZOO_DISABLE_PLUGINS", "bigru")
    discovery.reset()
    zoo = discovery.get_zoo()
    assert zoo.get("classifier", "bigru").distribution == "zoo-shadow"  # the only bigru left
    assert "bigru-small" not in zoo.names("classifier")  # the zoo's preset over its own bigru goes with it
    assert "gru" in zoo.names("classifier")
