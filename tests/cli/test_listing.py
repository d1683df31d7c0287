"""`zoo list`, `zoo info`, `zoo plugins`, the example third-party plugin, and start-up laziness."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from click.testing import CliRunner

import nlpzoo

from nlpzoo.cli import main
from tests.conftest import ROOT, run_zoo

HEAVY = ["torch", "transformers", "spacy", "stanza", "scrapy", "sklearn", "nltk", "matplotlib"]


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_list_json_has_every_builtin_component_with_its_kind():
    result = invoke("list", "--json")
    assert result.exit_code == 0
    rows = {(row["kind"], row["name"]): row for row in json.loads(result.output)}
    for name in ["rnn", "birnn", "gru", "bigru", "lstm", "bilstm"]:  # each name is a classifier and a regressor
        assert rows[("classifier", name)]["distribution"] == rows[("regressor", name)]["distribution"] == "nlp-zoo"
    assert rows[("classifier", "bigru-small")]["base"] == "bigru"
    assert rows[("regressor", "tfidf-ridge")]["plugin"] == "tfidf-ridge"


def test_list_table_and_kind_filter():
    result = invoke("list", "classifiers", "--pattern", "*lstm*")
    assert result.exit_code == 0
    assert "bilstm" in result.output and "bigru" not in result.output


def test_list_filters_on_capabilities():
    rows = json.loads(invoke("list", "--json", "--where", "bidirectional=true").output)
    assert {r["name"] for r in rows} >= {"birnn", "bigru", "bilstm"}
    assert not {"rnn", "gru", "lstm"} & {r["name"] for r in rows}


def test_info_shows_parameters_types_defaults_and_source():
    result = invoke("info", "bigru", "--json")
    entry = json.loads(result.output)[0]
    params = {p["name"]: p for p in entry["params"]}
    assert params["hidden_size"]["type"] == "int" and params["hidden_size"]["default"] == 128
    assert entry["distribution"] == "nlp-zoo" and entry["version"] == nlpzoo.__version__
    text = invoke("info", "bigru").output
    assert "hidden_size" in text and f"nlp-zoo {nlpzoo.__version__}" in text
    wide = CliRunner(env={"COLUMNS": "160"}).invoke(main, ["info", "bigru"]).output
    assert "max | mean | max+mean" in wide and "0 to 0.95" in wide  # choices and ranges, not only in --json


def test_info_unknown_name_is_one_line_with_a_suggestion():
    result = CliRunner().invoke(main, ["info", "bigruu"])
    assert result.exit_code == 2
    assert "Unknown component 'bigruu'. Did you mean: bigru" in result.output
    assert "Traceback" not in result.output


def test_plugins_lists_distributions_and_errors(install_plugin):
    install_plugin("zoo-broken", "broken", "zoo_broken_cli", "import not_a_module_anywhere\n")
    rows = {r["plugin"]: r for r in json.loads(invoke("plugins", "--json").output)}
    assert rows["bigru"]["status"] == "ok" and rows["bigru"]["distribution"] == "nlp-zoo"
    assert rows["broken"]["status"] == "error"
    assert rows["broken"]["error"].startswith("ModuleNotFoundError: No module named 'not_a_module_anywhere'")
    assert "broken" in invoke("plugins").output


def test_example_plugin_appears_is_selectable_and_can_be_disabled(example_plugin):
    rows = {r["name"]: r for r in json.loads(invoke("list", "--json").output)}
    assert rows["naive-bayes"]["distribution"] == "zoo-plugin-example"
    info = json.loads(invoke("info", "naive-bayes", "--json").output)  # one component: an object
    assert [p["name"] for p in info["params"]] == ["alpha", "min_freq"]

    from nlpzoo.machinery import discovery
    model = discovery.get_zoo().create("classifier", "naive-bayes", alpha="0.5")
    assert model.alpha == 0.5

    discovery.reset()
    rows = json.loads(invoke("list", "--json", env={"ZOO_DISABLE_PLUGINS": "naive-bayes"}).output)
    assert "naive-bayes" not in {r["name"] for r in rows}


def test_version_and_grouped_help():
    assert nlpzoo.__version__ in invoke("--version").output
    help_text = invoke("--help").output
    listed = help_text.split("Commands:")[1]  # the section click writes from the registered commands
    for command in main.commands:
        assert re.search(rf"^\s+{command}\b", listed, flags=re.M), command


def test_console_script_lists_without_importing_heavy_libraries():
    """`zoo list` in a fresh process must not import torch & co (checked inside that process)."""
    code = (
        "import sys, json\n"
        "from nlpzoo.cli import main\n"
        "try:\n"
        "    main(['list', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY=' + json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "HEAVY=[]" in out.stdout, out.stdout[-500:]
    info = subprocess.run([sys.executable, "-c", code.replace("'list', '--json'", "'info', 'bigru'")],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    assert "HEAVY=[]" in info.stdout


def test_real_console_script_runs():
    result = run_zoo("list", "--json")
    assert result.returncode == 0, result.stderr
    assert any(row["name"] == "bigru" for row in json.loads(result.stdout))
