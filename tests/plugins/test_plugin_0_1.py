"""A plugin written only against nlp-zoo 0.1 (tests/plugins/zoo_plugin_0_1, built and installed by pip):
what 0.2 can adapt works unchanged, what it cannot is refused by name at `zoo plugins --check` and at
build time, before any run folder exists."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from nlpzoo.machinery.plugin_api import PluginContractError
from nlpzoo.testing import ContractError, check_classifier, check_generator, check_preprocessor
from tests.conftest import PLUGIN_0_1, run_zoo


def zoo_env(site) -> dict:
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def test_its_classifier_and_preprocessor_pass_the_contract_kit_unchanged(plugin_0_1):
    assert "save_load_roundtrip" in check_classifier("legacy-naive-bayes")
    assert "batch_independence" in check_preprocessor("legacy-mask-numbers")


def test_its_generator_is_refused_by_the_kit_naming_each_changed_method(plugin_0_1):
    with pytest.raises(ContractError) as caught:
        check_generator("legacy-char-ngram")
    message = str(caught.value)
    assert "train(train_texts, validation_texts, settings, run_dir) cannot be called as nlp-zoo 0.2.0 calls it" in message
    assert "train(train_texts, validation_texts, settings) (changed in nlp-zoo 0.2.0" in message
    assert "no method log_likelihood(texts) (added in nlp-zoo 0.2.0" in message
    assert "no method count_tokens(text) (added in nlp-zoo 0.2.0" in message
    assert "zoo-legacy-0-1 0.1.0" in message and "ZOO_DISABLE_PLUGINS=legacy-char-ngram" in message


def test_zoo_plugins_check_reports_the_generator_and_passes_the_rest(plugin_0_1):
    result = run_zoo("plugins", "--check", "--json", env=zoo_env(plugin_0_1))
    assert result.returncode == 1, result.stderr
    rows = {r["component"]: r for r in json.loads(result.stdout)["components"] if r["distribution"] == "zoo-legacy-0-1"}
    assert rows["legacy-naive-bayes"]["ok"] and rows["legacy-mask-numbers"]["ok"]
    assert not rows["legacy-char-ngram"]["ok"]
    assert "log_likelihood" in rows["legacy-char-ngram"]["error"] and "0.2.0" in rows["legacy-char-ngram"]["error"]
    built_in = [r for r in json.loads(result.stdout)["components"] if r["distribution"] == "nlp-zoo"]
    assert built_in and all(r["ok"] for r in built_in)


def test_a_run_of_the_generator_stops_before_its_run_folder_is_made(plugin_0_1, tmp_path):
    result = run_zoo("run", "--generator", "legacy-char-ngram", "--out", str(tmp_path / "runs"), env=zoo_env(plugin_0_1))
    assert result.returncode == 2, result.stderr
    assert "does not fit the generator contract of nlp-zoo 0.2.0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_its_classifier_trains_saves_and_predicts_through_the_cli(plugin_0_1, tmp_path):
    env = zoo_env(plugin_0_1)
    trained = run_zoo("run", "--classifier", "legacy-naive-bayes", "--out", str(tmp_path / "runs"), "--json", env=env)
    assert trained.returncode == 0, trained.stderr
    run_dir = json.loads(trained.stdout)["run_dir"]
    predicted = run_zoo("predict", run_dir, "الخدمة ممتازة", "--json", env=env)
    assert predicted.returncode == 0, predicted.stderr   # its load(directory) is adapted to load(directory, device=)
    assert json.loads(predicted.stdout.splitlines()[0])["label"] in {"low", "medium", "high"}


def test_its_own_tests_still_pass_with_deprecation_warnings_naming_the_new_names(plugin_0_1, tmp_path):
    shutil.copytree(PLUGIN_0_1 / "tests", tmp_path / "tests")   # outside this repository's pytest configuration
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
                             "always::DeprecationWarning", "tests"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, **zoo_env(plugin_0_1)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "nlpzoo.classifier.FitSettings is deprecated since nlp-zoo 0.2.0" in result.stdout
    assert "use nlpzoo.FitSettings" in result.stdout and "use nlpzoo.check_sampling" in result.stdout
