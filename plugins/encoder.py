"""`encoder`: fine-tune a pre-trained Hugging Face encoder (AraBERT, CAMeLBERT, MARBERT, any BERT-
family model) as a text classifier.

The implementation is :mod:`nlpzoo.plugins.encoder_model`, imported only when the classifier is
built; the training loop is the core's (:func:`nlpzoo.neural.train_module`).
"""
from __future__ import annotations

from nlpzoo import Component, Param, Search, hookimpl


ENCODER_PARAMS = [
    Param("model", str, "aubmindlab/bert-base-arabertv02", "The pre-trained encoder: a hub id or a local folder"
          " written by save_pretrained (weights in safetensors)."),
    Param("max_length", int, 128, "Tokens kept per text, [CLS] and [SEP] included (at most the model's positions).",
          min=8),
    Param("epochs", int, 3, "Most epochs; early stopping may end sooner.", min=1, budget=True),
    Param("batch_size", int, 16, "Texts per batch (batches group texts of similar length, padded to the longest).",
          min=1, search=Search.among(16, 32)),
    Param("lr", float, 3e-5, "Peak AdamW learning rate (for the top layer when layer_decay < 1).", min=1e-7, max=1.0,
          search=Search.range(1e-5, 1e-4, log=True)),
    Param("weight_decay", float, 0.01, "AdamW weight decay (not on biases and LayerNorm weights).", min=0.0),
    Param("warmup_ratio", float, 0.1, "Share of the optimizer steps spent warming the learning rate up; it then"
          " decays linearly to 0.", min=0.0, max=1.0, search=Search.among(0.0, 0.06, 0.1)),
    Param("layer_decay", float, 1.0, "Layer-wise learning-rate decay: each layer below the top gets this factor"
          " more (0.9 is usual; 1 turns it off).", min=0.01, max=1.0, search=Search.among(0.8, 0.9, 1.0)),
    Param("freeze_layers", int, 0, "Freeze the embeddings and this many of the lowest layers (0: train all).",
          min=0),
    Param("grad_accum", int, 1, "Batches whose gradients are summed before an optimizer step.", min=1),
    Param("clip_norm", float, 1.0, "Gradient-norm clipping (0 turns it off).", min=0.0),
    Param("patience", int, 2, "Epochs without a better validation macro-F1 before stopping.", min=1, budget=True),
    Param("max_steps", int, 0, "Stop after this many optimizer steps in total (0: no limit).", min=0, budget=True),
    Param("class_weights", bool, True, "Weight the loss by inverse class frequency.", search=Search.among(True, False)),
    Param("pooling", str, "first", "The sentence vector the head reads: first (the [CLS] token, through the"
          " pooler where the model has one; the folder loads in pipeline()) or mean (the mean of every token, what"
          " e5 and sentence-transformers models were trained with).", choices=("first", "mean"),
          search=Search.among("first", "mean")),
    Param("text_prefix", str, "", "Put before every text, in training and prediction (e5 expects 'query: ')."),
    Param("freeze_embeddings", bool, False, "Keep the word embedding matrix as loaded (faster: for a 250k-word"
          " vocabulary it is most of AdamW's memory traffic).", search=Search.among(True, False)),
    Param("precision", str, "auto", "Autocast: auto (bf16, or fp16 with loss scaling, on CUDA; fp32 on CPU), fp32,"
          " bf16 or fp16.", choices=("auto", "fp32", "bf16", "fp16")),
]


def build(**params):
    from nlpzoo.plugins.encoder_model import EncoderClassifier

    return EncoderClassifier(**params)


@hookimpl
def register_classifiers(register):
    register(Component(name="encoder",
                       description="A pre-trained Hugging Face encoder (AraBERT, CAMeLBERT, MARBERT, ...) fine-tuned"
                                   " as a classifier; the run folder is a transformers model folder.",
                       factory=build, params=ENCODER_PARAMS, preprocess="none",  # the model's tokenizer takes raw text
                       capabilities={"family": "transformer", "task": "text-classification", "language": "ar",
                                     "needs_download": True,
                                     "loads_with": "transformers.pipeline('text-classification', model=RUN)"}))
