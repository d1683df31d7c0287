"""`causal-lm`: fine-tune any pre-trained causal language model (GPT-2, AraGPT2, Llama, Qwen,
Mistral, SmolLM, ...) on Arabic text, fully or with LoRA adapters, or train a small GPT-2 from
scratch; generate from a prompt. ``gpt2`` is the registry's name for the from-scratch GPT-2.

The implementation is :mod:`nlpzoo.plugins.causal_lm_model`, imported only when the generator is built.
"""
from __future__ import annotations

from nlpzoo import Component, Param, Search, hookimpl

CAUSAL_LM_PARAMS = [
    Param("model", str, "scratch", "The pre-trained model to fine-tune: a hub id (aubmindlab/aragpt2-base,"
          " HuggingFaceTB/SmolLM2-135M, Qwen/Qwen2.5-0.5B), a local folder written by save_pretrained, or"
          " 'scratch' for a small GPT-2 trained from nothing."),
    Param("epochs", int, 3, "Training epochs over the packed blocks.", min=1, budget=True),
    Param("lr", float, 5e-4, "Peak AdamW learning rate (~5e-5 for full fine-tuning of a pre-trained model,"
          " ~2e-4 with LoRA).", min=1e-7, max=1.0, search=Search.range(1e-5, 3e-3, log=True)),
    Param("weight_decay", float, 0.01, "AdamW weight decay.", min=0.0, search=Search.among(0.0, 0.01, 0.1)),
    Param("warmup_ratio", float, 0.1, "Share of optimizer steps spent warming the learning rate up.", min=0.0, max=1.0,
          search=Search.range(0.0, 0.2)),
    Param("block_size", int, 128, "Tokens per packed training block (at most the model's context length).", min=2),
    Param("batch_size", int, 8, "Blocks per step.", min=1),
    Param("grad_accum", int, 1, "Steps whose gradients are summed before an optimizer update.", min=1),
    Param("max_steps", int, 0, "Stop after this many optimizer updates (0: no limit).", min=0, budget=True),
    Param("lora_r", int, 0, "LoRA rank: train low-rank adapters (peft) instead of every weight; 0 is full"
          " fine-tuning. 8 or 16 are usual.", min=0),
    Param("lora_alpha", int, 16, "LoRA scaling numerator (the adapters' update is scaled by alpha / r).", min=1),
    Param("lora_dropout", float, 0.05, "Dropout on the LoRA adapters' input.", min=0.0, max=0.9),
    Param("lora_targets", str, "auto", "Comma-separated module names that get adapters, or 'auto' (peft's"
          " default for the architecture: c_attn for GPT-2, q_proj,v_proj for Llama/Qwen/Mistral)."),
    Param("merge_lora", bool, False, "Save the adapters merged into the base weights: a plain model folder"
          " that pipeline('text-generation') loads without peft."),
    Param("gradient_checkpointing", bool, False, "Recompute activations in the backward pass: less memory,"
          " about a third slower."),
    Param("precision", str, "auto", "Autocast precision: auto (bf16, or fp16 where bf16 is missing, on CUDA;"
          " fp32 on CPU), fp32, bf16 or fp16.", choices=("auto", "fp32", "bf16", "fp16")),
    Param("n_layer", int, 4, "Scratch model: transformer layers.", min=1),
    Param("n_head", int, 4, "Scratch model: attention heads.", min=1),
    Param("n_embd", int, 256, "Scratch model: hidden size (a multiple of n_head).", min=1),
    Param("vocab_size", int, 8000, "Scratch model: byte-level BPE vocabulary trained on the training texts.", min=300),
]


def build(**params):
    from nlpzoo.plugins.causal_lm_model import CausalLMGenerator

    return CausalLMGenerator(**params)


@hookimpl
def register_generators(register):
    register(Component(name="causal-lm",
                       description="Any causal language model (transformers AutoModelForCausalLM): fine-tune fully"
                                   " or with LoRA, or train a small GPT-2 from scratch; generate.",
                       factory=build, params=CAUSAL_LM_PARAMS,
                       capabilities={"family": "transformer", "task": "text-generation", "needs_download": False,
                                     "lora": True,
                                     "loads_with": "transformers.AutoModelForCausalLM.from_pretrained"}))
