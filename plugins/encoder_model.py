"""Fine-tuning a pre-trained Hugging Face encoder as a classifier, for the `encoder` plugin.

The neural toolkit does the work: the model's own tokenizer through the pre-trained tokenizer seam
(:class:`nlpzoo.neural.PretrainedTokenizer`), and the core's training loop (length-bucketed
batches padded to their longest text, AdamW with linear warmup and decay, gradient accumulation,
autocast on CUDA, early stopping on validation macro-F1 with the best weights restored,
checkpoints, DistributedDataParallel). This module adds what is particular to pre-trained
encoders: loading through ``AutoModelForSequenceClassification`` (safetensors only), layer-wise
learning-rate decay and frozen lower layers, and a run folder that is a plain transformers folder
with ``id2label``, so ``pipeline("text-classification", model=RUN)`` loads it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nlpzoo import (FitSettings, LabeledTexts, RunDirError, ZooError, resolve_device, save_tensors, usual_permissions,
                    write_json)
from nlpzoo.neural import (ClassificationObjective, LoopConfig, NeuralTextClassifier, PretrainedTokenizer, distributed,
                           predict_logits, safe_from_pretrained, train_module)

from transformers.utils import logging as _hf_logging  # noqa: E402

_hf_logging.set_verbosity_error()      # "Some weights were newly initialized" is expected: the head is new
_hf_logging.disable_progress_bar()

ZOO_FILE = "zoo_encoder.json"          # what the zoo adds to the transformers folder


HEAD_FILE = "zoo_mean_pooling_head.safetensors"   # pooling=mean: the head over the mean of the tokens


class SequenceClassifier(nn.Module):
    """The toolkit's module interface, ``forward(ids, lengths) -> logits``, over a transformers model
    with its own classification head (``*ForSequenceClassification``: the first token, through
    the pooler where the architecture has one)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None]
        return self.model(input_ids=ids, attention_mask=mask.long()).logits


class MeanPoolingClassifier(nn.Module):
    """A bare transformers encoder (``AutoModel``) and a linear head over the mean of its last hidden
    states, padding left out: the pooling e5 and sentence-transformers models were trained with
    (their first token carries no sentence meaning, and e5 has no pooler)."""

    def __init__(self, model, n_classes: int):
        super().__init__()
        self.model = model
        self.dropout = nn.Dropout(getattr(model.config, "hidden_dropout_prob", 0.1))
        self.head = nn.Linear(model.config.hidden_size, n_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = (torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None])
        hidden = self.model(input_ids=ids, attention_mask=mask.long()).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))


def source_of(model: str) -> tuple[str, str]:
    """(what from_pretrained gets, how messages name it)."""
    local = Path(os.path.expanduser(model))
    if local.exists():
        return str(local.resolve()), f"the folder '{model}'"
    return model, f"the Hugging Face hub id '{model}'"


def load_pretrained(model: str, n_classes: int, class_names: list[str], pooling: str = "first"):
    """(transformers model with a new classification head, its tokenizer); with ``pooling="mean"``
    the bare encoder (``AutoModel``), whose head :class:`MeanPoolingClassifier` adds."""
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES

    source, where = source_of(model)
    try:
        config = safe_from_pretrained(AutoConfig, source)
    except (OSError, ValueError) as error:
        raise ZooError(f"Cannot load {where} ({str(error).splitlines()[0][:160]}). Without network access a hub"
                       " model cannot be fetched: download it once where you can (huggingface-cli download ID"
                       " --local-dir FOLDER) and pass --param model=FOLDER.") from None
    if config.model_type not in MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES:
        raise ZooError(f"{where} is a {config.model_type} model, which transformers cannot fine-tune as a"
                       " sequence classifier; choose an encoder such as BERT, RoBERTa or ELECTRA.")
    folder = Path(source)
    if folder.is_dir() and any(folder.glob("*.bin")) and not any(folder.glob("*.safetensors")):
        raise ZooError(f"{folder} holds no safetensors weights, only a pickle file; the zoo never unpickles. Convert"
                       " it once where you trust it: AutoModel.from_pretrained(PATH).save_pretrained(NEW_PATH).")
    labels = {i: name for i, name in enumerate(class_names)}
    try:
        tokenizer = safe_from_pretrained(AutoTokenizer, source)
        if pooling == "mean":
            network = safe_from_pretrained(AutoModel, source, use_safetensors=True)
        else:
            network = safe_from_pretrained(AutoModelForSequenceClassification, source, num_labels=n_classes,
                                           id2label=labels, label2id={v: k for k, v in labels.items()},
                                           use_safetensors=True)
    except (OSError, ValueError) as error:
        raise ZooError(f"Cannot load the weights of {where} ({str(error).splitlines()[0][:160]}); the zoo loads"
                       " safetensors only.") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ZooError(f"The tokenizer of {where} has no fast (tokenizers) version; the zoo needs one.")
    return network, tokenizer


def layer_of(name: str, prefix: str | None, n_layers: int) -> int:
    """Depth of a weight: 0 for the embeddings, 1..n for the encoder layers, n + 1 for the rest (the head)."""
    if prefix and name.startswith(prefix + "."):
        return int(name[len(prefix) + 1:].split(".")[0]) + 1
    if "embeddings" in name:
        return 0
    return n_layers + 1


def layer_prefix(module: nn.Module, n_layers: int) -> str | None:
    """The name of the encoder's list of layers (bert.encoder.layer, roberta.encoder.layer, ...)."""
    for name, child in module.named_modules():
        if isinstance(child, nn.ModuleList) and len(child) == n_layers:
            return name
    return None


def parameter_groups(module: nn.Module, n_layers: int, lr: float, layer_decay: float, freeze_layers: int,
                     weight_decay: float, freeze_embeddings: bool = False) -> list[dict]:
    """AdamW groups: each depth gets ``lr * layer_decay ** (top - depth)``; the embeddings and the
    ``freeze_layers`` lowest layers are frozen, and with ``freeze_embeddings`` the word embedding
    matrix alone (e5's 250,037 x 384 rows are a quarter of its weights and most of AdamW's memory
    traffic); biases and LayerNorm weights get no weight decay."""
    prefix = layer_prefix(module, n_layers)
    groups: dict[tuple[int, bool], dict] = {}
    for name, weight in module.named_parameters():
        depth = layer_of(name, prefix, n_layers)
        if (freeze_layers and depth <= freeze_layers) or (freeze_embeddings and "word_embeddings" in name):
            weight.requires_grad_(False)
            continue
        decay = weight.ndim >= 2
        group = groups.setdefault((depth, decay), {"params": [], "lr": lr * layer_decay ** (n_layers + 1 - depth),
                                                   "weight_decay": weight_decay if decay else 0.0, "depth": depth})
        group["params"].append(weight)
    return [groups[key] for key in sorted(groups)]


class EncoderClassifier(NeuralTextClassifier):
    def __init__(self, **params):
        super().__init__(module_builder=None, encoder=None, **params)
        self.hf_tokenizer = None
        self.class_names: list[str] = []

    @property
    def loads_with(self) -> str | None:
        """How transformers alone loads the run folder (the model card says it): a first-token run is a
        plain sequence-classification folder; a mean-pooling head is the zoo's own."""
        return None if self.params.get("pooling") == "mean" else \
            "transformers.pipeline('text-classification', model=RUN)"

    def encode(self, texts: list[str]) -> list[list[int]]:
        """The model's tokens for ``text_prefix`` + each text (e5 expects "query: "), cut to
        max_length with the closing special token ([SEP]) kept. Training, prediction and every
        loaded run go through here, so the prefix is always the run's own."""
        limit, prefix = self.params["max_length"], self.params.get("text_prefix", "")
        return [ids if len(ids) <= limit else ids[:limit - 1] + ids[-1:]
                for ids in self.vocabulary.encode_batch([prefix + t for t in texts])]

    def fit(self, train: LabeledTexts, validation: LabeledTexts, settings: FitSettings) -> dict:
        p = self.params
        self.device = distributed.device_for(resolve_device(settings.device))
        torch.manual_seed(settings.seed)
        self.n_classes = train.n_classes
        self.class_names = list(train.class_names or [str(i) for i in range(train.n_classes)])
        network, self.hf_tokenizer = load_pretrained(p["model"], self.n_classes, self.class_names, p["pooling"])
        positions = getattr(network.config, "max_position_embeddings", None)
        if positions and p["max_length"] > positions:
            raise ZooError(f"--param max_length={p['max_length']} is longer than the model's {positions} positions;"
                           f" use --param max_length={positions} or less.")
        self.vocabulary = PretrainedTokenizer(self.hf_tokenizer.backend_tokenizer, self.hf_tokenizer.pad_token_id or 0)
        self.module = MeanPoolingClassifier(network, self.n_classes) if p["pooling"] == "mean" \
            else SequenceClassifier(network)
        n_layers = getattr(network.config, "num_hidden_layers", 0)
        groups = parameter_groups(self.module, n_layers, p["lr"], p["layer_decay"], p["freeze_layers"],
                                  p["weight_decay"], p["freeze_embeddings"])
        trained = sum(w.numel() for g in groups for w in g["params"])
        total = sum(w.numel() for w in self.module.parameters())
        settings.log(f"Fine-tuning {type(network).__name__} from {p['model']}: {total:,} parameters"
                     f" ({trained:,} trained), {n_layers} layers, {self.n_classes} classes, {p['pooling']}-token"
                     f" pooling" + (f", texts prefixed {p['text_prefix']!r}." if p["text_prefix"] else "."))
        objective = ClassificationObjective(train.labels, train.n_classes, p["class_weights"], self.device)
        config = LoopConfig.from_params({**p, "schedule": "linear"})
        history = train_module(self.module, self.encode(train.texts), train.labels, self.encode(validation.texts),
                               validation.labels, objective, config, settings, self.device,
                               pad_id=self.vocabulary.pad_id, param_groups=groups)
        history["parameters"] = total
        history["trainable_parameters"] = trained
        return history

    def predict_proba(self, texts) -> np.ndarray:
        logits = predict_logits(self.module, self.encode(list(texts)), self.device, batch_size=64,
                                pad_id=self.vocabulary.pad_id, precision=self.params["precision"])
        if len(logits) == 0:
            return np.zeros((0, self.n_classes), dtype=np.float32)
        return torch.softmax(torch.from_numpy(logits), dim=-1).numpy()

    # -- a transformers folder ---------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory = Path(directory)
        staging = directory / ".saving"
        network = self.module.model
        self.hf_tokenizer.model_max_length = self.params["max_length"]  # pipeline truncates where the zoo does
        network.save_pretrained(staging)  # config.json (with id2label) + model.safetensors
        self.hf_tokenizer.save_pretrained(staging)
        if isinstance(self.module, MeanPoolingClassifier):
            save_tensors(staging / HEAD_FILE, {f"head.{k}": v for k, v in self.module.head.state_dict().items()})
        write_json(staging / ZOO_FILE, {"format": "nlp-zoo/encoder", "n_classes": self.n_classes,
                                        "class_names": self.class_names, "max_length": self.params["max_length"],
                                        "pooling": self.params["pooling"],
                                        "text_prefix": self.params["text_prefix"]})
        for item in staging.iterdir():  # one rename each: never a half-written file in the run folder
            usual_permissions(item)
            os.replace(item, directory / item.name)
        staging.rmdir()

    def load(self, directory: Path, device: str = "cpu") -> None:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

        directory = Path(directory)
        try:
            saved = json.loads((directory / ZOO_FILE).read_text("utf-8"))
            mean = saved.get("pooling", "first") == "mean"
            if mean != (self.params["pooling"] == "mean"):
                raise RunDirError(f"{directory} was trained with pooling={saved.get('pooling', 'first')}, not"
                                  f" {self.params['pooling']}; its record was changed after training.")
            self.hf_tokenizer = safe_from_pretrained(AutoTokenizer, str(directory))
            if mean:
                network = safe_from_pretrained(AutoModel, str(directory), use_safetensors=True)
                head = load_file(str(directory / HEAD_FILE))
                self.module = MeanPoolingClassifier(network, saved["n_classes"])
                self.module.head.load_state_dict({k.removeprefix("head."): v for k, v in head.items()})
            else:
                network = safe_from_pretrained(AutoModelForSequenceClassification, str(directory),
                                               use_safetensors=True)
                self.module = SequenceClassifier(network)
        except ZooError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure to read these files means they are damaged
            raise RunDirError(f"{directory}: the saved encoder cannot be loaded ({type(error).__name__}:"
                              f" {(str(error).splitlines() or [''])[0][:160]}). Train it again with 'zoo run'.") from None
        if not mean and network.config.num_labels != saved["n_classes"]:
            raise RunDirError(f"{directory}: config.json has {network.config.num_labels} labels but the run"
                              f" {saved['n_classes']} classes; the folder was changed after training.")
        self.n_classes, self.class_names = saved["n_classes"], saved["class_names"]
        self.vocabulary = PretrainedTokenizer(self.hf_tokenizer.backend_tokenizer, self.hf_tokenizer.pad_token_id or 0)
        self.device = resolve_device(device)
        self.module.to(self.device).eval()
