"""The encoder classifier, fine-tuned from a tiny BERT this module builds and saves (a BertConfig, a
WordPiece vocabulary trained with `tokenizers` on the demo texts, save_pretrained): the loading and
training code a hub id takes, without a download. Its figures are not a quality claim."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import nlpzoo
from nlpzoo.cli import main
from nlpzoo.data.tables import load_dataset
from nlpzoo.data.datasets import resolve
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.kinds import FitSettings
from nlpzoo.testing import tiny_classification_data
from tests.helpers import save_tiny_bert

QUICK = ["--param", "epochs=2", "--param", "lr=2e-3", "--param", "batch_size=16", "--param", "max_length=64"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    texts = load_dataset(resolve(None, get_zoo().registry).path, "text", "score").texts
    return save_tiny_bert(tmp_path_factory.mktemp("bases") / "tiny-bert", texts)


@pytest.fixture(scope="module")
def encoder_run(tiny_bert, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "encoder"
    result = CliRunner().invoke(main, ["run", "--classifier", "encoder", "--param", f"model={tiny_bert}", *QUICK,
                                       "--out", str(out), "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_the_run_folder_is_a_transformers_folder_with_the_class_names(encoder_run):
    out, metrics = encoder_run
    config = json.loads((out / "config.json").read_text())
    record = json.loads((out / "zoo_run.json").read_text())
    assert config["model_type"] == "bert" and config["num_hidden_layers"] == 2
    assert list(config["id2label"].values()) == record["class_names"]
    assert record["preprocess"] == []  # the model's own tokenizer reads the raw text
    assert 0 <= metrics["macro_f1"] <= 1 and metrics["parameters"] > 0


def test_pipeline_text_classification_gives_the_zoos_probabilities(encoder_run):
    from transformers import pipeline

    out, _ = encoder_run
    texts = ["الطعام لذيذ جدا والخدمة ممتازة", "سيء جدا لن أعود", "المكان عادي"]
    classify = pipeline("text-classification", model=str(out), top_k=None)
    run = nlpzoo.load(out)
    ours = run.predict_proba(texts)
    for row, scores in zip(ours, classify(texts)):
        by_label = {s["label"]: s["score"] for s in scores}
        assert [by_label[name] for name in run.class_names] == pytest.approx(row.tolist(), abs=1e-5)


def test_predict_and_evaluate_treat_it_like_any_classifier(encoder_run):
    out, metrics = encoder_run
    predicted = CliRunner().invoke(main, ["predict", str(out), "الطعام لذيذ", "--json"])
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.output.splitlines()[0])["label"] in json.loads((out / "zoo_run.json").read_text())["class_names"]
    evaluated = CliRunner().invoke(main, ["evaluate", str(out), "--json"])
    assert evaluated.exit_code == 0 and json.loads(evaluated.output)["macro_f1"] == pytest.approx(metrics["macro_f1"])


def test_an_unreachable_hub_id_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(main, ["run", "--classifier", "arabert-v02", "--out", str(tmp_path / "x"),
                                       "--no-progress"])
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert result.exit_code == 2 and len(errors) == 1, result.output
    assert "aubmindlab/bert-base-arabertv02" in errors[0] and "--param model=FOLDER" in errors[0]
    assert "Traceback" not in result.output and "unexpected" not in result.output


def test_freezing_keeps_the_lower_layers_and_layer_decay_scales_learning_rates(tiny_bert):
    from transformers import AutoModelForMaskedLM

    from nlpzoo.plugins.encoder_model import parameter_groups

    data = tiny_classification_data()
    model = get_zoo().create("classifier", "encoder", model=str(tiny_bert), epochs=1, lr=1e-2, freeze_layers=1,
                             layer_decay=0.5, max_length=32)
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))
    base = AutoModelForMaskedLM.from_pretrained(tiny_bert).state_dict()
    tuned = model.module.model.state_dict()
    for name in ("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.attention.self.query.weight"):
        assert torch.equal(tuned[name], base[name]), name  # frozen
    assert not torch.equal(tuned["bert.encoder.layer.1.attention.self.query.weight"],
                           base["bert.encoder.layer.1.attention.self.query.weight"])  # trained

    groups = parameter_groups(model.module, 2, 1.0, 0.5, 0, 0.01)
    rates = {g["depth"]: g["lr"] for g in groups}
    assert rates == {0: 0.125, 1: 0.25, 2: 0.5, 3: 1.0}  # embeddings, layer 0, layer 1, head
    assert all(g["weight_decay"] == 0.0 for g in groups if all(w.ndim < 2 for w in g["params"]))


def test_max_length_keeps_the_closing_separator(tiny_bert):
    model = get_zoo().create("classifier", "encoder", model=str(tiny_bert), max_length=8)
    data = tiny_classification_data()
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None, seed=1))
    ids = model.encode(["الطعام لذيذ جدا والخدمة ممتازة والمكان نظيف وجميل والأسعار مناسبة"])[0]
    sep = model.hf_tokenizer.sep_token_id
    assert len(ids) == 8 and ids[0] == model.hf_tokenizer.cls_token_id and ids[-1] == sep


def test_max_length_beyond_the_positions_is_refused(tiny_bert, tmp_path):
    result = CliRunner().invoke(main, ["run", "--classifier", "encoder", "--param", f"model={tiny_bert}", "--param",
                                       "max_length=512", "--out", str(tmp_path / "x"), "--no-progress"])
    assert result.exit_code == 2 and "128 positions" in result.output


def test_encoder_works_in_bench_and_tune(tiny_bert, tmp_path):
    registry = tmp_path / "zoo.toml"
    registry.write_text(f'[classifiers.tiny-bert]\nbase = "encoder"\nmodel = "{tiny_bert}"\nmax_length = 64\n'
                        'lr = 2e-3\n')
    bench = CliRunner().invoke(main, ["--registry", str(registry), "bench", "--classifiers", "tiny-bert,tfidf-logreg",
                                      "--epochs", "1", "--out", str(tmp_path / "b"), "--json"])
    assert bench.exit_code == 0, bench.output
    rows = {row["classifier"]: row for row in json.loads(bench.output)["summaries"]["classifier"]}
    assert rows["tiny-bert"]["error"] is None and rows["tiny-bert"]["macro_f1"] is not None
    result = nlpzoo.tune("encoder", params={"model": str(tiny_bert), "max_length": 32, "epochs": 1}, trials=2,
                         out=tmp_path / "t", progress=False)
    assert result.counts["complete"] == 2 and np.isfinite(result.best["value"])
    assert result.run_dir is not None and (result.run_dir / "config.json").exists()


def test_mean_pooling_reads_every_token_and_the_prefix_is_the_runs_own(tiny_bert, tmp_path):
    """pooling=mean: a head over the mean of the tokens (padding left out), saved beside the encoder and
    loaded back; text_prefix is put before each text in training and in every later prediction."""
    out = tmp_path / "mean"
    result = CliRunner().invoke(main, ["run", "--classifier", "encoder", "--param", f"model={tiny_bert}", *QUICK,
                                       "--param", "pooling=mean", "--param", "text_prefix=query: ",
                                       "--out", str(out), "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    run = nlpzoo.load(out)
    model = run.loaded.model
    assert type(model.module).__name__ == "MeanPoolingClassifier"
    texts = ["الطعام لذيذ", "الخدمة بطيئة جدا والمكان سيء"]
    prefixed = model.vocabulary.encode_batch(["query: " + t for t in texts])
    assert model.encode(texts) == prefixed  # the recorded prefix, after loading too
    # the head reads the mean of the hidden states over the real tokens only: padding changes nothing
    ids = torch.tensor([prefixed[0] + [model.vocabulary.pad_id] * 5])
    with torch.no_grad():
        padded = model.module(ids, torch.tensor([len(prefixed[0])]))
        alone = model.module(torch.tensor([prefixed[0]]), torch.tensor([len(prefixed[0])]))
        hidden = model.module.model(input_ids=torch.tensor([prefixed[0]])).last_hidden_state
        by_hand = model.module.head(hidden.mean(1))
    assert torch.allclose(padded, alone, atol=1e-5) and torch.allclose(alone, by_hand, atol=1e-5)
    card = (out / "README.md").read_text("utf-8")
    assert "pipeline(" not in card and "pipeline_tag" not in card  # transformers alone has no mean-pooling head
    assert run.predict_proba(texts).shape == (2, len(run.class_names))


def test_frozen_embeddings_stay_as_loaded_and_everything_else_trains(tiny_bert):
    from transformers import AutoModel

    data = tiny_classification_data()
    model = get_zoo().create("classifier", "encoder", model=str(tiny_bert), epochs=1, lr=1e-2, batch_size=16,
                             freeze_embeddings=True, pooling="mean")
    model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))
    loaded = AutoModel.from_pretrained(tiny_bert)
    trained = model.module.model
    assert torch.equal(trained.embeddings.word_embeddings.weight, loaded.embeddings.word_embeddings.weight)
    assert not torch.equal(trained.encoder.layer[0].attention.self.query.weight,
                           loaded.encoder.layer[0].attention.self.query.weight)
