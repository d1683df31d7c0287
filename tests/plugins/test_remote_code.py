"""Code shipped inside a model folder is never run. A folder whose config.json has an ``auto_map``
and a custom ``model_type`` makes transformers ask "Do you wish to run the custom code? [y/N]" when
``trust_remote_code`` is not given, and a "y" on standard input runs the folder's Python file. Each
place the zoo loads a folder (an encoder's base, a generator's base, a tokenizer, a saved run) gets
that "y" here, and the file must not run."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.data.tables import load_dataset
from nlpzoo.data.datasets import resolve
from nlpzoo.machinery.discovery import get_zoo
from tests.helpers import save_tiny_bert

QUICK = ["--param", "epochs=1", "--param", "batch_size=16", "--no-progress"]
EVIL = """import pathlib
pathlib.Path({marker!r}).write_text("the folder's code ran")  # transformers runs a copy kept elsewhere
from transformers import BertConfig, BertForSequenceClassification, BertModel, GPT2Config, GPT2LMHeadModel
class CustomConfig(BertConfig):
    model_type = "zoo-custom"
class CustomModel(BertForSequenceClassification):
    config_class = CustomConfig
"""


def with_custom_code(folder):
    """Turn a saved transformers folder into one that asks to run its own code."""
    config = json.loads((folder / "config.json").read_text("utf-8"))
    config["model_type"] = "zoo-custom"
    config["auto_map"] = {name: "custom.CustomConfig" if name == "AutoConfig" else "custom.CustomModel"
                          for name in ("AutoConfig", "AutoModel", "AutoModelForSequenceClassification",
                                       "AutoModelForCausalLM")}
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    tokenizer = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))
    tokenizer["auto_map"] = {"AutoTokenizer": ["custom.CustomTokenizer", None]}
    tokenizer.pop("tokenizer_class", None)  # so that only the folder's code names the tokenizer
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer), "utf-8")
    (folder / "custom.py").write_text(EVIL.format(marker=str(folder / "RAN")), "utf-8")
    return folder


@pytest.fixture(scope="module")
def plain_bert(tmp_path_factory):
    texts = load_dataset(resolve(None, get_zoo().registry).path, "text", "score").texts
    return save_tiny_bert(tmp_path_factory.mktemp("bases") / "tiny-bert", texts)


@pytest.fixture
def custom_bert(plain_bert, tmp_path):
    return with_custom_code(shutil.copytree(plain_bert, tmp_path / "custom-bert"))


def refused(result, folder):
    assert not (folder / "RAN").exists(), "the folder's own Python file was run"
    assert result.exit_code == 2, result.output
    assert "never runs code" in result.output and "Traceback" not in result.output


def test_an_encoder_base_with_its_own_code_is_refused_without_running_it(custom_bert, tmp_path):
    result = CliRunner().invoke(main, ["run", "--classifier", "encoder", "--param", f"model={custom_bert}", *QUICK,
                                       "--out", str(tmp_path / "run")], input="y\n")
    refused(result, custom_bert)


def test_a_generator_base_with_its_own_code_is_refused_without_running_it(custom_bert, tmp_path):
    result = CliRunner().invoke(main, ["run", "--generator", "causal-lm", "--model", str(custom_bert), *QUICK,
                                       "--out", str(tmp_path / "run")], input="y\n")
    refused(result, custom_bert)


def test_a_tokenizer_with_its_own_code_is_refused_without_running_it(custom_bert, tmp_path):
    result = CliRunner().invoke(main, ["run", "--classifier", "bigru", "--param", "units=pretrained",
                                       "--param", f"tokenizer={custom_bert}",
                                       "--param", "epochs=1", "--no-progress", "--out", str(tmp_path / "run")],
                                input="y\n")
    refused(result, custom_bert)


def test_a_saved_run_whose_config_asks_for_its_own_code_is_refused_without_running_it(plain_bert, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", "--classifier", "encoder", "--param", f"model={plain_bert}", *QUICK,
                                       "--param", "max_length=32", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with_custom_code(out)
    result = CliRunner().invoke(main, ["predict", str(out), "الطعام لذيذ"], input="y\n")
    assert not (out / "RAN").exists(), "the run folder's own Python file was run"
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output


def test_every_from_pretrained_in_the_package_refuses_remote_code():
    """The class of the bug: a new transformers or peft load that bypasses safe_from_pretrained, or
    calls from_pretrained without trust_remote_code=False, fails here."""
    import ast

    from tests.conftest import ROOT

    offenders = []
    for folder in ("core", "plugins", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "from_pretrained"):
                    continue
                owner = ast.unparse(node.func.value)
                flag = {k.arg: ast.unparse(k.value) for k in node.keywords}.get("trust_remote_code")
                if owner == "PretrainedTokenizer" or flag == "False":  # the zoo's own class; the one safe call
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:100]}")
    assert offenders == [], "load through nlpzoo.neural.safe_from_pretrained:\n" + "\n".join(offenders)
