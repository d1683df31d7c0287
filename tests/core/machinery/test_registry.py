"""registry.toml: presets, datasets, merging the user's file, and every error case."""
from __future__ import annotations

import re

import pytest

from nlpzoo.machinery import discovery
from nlpzoo.foundations.errors import ParameterError, RegistryError
from nlpzoo.machinery.registry import load_registry


def write(tmp_path, text):
    path = tmp_path / "user.toml"
    path.write_text(text, "utf-8")
    return path


def zoo_with(path):
    return discovery.Zoo(load_registry(path))


def test_builtin_presets_are_components_with_their_overrides():
    zoo = discovery.get_zoo()
    small = zoo.get("classifier", "bigru-small")
    assert small.base == "bigru" and small.plugin == "registry"
    params = small.default_params()
    assert params["hidden_size"] == 64 and params["embedding_dim"] == 64
    assert params["layers"] == 1  # untouched defaults come from the base


def test_user_registry_adds_and_overrides(tmp_path):
    path = write(tmp_path, """
[classifiers.bigru-small]
base = "bigru"
hidden_size = 32

[classifiers.tiny-lstm]
base = "lstm"
description = "tiny"
hidden_size = 8
layers = 2
dropout = 0.0

[datasets.mine]
path = "reviews.csv"
text_col = "body"
score_col = "stars"
""")
    zoo = zoo_with(path)
    assert zoo.get("classifier", "bigru-small").default_params()["hidden_size"] == 32
    tiny = zoo.get("classifier", "tiny-lstm")
    assert tiny.default_params()["layers"] == 2 and tiny.description == "tiny"
    entry = zoo.registry.datasets["mine"]
    assert entry.local_path() == (tmp_path / "reviews.csv").resolve()
    assert "demo" in zoo.registry.datasets  # built-in entries survive the merge


def test_preset_of_a_preset_keeps_the_chain(tmp_path):
    path = write(tmp_path, '[classifiers.smaller]\nbase = "bigru-small"\nlayers = 2\n')
    smaller = zoo_with(path).get("classifier", "smaller")
    assert smaller.base == "bigru"
    assert smaller.default_params()["hidden_size"] == 64 and smaller.default_params()["layers"] == 2


def test_zoo_registry_environment_variable(tmp_path, monkeypatch):
    path = write(tmp_path, '[classifiers.env-preset]\nbase = "gru"\n')
    monkeypatch.setenv("ZOO_REGISTRY", str(path))
    assert "env-preset" in discovery.get_zoo().names("classifier")
    monkeypatch.delenv("ZOO_REGISTRY")   # each registry gets its own zoo, not the one loaded first
    assert "env-preset" not in discovery.get_zoo().names("classifier")


def test_disable_plugins_config_key(tmp_path):
    path = write(tmp_path, '[zoo]\ndisable_plugins = ["rnn"]\n')
    assert "rnn" not in zoo_with(path).names("classifier")


@pytest.mark.parametrize("text, expected", [
    ("[classifiers.x\nbase = 1", "invalid TOML"),
    ('[classifiers.x]\nbase = "bigruu"\n', "[classifiers.x]: unknown base classifier 'bigruu'"),
    ('[classifiers.x]\nbase = "bigru"\nhiden_size = 3\n', "[classifiers.x]: unknown parameter 'hiden_size'"),
    ('[classifiers.x]\nbase = "bigru"\nhidden_size = "big"\n', "parameter 'hidden_size' must be int"),
    ('[classifiers.x]\nbase = "bigru"\nlayers = 1.5\n', "parameter 'layers' must be int"),
    ('[classifiers.x]\nbase = "bigru"\npooling = "sum"\n', "parameter 'pooling' must be one of"),
    ('[classifiers.x]\nhidden_size = 3\n', "[classifiers.x]: key 'base' is missing"),
    ('[classifiers.bigru]\nbase = "gru"\n', "the name 'bigru' is already a classifier"),
    ('[modles.x]\nbase = "bigru"\n', "unknown table [modles]"),
    ('[datasets.d]\npath = "a.csv"\ncolour = "red"\n', "[datasets.d]: unknown key 'colour'"),
    ('[datasets.d]\nurl = "http://127.0.0.1/a.csv"\n', "key 'sha256' is required"),
    ('[datasets.d]\npath = "a.csv"\nurl = "http://x/a.csv"\nsha256 = "0"\n', "exactly one of 'path' or 'url'"),
    ('[datasets.d]\npath = "a.csv"\nformat = "xlsx"\n', "key 'format' must be one of"),
    ('[datasets.d]\npath = 3\n', "key 'path' must be a string"),
    ('[zoo]\ncolour = 1\n', "[zoo] unknown key 'colour'"),
])
def test_registry_errors_name_the_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(RegistryError) as caught:
        zoo_with(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_missing_user_registry_file(tmp_path):
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "nope.toml")


def test_param_overrides_are_checked_when_building():
    component = discovery.get_zoo().get("classifier", "bigru")
    with pytest.raises(ParameterError, match="unknown parameter 'hiden_size'.*hidden_size"):
        component.resolve_params({"hiden_size": "3"})
    with pytest.raises(ParameterError, match="'dropout' must be float"):
        component.resolve_params({"dropout": "lots"})
    assert component.resolve_params({"class_weights": "false", "lr": "1e-3"})["class_weights"] is False


def test_a_generator_preset_chooses_the_model_to_fine_tune(tmp_path):
    """'base' means only a preset's parent: the pre-trained model is the generator's 'model' parameter."""
    path = tmp_path / "registry.toml"
    path.write_text('[generators.aragpt2]\nbase = "gpt2"\nmodel = "aubmindlab/aragpt2-base"\nlr = 5e-5\n', "utf-8")
    preset = discovery.Zoo(load_registry(path)).get("generator", "aragpt2")
    assert preset.base == "causal-lm"  # gpt2 is itself a preset of causal-lm
    assert preset.default_params()["model"] == "aubmindlab/aragpt2-base" and preset.default_params()["lr"] == 5e-5


def test_a_preset_may_build_on_a_preset_declared_after_it(tmp_path):
    path = tmp_path / "registry.toml"
    path.write_text('[classifiers.tiny-deep]\nbase = "tiny"\nlayers = 2\n\n'
                    '[classifiers.tiny]\nbase = "bigru"\nhidden_size = 8\n', "utf-8")
    preset = discovery.Zoo(load_registry(path)).get("classifier", "tiny-deep")
    assert preset.default_params()["layers"] == 2 and preset.default_params()["hidden_size"] == 8


@pytest.mark.parametrize("entry, message", [
    ('[datasets."../../../../tmp/x"]\nurl = "http://127.0.0.1/x.csv"\nformat = "csv"\nsha256 = "' + "a" * 64 + '"',
     "dataset name '../../../../tmp/x'"),
    ('[datasets.evil]\nurl = "http://127.0.0.1/evil.pth"\nsha256 = "' + "a" * 64 + '"', "key 'format' is required"),
    ('[datasets.short]\nurl = "http://127.0.0.1/x.csv"\nformat = "csv"\nsha256 = "abc"', "64 hexadecimal digits"),
    ('[datasets.passwd]\npath = "/etc/passwd"\nformat = "csv"', "must name a .csv, .tsv or .jsonl file"),
])
def test_dataset_entries_that_could_escape_are_refused_at_load(tmp_path, entry, message):
    path = tmp_path / "registry.toml"
    path.write_text(entry + "\n", "utf-8")
    with pytest.raises(RegistryError, match=re.escape(message)):
        load_registry(path)


def test_a_download_lands_in_the_cache_with_its_declared_format(tmp_path, monkeypatch):
    from nlpzoo.data.datasets import cached_path, cache_dir
    from nlpzoo.machinery.registry import DatasetEntry

    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    entry = DatasetEntry(name="reviews", source="x", url="http://127.0.0.1/a/evil.pth", sha256="b" * 64, format="tsv")
    target = cached_path(entry)
    assert target.suffix == ".tsv" and target.resolve().parent == cache_dir().resolve()


def test_a_preset_trains_with_its_own_preprocessing_unless_the_run_names_one(tmp_path):
    import nlpzoo

    path = write(tmp_path, '[classifiers.stems]\nbase = "tfidf-logreg"\npreprocess = "normalize,tokenize,isri"\n'
                           '[classifiers.stems-again]\nbase = "stems"\nC = 2.0\n')
    zoo = zoo_with(path)
    assert zoo.get("classifier", "stems").preprocess == "normalize,tokenize,isri"
    assert zoo.get("classifier", "stems-again").preprocess == "normalize,tokenize,isri"  # presets inherit it
    assert zoo.get("classifier", "tfidf-logreg").preprocess is None
    run = nlpzoo.train("stems-again", registry=str(path), out=tmp_path / "run", progress=False)
    assert run.record["preprocess"] == ["normalize", "tokenize", "isri"]
    plain = nlpzoo.train("stems", registry=str(path), preprocess="normalize", out=tmp_path / "plain", progress=False)
    assert plain.record["preprocess"] == ["normalize"]
    with pytest.raises(RegistryError, match="'preprocess' must be a string"):
        zoo_with(write(tmp_path, '[classifiers.bad]\nbase = "bigru"\npreprocess = ["isri"]\n'))


@pytest.mark.parametrize("value, is_hub_id", [
    ("aubmindlab/bert-base-arabertv02", True), ("gpt2", True), ("CAMeL-Lab/bert-base-arabic-camelbert-mix", True),
    ("./models/arabert", False), ("/data/arabert", False), ("~/arabert", False), ("the default", False),
    ("not a/hub id", False), ("a/b/c", False), (None, False), (3, False),
])
def test_a_model_parameter_names_a_hub_id_or_a_folder(value, is_hub_id, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert discovery.names_a_hub_model(value, "the default") is is_hub_id
    (tmp_path / "gpt2").mkdir()   # a folder of that name here is the folder, nothing to download
    assert discovery.names_a_hub_model("gpt2", None) is False


def test_presets_over_a_hub_id_need_a_download_and_presets_over_a_folder_do_not(tmp_path):
    folder = tmp_path / "my-arabert"
    folder.mkdir()
    path = write(tmp_path, f'[classifiers.hub]\nbase = "encoder"\nmodel = "UBC-NLP/MARBERTv2"\n'
                           f'[classifiers.local]\nbase = "encoder"\nmodel = "{folder}"\n'
                           f'[classifiers.plain]\nbase = "gru"\n')
    zoo = zoo_with(path)
    hub, local, plain = (zoo.get("classifier", n).capabilities for n in ("hub", "local", "plain"))
    assert (hub["needs_download"], hub["model"]) == (True, "UBC-NLP/MARBERTv2")
    assert (local["needs_download"], local["model"]) == (False, str(folder))
    assert plain["needs_download"] is False and "model" not in plain   # gru's own
    assert zoo.get("classifier", "arabert-v02").capabilities["needs_download"] is True   # the built-in presets
