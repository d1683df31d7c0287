"""`gpt2`: fine-tune GPT-2 (or train a small one from scratch) on Arabic text and generate from a prompt.

The implementation is :mod:`nlpzoo.plugins.gpt2_model`, imported only when the generator is built.
"""
from __future__ import annotations

from nlpzoo import Component, Param, Search, hookimpl

GPT2_PARAMS = [
    Param("model", str, "scratch", "The pre-trained model to fine-tune: a hub id (gpt2, aubmindlab/aragpt2-base),"
          " a local folder written by save_pretrained, or 'scratch' for a small GPT-2 trained from nothing."),
    Param("epochs", int, 3, "Training epochs over the packed blocks.", min=1, budget=True),
    Param("lr", float, 5e-4, "Peak AdamW learning rate (use ~5e-5 when fine-tuning a pre-trained model).",
          min=1e-7, max=1.0, search=Search.range(1e-5, 3e-3, log=True)),
    Param("weight_decay", float, 0.01, "AdamW weight decay.", min=0.0, search=Search.among(0.0, 0.01, 0.1)),
    Param("warmup_ratio", float, 0.1, "Share of optimizer steps spent warming the learning rate up.", min=0.0, max=1.0,
          search=Search.range(0.0, 0.2)),
    Param("block_size", int, 128, "Tokens per packed training block.", min=2),
    Param("batch_size", int, 8, "Blocks per step.", min=1),
    Param("grad_accum", int, 1, "Steps whose gradients are summed before an optimizer update.", min=1),
    Param("max_steps", int, 0, "Stop after this many optimizer updates (0: no limit).", min=0, budget=True),
    Param("n_layer", int, 4, "Scratch model: transformer layers.", min=1),
    Param("n_head", int, 4, "Scratch model: attention heads.", min=1),
    Param("n_embd", int, 256, "Scratch model: hidden size (a multiple of n_head).", min=1),
    Param("vocab_size", int, 8000, "Scratch model: byte-level BPE vocabulary trained on the training texts.", min=300),
]


def build(**params):
    from nlpzoo.plugins.gpt2_model import GPT2Generator

    return GPT2Generator(**params)


@hookimpl
def register_generators(register):
    register(Component(name="gpt2", description="GPT-2 causal language model (transformers): fine-tune or train from scratch, generate.",
                       factory=build, params=GPT2_PARAMS,
                       capabilities={"family": "transformer", "task": "text-generation", "needs_download": False,
                                     "loads_with": "transformers.AutoModelForCausalLM.from_pretrained"}))
