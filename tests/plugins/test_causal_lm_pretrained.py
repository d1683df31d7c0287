"""causal-lm from pre-trained bases of two architectures (GPT-2 and Llama), built here from configs
with tokenizers trained by `tokenizers` and saved with save_pretrained: the same from_pretrained
path a hub id takes. Full fine-tuning, LoRA (peft), merged LoRA, the base model's perplexity, and
reloading through transformers and peft."""
from __future__ import annotations

import json
import math

import pytest
import torch
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.data.tables import load_texts
from nlpzoo.data.datasets import resolve
from nlpzoo.machinery.discovery import get_zoo

FAST = ["--param", "epochs=1", "--param", "block_size=32", "--param", "batch_size=8", "--eval-texts", "2",
        "--no-progress", "--json"]


def demo_texts():
    return load_texts(resolve(None, get_zoo().registry).path).texts


def llama_tokenizer(texts, vocab_size=400, eos="</s>", extra=()):
    """A Llama-style tokenizer: SentencePiece-like BPE that puts <s> before every text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace()
    bpe.decoder = decoders.Metaspace()
    specials = ["<unk>", "<s>", "</s>", *extra]
    bpe.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                                       show_progress=False))
    bpe.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", bpe.token_to_id("<s>"))])
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token=eos, unk_token="<unk>")


@pytest.fixture(scope="module")
def llama_base(tmp_path_factory):
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("bases") / "tiny-llama"
    tokenizer = llama_tokenizer(demo_texts())
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def gpt2_base(tmp_path_factory):
    from transformers import GPT2Config, GPT2LMHeadModel

    from nlpzoo.plugins.causal_lm_model import train_tokenizer

    folder = tmp_path_factory.mktemp("bases") / "tiny-gpt2"
    tokenizer = train_tokenizer(demo_texts(), 400)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=1, n_head=2,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def run(*args):
    result = CliRunner().invoke(main, ["run", "--generator", "causal-lm", *args])
    return result


@pytest.fixture(scope="module")
def llama_full(llama_base, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "llama-full"
    result = run("--model", str(llama_base), "--param", "lr=3e-3", *FAST, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


@pytest.fixture(scope="module")
def llama_lora(llama_base, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "llama-lora"
    result = run("--model", str(llama_base), "--param", "lora_r=4", "--param", "lr=1e-2", *FAST, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_documents_start_with_llamas_bos_and_end_with_its_eos(llama_base):
    from transformers import AutoTokenizer

    from nlpzoo.plugins.causal_lm_model import document_tokens, pack_blocks

    tokenizer = AutoTokenizer.from_pretrained(llama_base)
    start, end = document_tokens(tokenizer)
    assert (start, end) == (tokenizer.bos_token_id, tokenizer.eos_token_id)
    blocks = pack_blocks(tokenizer, ["الطعام لذيذ", "الخدمة بطيئة"], 2).view(-1).tolist()
    first = tokenizer("الطعام لذيذ", add_special_tokens=False)["input_ids"]
    assert blocks[:len(first) + 2] == [start, *first, end] and blocks.count(start) == 2


def test_gpt2_documents_are_separated_by_the_end_of_text_token_only(gpt2_base):
    from transformers import AutoTokenizer

    from nlpzoo.plugins.causal_lm_model import document_tokens

    tokenizer = AutoTokenizer.from_pretrained(gpt2_base)
    assert document_tokens(tokenizer) == (None, tokenizer.convert_tokens_to_ids("<|endoftext|>"))


def test_a_chat_turn_marker_is_never_the_document_separator():
    """SmolLM2-Instruct's eos is <|im_end|>; texts are separated by its <|endoftext|> instead."""
    from nlpzoo.plugins.causal_lm_model import document_tokens

    tokenizer = llama_tokenizer(demo_texts()[:200], 300, eos="<|im_end|>", extra=("<|endoftext|>", "<|im_end|>"))
    assert tokenizer.eos_token == "<|im_end|>"
    assert document_tokens(tokenizer)[1] == tokenizer.convert_tokens_to_ids("<|endoftext|>")


def test_llama_full_fine_tuning_keeps_the_architecture_and_loads_in_transformers(llama_base, llama_full):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out, metrics = llama_full
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "llama" and config["hidden_size"] == 32
    model = AutoModelForCausalLM.from_pretrained(out)
    assert type(model).__name__ == "LlamaForCausalLM"
    base = AutoModelForCausalLM.from_pretrained(llama_base)
    changed = [n for n, q in model.state_dict().items() if not torch.equal(q, base.state_dict()[n])]
    assert changed  # trained: the weights moved
    ids = AutoTokenizer.from_pretrained(out)("الطعام", return_tensors="pt")["input_ids"]
    assert model(input_ids=ids).logits.shape[-1] == config["vocab_size"]
    assert metrics["parameters"] == sum(q.numel() for q in model.parameters())


def test_the_base_models_test_perplexity_is_measured_on_the_same_texts(llama_base, llama_full):
    from nlpzoo.plugins.causal_lm_model import CausalLMGenerator

    out, metrics = llama_full
    record = json.loads((out / "zoo_run.json").read_text())
    split = json.loads((out / "split.json").read_text())
    texts = [load_texts(record["data"]["path"]).texts[i] for i in split["test"]]
    base = CausalLMGenerator(**record["params"])
    base.load(llama_base)  # the untrained base, scored by the same code
    total, tokens = base.log_likelihood(texts)
    assert tokens == metrics["test_tokens"]
    assert metrics["base_test_perplexity"] == pytest.approx(math.exp(-total / tokens), rel=1e-4)
    assert metrics["test_perplexity"] < metrics["base_test_perplexity"]  # fine-tuning helped this random base


def test_the_base_perplexity_is_in_the_table_and_the_bench(llama_base, tmp_path):
    result = CliRunner().invoke(main, ["run", "--generator", "causal-lm", "--model", str(llama_base), "--param",
                                       "epochs=1", "--param", "block_size=32", "--eval-texts", "1", "--no-progress",
                                       "--out", str(tmp_path / "r")], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "before training (pre-trained)" in result.output
    assert "LlamaForCausalLM" in result.output and "GPT-2" not in result.output  # messages name the architecture
    registry = tmp_path / "zoo.toml"
    registry.write_text(f'[generators.tiny-llama]\nbase = "causal-lm"\nmodel = "{llama_base}"\nblock_size = 32\n')
    bench = CliRunner().invoke(main, ["--registry", str(registry), "bench", "--classifiers", "none", "--generators",
                                      "tiny-llama", "--epochs", "1", "--eval-texts", "1", "--out", str(tmp_path / "b"),
                                      "--json"])
    assert bench.exit_code == 0, bench.output
    row = json.loads(bench.output)["summaries"]["generator"][0]
    assert row["base_test_perplexity"] > row["test_perplexity"] > 1
    assert "base ppl" in (tmp_path / "b" / "table.md").read_text()


def test_lora_trains_and_saves_only_adapters_that_peft_loads(llama_base, llama_lora):
    from peft import AutoPeftModelForCausalLM
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    out, metrics = llama_lora
    assert (out / "adapter_config.json").exists() and not (out / "model.safetensors").exists()
    adapters = load_file(out / "adapter_model.safetensors")
    assert adapters and all("lora_" in name for name in adapters)
    adapter_config = json.loads((out / "adapter_config.json").read_text())
    assert adapter_config["r"] == 4 and set(adapter_config["target_modules"]) == {"q_proj", "v_proj"}
    assert adapter_config["base_model_name_or_path"] == str(llama_base.resolve())
    model = AutoPeftModelForCausalLM.from_pretrained(out)
    base = AutoModelForCausalLM.from_pretrained(llama_base).state_dict()
    merged = model.merge_and_unload().state_dict()
    moved = {n for n in base if not torch.equal(base[n], merged[n])}
    assert moved and all("q_proj" in n or "v_proj" in n for n in moved)  # only the adapted layers changed
    assert metrics["test_perplexity"] < metrics["base_test_perplexity"]


def test_a_lora_run_generates_after_reload(llama_lora):
    out, _ = llama_lora
    result = CliRunner().invoke(main, ["generate", str(out), "--prompt", "الطعام", "--max-new-tokens", "6", "--seed",
                                       "1", "--json"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(main, ["generate", str(out), "--prompt", "الطعام", "--max-new-tokens", "6", "--seed",
                                      "1", "--json"])
    assert json.loads(result.output)["generations"] == json.loads(again.output)["generations"]


def test_a_lora_run_whose_base_is_gone_says_which_base_it_needs(llama_lora, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(llama_lora[0], copy)
    config = json.loads((copy / "adapter_config.json").read_text())
    (copy / "adapter_config.json").write_text(json.dumps({**config, "base_model_name_or_path": str(tmp_path / "gone")}))
    result = CliRunner().invoke(main, ["generate", str(copy), "--prompt", "نص"])
    assert result.exit_code == 2 and "LoRA adapters for the base model" in result.output and "merge_lora" in result.output


def test_gpt2_lora_merged_is_a_plain_folder_that_pipeline_loads(gpt2_base, tmp_path):
    from transformers import AutoModelForCausalLM, pipeline

    out = tmp_path / "merged"
    result = run("--model", str(gpt2_base), "--param", "lora_r=4", "--param", "merge_lora=true", "--param", "lr=1e-2",
                 *FAST, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "model.safetensors").exists() and not (out / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(out).state_dict()
    base = AutoModelForCausalLM.from_pretrained(gpt2_base).state_dict()
    assert not any("lora" in n for n in merged)
    moved = {n for n in base if not torch.equal(base[n], merged[n])}
    assert moved and all("c_attn" in n for n in moved)  # peft's GPT-2 default: the attention projection
    generator = pipeline("text-generation", model=str(out))
    text = generator("الطعام", max_new_tokens=5, do_sample=False)[0]["generated_text"]
    assert text.startswith("الطعام")


def test_blocks_are_capped_by_max_position_embeddings(llama_base, tmp_path):
    result = run("--model", str(llama_base), *FAST[:-1], "--param", "block_size=100", "--out", str(tmp_path / "x"))
    assert result.exit_code == 0, result.output
    assert "context 64 tokens, blocks of 64 (the context length)" in result.output


def test_lora_needs_a_pretrained_model(tmp_path):
    result = run("--param", "lora_r=8", "--out", str(tmp_path / "x"), "--no-progress")
    assert result.exit_code == 2 and "LoRA adapts a pre-trained model" in result.output


def test_unknown_lora_targets_name_the_layers_there_are(llama_base, tmp_path):
    result = run("--model", str(llama_base), "--param", "lora_r=4", "--param", "lora_targets=nope", *FAST[:6],
                 "--out", str(tmp_path / "x"), "--no-progress")
    assert result.exit_code == 2 and "lora_targets" in result.output and "q_proj" in result.output


def test_an_encoder_without_a_causal_head_is_a_clear_error(tmp_path):
    from transformers import DistilBertConfig, DistilBertModel

    folder = tmp_path / "encoder"
    DistilBertModel(DistilBertConfig(vocab_size=50, dim=16, n_layers=1, n_heads=2, hidden_dim=32)).save_pretrained(folder)
    result = run("--model", str(folder), "--out", str(tmp_path / "x"), "--no-progress")
    assert result.exit_code == 2 and "no causal language-model head" in result.output
    assert "unexpected" not in result.output


def test_hub_presets_are_marked_as_needing_a_download():
    needs = {c.name for c in get_zoo().list("generator") if c.capabilities.get("needs_download")}
    assert {"aragpt2-base", "smollm2-135m-lora"} <= needs and "gpt2" not in needs and "causal-lm" not in needs


@pytest.mark.parametrize("lora_r", [0, 4])
def test_gradient_checkpointing_trains_the_same_steps(llama_base, lora_r):
    """Recomputing activations saves memory and must not change what is learned."""
    from nlpzoo.kinds import FitSettings

    texts = demo_texts()
    losses = []
    for checkpointing in (False, True):
        generator = get_zoo().create("generator", "causal-lm", model=str(llama_base), block_size=32, max_steps=3,
                                     lora_r=lora_r, gradient_checkpointing=checkpointing, lr=1e-2)
        seen = []

        def during(record, generator=generator):
            inner = generator.model.get_base_model() if lora_r else generator.model
            seen.append(any(getattr(m, "gradient_checkpointing", False) for m in inner.modules()))

        history = generator.train(texts[:200], [], FitSettings(progress=False, log=lambda m: None, on_epoch=during))
        assert seen == [checkpointing]
        losses.append(history["step_losses"])
        inner = generator.model.get_base_model() if lora_r else generator.model
        assert not any(getattr(m, "gradient_checkpointing", False) for m in inner.modules())  # off again after training
    assert len(losses[0]) == 3 and losses[0] == pytest.approx(losses[1], rel=1e-4)
