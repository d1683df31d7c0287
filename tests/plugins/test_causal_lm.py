"""The gpt2 generator: scratch training, fine-tuning from a local pre-trained folder, the Hugging Face
run directory, seeded generation, sampling checks, streaming whole characters, BLEU/chrF."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from click.testing import CliRunner

from nlpzoo.kinds import FitSettings
from nlpzoo.cli import main
from nlpzoo.data.tables import load_texts
from nlpzoo.data.datasets import resolve
from nlpzoo.machinery.discovery import get_zoo
from tests.conftest import ROOT

TINY = {"n_layer": 2, "n_head": 2, "n_embd": 64, "vocab_size": 600, "block_size": 32, "batch_size": 8, "lr": 3e-3}
TINY_ARGS = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")] + ["--eval-texts", "4"]


def demo_texts():
    return load_texts(resolve(None, get_zoo().registry).path).texts


@pytest.fixture(scope="module")
def scratch_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "scratch"
    result = CliRunner().invoke(main, ["run", "--generator", "gpt2", *TINY_ARGS, "--param", "epochs=2", "--out", str(out),
                                       "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_scratch_training_lowers_the_loss(tmp_path):
    generator = get_zoo().create("generator", "gpt2", **TINY, epochs=2)
    texts = demo_texts()
    history = generator.train(texts[:350], texts[350:], FitSettings(progress=False, log=lambda m: None))
    losses = history["step_losses"]
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.5, losses
    assert history["epochs"][-1]["val_loss"] < history["epochs"][0]["val_loss"]
    assert len(generator.tokenizer) > 300  # the PITFALLS one-token-vocabulary trap would fail here


def test_the_generator_trains_in_the_core_loop_and_keeps_its_lowest_validation_loss():
    """The core loop's LanguageModelObjective picks the epoch: the model it hands back scores the
    validation blocks at the lowest loss any epoch reached, and the history is the loop's."""
    from nlpzoo.neural import LanguageModelObjective
    from nlpzoo.plugins.causal_lm_model import pack_blocks

    generator = get_zoo().create("generator", "gpt2", **{**TINY, "lr": 2e-2}, epochs=3)
    texts = demo_texts()
    history = generator.train(texts[:300], texts[300:360], FitSettings(progress=False, log=lambda m: None))
    best = min(epoch["val_loss"] for epoch in history["epochs"])
    assert history["epochs"][history["best_epoch"] - 1]["val_loss"] == best
    assert history["steps"] == history["global_step"] == history["epochs"][-1]["steps"]
    blocks = pack_blocks(generator.tokenizer, texts[300:360], generator.block_size).tolist()
    assert LanguageModelObjective().validate(generator.model, blocks, None, "cpu")[1] == pytest.approx(best, rel=1e-5)


def test_run_directory_loads_with_plain_transformers(scratch_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out, metrics = scratch_run
    model = AutoModelForCausalLM.from_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(out)
    ids = tokenizer("الطعام لذيذ", return_tensors="pt")["input_ids"]
    assert model(input_ids=ids).logits.shape[-1] == model.config.vocab_size
    import math

    expected = math.exp(-metrics["test_log_likelihood"] / metrics["test_tokens"])  # the core's own definition
    assert metrics["test_perplexity"] == pytest.approx(expected)
    assert metrics["test_perplexity"] < model.config.vocab_size  # trained: better than a uniform guess
    assert metrics["pairs"] == 4 and metrics["chrf"] > 0  # four held-out continuations were scored
    assert "nrefs:1" in metrics["bleu_signature"] and "nc:6" in metrics["chrf_signature"]
    assert json.loads((out / "zoo_run.json").read_text())["status"] == "complete"
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert tokenizer.model_max_length == model.config.n_positions  # so truncation=True really truncates
    long = tokenizer("الطعام لذيذ " * 400, truncation=True)["input_ids"]
    assert len(long) == model.config.n_positions
    raw = (out / "metrics.json").read_text("utf-8")
    assert "\\u06" not in raw and any("\u0600" <= ch <= "\u06ff" for ch in raw)  # Arabic as UTF-8, not escapes
    card = (out / "README.md").read_text("utf-8")  # a model card a Hub upload renders
    assert "pipeline_tag: text-generation" in card and "AutoModelForCausalLM.from_pretrained" in card


def test_fine_tuning_from_a_local_pretrained_folder(tmp_path):
    """The same from_pretrained path a hub id takes, on a tiny GPT-2 this test builds and saves."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from nlpzoo.plugins.causal_lm_model import train_tokenizer

    tokenizer = train_tokenizer(demo_texts(), 500)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=48, n_layer=1, n_head=2,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    pretrained = tmp_path / "my-gpt2"
    GPT2LMHeadModel(config).save_pretrained(pretrained)
    tokenizer.save_pretrained(pretrained)
    out = tmp_path / "tuned"
    result = CliRunner().invoke(main, ["run", "--generator", "gpt2", "--model", str(pretrained), "--param", "epochs=1",
                                       "--param", "block_size=32", "--eval-texts", "2", "--out", str(out),
                                       "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    tuned = json.loads((out / "config.json").read_text())  # the Hugging Face model config
    assert tuned["n_embd"] == 48 and tuned["n_layer"] == 1  # the base's architecture, not scratch defaults
    assert json.loads((out / "zoo_run.json").read_text())["params"]["model"] == str(pretrained)


def test_the_old_base_flag_still_works_with_a_deprecation_note(tmp_path):
    result = CliRunner().invoke(main, ["run", "--generator", "gpt2", "--base", str(tmp_path / "missing-folder"),
                                       "--out", str(tmp_path / "x"), "--no-progress"])
    assert "--base is deprecated; use --model" in result.output
    assert result.exit_code == 2 and "missing-folder" in result.output


def test_unreachable_hub_id_suggests_scratch(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    zoo = os.path.join(os.path.dirname(sys.executable), "zoo")
    result = subprocess.run([zoo, "run", "--generator", "gpt2", "--model", "aubmindlab/aragpt2-base", "--out",
                             str(tmp_path / "x"), "--no-progress"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 2
    assert "aubmindlab/aragpt2-base" in result.stderr and "--model scratch" in result.stderr
    assert "Traceback" not in result.stderr


def test_seeded_generation_is_reproducible(scratch_run):
    out, _ = scratch_run
    args = ["generate", str(out), "--prompt", "الطعام", "--seed", "7", "--max-new-tokens", "12", "--json"]
    first, second = CliRunner().invoke(main, args), CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["generations"] == json.loads(second.output)["generations"]
    other = CliRunner().invoke(main, args[:-3] + ["--seed", "8", "--max-new-tokens", "12", "--json"])
    assert json.loads(other.output)["generations"] != json.loads(first.output)["generations"]


def test_streamed_text_equals_the_returned_text(scratch_run):
    from nlpzoo.workflows.runs import load_run

    generator = load_run(scratch_run[0], get_zoo())
    pieces = []
    text = generator.generate("المطعم", max_new_tokens=15, seed=3, on_text=pieces.append)[0]
    assert "".join(pieces) == text and all("\ufffd" not in p for p in pieces)


def test_streamer_never_splits_an_arabic_letter(scratch_run):
    from nlpzoo.plugins.causal_lm_model import WholeCharacterStreamer
    from nlpzoo.workflows.runs import load_run

    generator = load_run(scratch_run[0], get_zoo())
    text = "زرت المطعم الجديد، والطعام لذيذ جداً"
    byte_tokens = [generator.tokenizer.convert_tokens_to_ids(t) for t in generator.tokenizer.tokenize(text)]
    pieces = []
    streamer = WholeCharacterStreamer(generator.tokenizer, 0, pieces.append)
    streamer.put(torch.tensor([[0]]))  # generate() pushes the prompt first
    for token in byte_tokens:
        streamer.put(torch.tensor([token]))
    streamer.end()
    assert "".join(pieces) == generator.tokenizer.decode(byte_tokens)
    assert all("\ufffd" not in piece for piece in pieces)


@pytest.mark.parametrize("option, value, message", [
    ("--top-p", "1.5", "--top-p must be in (0, 1]"), ("--temperature", "0", "--temperature must be above 0"),
    ("--top-k", "-1", "--top-k must be 0"), ("--max-new-tokens", "0", "--max-new-tokens must be 1 or more"),
    ("--repetition-penalty", "-1", "--repetition-penalty must be above 0")])
def test_sampling_parameters_are_checked(scratch_run, option, value, message):
    result = CliRunner().invoke(main, ["generate", str(scratch_run[0]), "--prompt", "نص", option, value])
    assert result.exit_code == 2 and message in result.output


def test_bleu_and_chrf_match_sacrebleu():
    import sacrebleu

    from nlpzoo.kinds.generator import bleu_chrf, prompt_reference_pairs

    hypotheses = ["الطعام لذيذ جدا والخدمة ممتازة", "المكان نظيف", "لن أعود مرة أخرى أبدا"]
    references = ["الطعام لذيذ والخدمة ممتازة جدا", "المكان نظيف وجميل", "لن أعود مرة أخرى"]
    scores = bleu_chrf(hypotheses, references)
    assert scores["bleu"] == pytest.approx(sacrebleu.corpus_bleu(hypotheses, [references]).score)
    assert scores["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
    assert prompt_reference_pairs(["a b c d e f g h", "short text"], 5, 10) == [("a b c d e", "f g h")]


def tiny_gpt2_folder(folder, safetensors: bool = True):
    from transformers import GPT2Config, GPT2LMHeadModel

    from nlpzoo.plugins.causal_lm_model import train_tokenizer

    tokenizer = train_tokenizer(demo_texts(), 400)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=1, n_head=2,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    if not safetensors:  # what older tools wrote: the weights as a pickle only
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
        (folder / "model.safetensors").unlink()
    return folder


def test_a_pickle_only_model_folder_is_never_unpickled(tmp_path):
    folder = tiny_gpt2_folder(tmp_path / "pickled", safetensors=False)
    assert list(folder.glob("*.bin")) and not list(folder.glob("*.safetensors"))
    result = CliRunner().invoke(main, ["run", "--generator", "gpt2", "--model", str(folder), "--out",
                                       str(tmp_path / "x"), "--no-progress"])
    assert result.exit_code == 2 and "never unpickles" in result.output and "save_pretrained" in result.output


def test_a_run_folder_holding_only_a_pickle_is_refused(scratch_run, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(scratch_run[0], copy)
    tiny_gpt2_folder(tmp_path / "pickled", safetensors=False)
    (copy / "model.safetensors").unlink()
    shutil.copy(tmp_path / "pickled" / "pytorch_model.bin", copy / "pytorch_model.bin")
    result = CliRunner().invoke(main, ["generate", str(copy), "--prompt", "نص"])
    assert result.exit_code == 2 and "never unpickles" in result.output


def test_a_damaged_model_config_is_a_clear_error(scratch_run, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(scratch_run[0], copy)
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "n_embd": "wide"}))
    result = CliRunner().invoke(main, ["generate", str(copy), "--prompt", "نص"])
    assert result.exit_code == 2 and "cannot be loaded" in result.output and "unexpected" not in result.output


def test_min_new_tokens_keeps_the_text_from_ending_at_once(scratch_run):
    args = ["generate", str(scratch_run[0]), "--prompt", "الطعام", "--greedy", "--max-new-tokens", "8", "--json"]
    forced = json.loads(CliRunner().invoke(main, [*args, "--min-new-tokens", "8"]).output)["generations"][0]
    generator = __import__("nlpzoo.workflows.runs", fromlist=["load_run"]).load_run(scratch_run[0], get_zoo())
    tokens = generator.tokenizer(forced, add_special_tokens=False)["input_ids"]
    assert forced.strip() and len(tokens) >= 4  # 8 new tokens, some of them byte pieces of one letter


MUTE = """
import json
from pathlib import Path
from nlpzoo import Component, hookimpl

class Mute:
    def train(self, train_texts, validation_texts, settings):
        return {"epochs": [], "interrupted": False, "train_tokens": 1, "train_seconds": 0.1}
    def save(self, directory):
        Path(directory, "mute.json").write_text("{}")
    def load(self, directory, device="cpu"):
        pass
    def log_likelihood(self, texts):
        return -float(sum(len(t) + 1 for t in texts)), sum(len(t) + 1 for t in texts)
    def count_tokens(self, text):
        return len(text)
    def generate(self, prompt, num_return_sequences=1, on_text=None, **settings):
        return [""] * num_return_sequences

@hookimpl
def register_generators(register):
    register(Component(name="mute", description="ends every text at once", factory=Mute))
"""


def test_a_model_that_ends_the_text_at_once_is_explained(install_plugin, tmp_path):
    install_plugin("zoo-mute", "mute", "zoo_mute_plugin", MUTE)
    result = CliRunner().invoke(main, ["run", "--generator", "mute", "--eval-texts", "2", "--out", str(tmp_path / "m"),
                                       "--no-progress"])
    assert result.exit_code == 0, result.output
    said = CliRunner().invoke(main, ["generate", str(tmp_path / "m"), "--prompt", "نص"])
    assert said.exit_code == 0 and "ended the text at once" in said.output and "--min-new-tokens" in said.output
    refused = CliRunner().invoke(main, ["generate", str(tmp_path / "m"), "--min-new-tokens", "5"])
    assert refused.exit_code == 2 and "no such option" in refused.output


def test_the_generator_metrics_table_has_labels_and_separators(tmp_path):
    result = CliRunner().invoke(main, ["run", "--generator", "gpt2", *TINY_ARGS, "--param", "epochs=1", "--out",
                                       str(tmp_path / "g"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "test perplexity" in result.output and "test_perplexity" not in result.output
    params = json.loads((tmp_path / "g" / "metrics.json").read_text())["parameters"]
    assert f"{params:,}" in result.output  # e.g. 154,880, not 154880
