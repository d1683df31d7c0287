"""`gpt2`: fine-tune GPT-2 (or train a small one from scratch) on Arabic text and generate from a prompt.

The implementation is :mod:`nlpzoo.plugins.gpt2_model`, imported only when the generator is built.
"""
from __future__ import annotations

from nlpzoo import Component, Param, hookimpl

GPT2_PARAMS = [
    Param("base", str, "scratch", "A hub id (gpt2, aubmindlab/aragpt2-base), a local folder, or 'scratch'."),
    Param("epochs", int, 3, "Training epochs over the packed blocks."),
    Param("lr", float, 5e-4, "Peak AdamW learning rate (use ~5e-5 when fine-tuning a pre-trained base)."),
    Param("weight_decay", float, 0.01, "AdamW weight decay."),
    Param("warmup_ratio", float, 0.1, "Share of optimizer steps spent warming the learning rate up."),
    Param("block_size", int, 128, "Tokens per packed training block."),
    Param("batch_size", int, 8, "Blocks per step."),
    Param("grad_accum", int, 1, "Steps whose gradients are summed before an optimizer update."),
    Param("max_steps", int, 0, "Stop after this many optimizer updates (0: no limit)."),
    Param("n_layer", int, 4, "Scratch model: transformer layers."),
    Param("n_head", int, 4, "Scratch model: attention heads."),
    Param("n_embd", int, 256, "Scratch model: hidden size."),
    Param("vocab_size", int, 8000, "Scratch model: byte-level BPE vocabulary trained on the training texts."),
    Param("prompt_words", int, 5, "BLEU/chrF evaluation: words of each held-out text used as the prompt."),
    Param("eval_texts", int, 50, "BLEU/chrF evaluation: held-out texts continued (0: skip)."),
]


def build(**params):
    from nlpzoo.plugins.gpt2_model import GPT2Generator

    return GPT2Generator(**params)


@hookimpl
def register_generators(register):
    register(Component(name="gpt2", description="GPT-2 causal language model (transformers): fine-tune or train from scratch, generate.",
                       factory=build, params=GPT2_PARAMS,
                       capabilities={"family": "transformer", "task": "text-generation", "needs_download": False}))
