"""NeuralTextClassifier: the core half of every neural classifier plugin.

A plugin supplies a module builder ``(vocab_size, n_classes, params) -> torch.nn.Module`` whose
``forward(ids, lengths)`` returns logits; this class brings the rest: token units (words, or BPE
subwords trained with the `tokenizers` library on the training split only), encoding, the shared
training loop (:mod:`nlpzoo.training`), prediction, and saving as safetensors + JSON.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from . import distributed
from .atomic import save_tensors, write_json
from .classifier import FitSettings, LabeledTexts
from .devices import resolve_device
from .errors import RunDirError
from .training import PAD_ID, LoopConfig, predict_logits, train_module

UNK_ID = 1
SPECIALS = ["<pad>", "<unk>"]


class WordVocabulary:
    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    @classmethod
    def build(cls, texts: list[str], max_size: int, min_freq: int) -> "WordVocabulary":
        counts = Counter(w for t in texts for w in t.split())
        ranked = sorted((w for w, n in counts.items() if n >= min_freq), key=lambda w: (-counts[w], w))
        return cls(SPECIALS + ranked[: max(0, max_size - len(SPECIALS))])

    def encode(self, text: str) -> list[int]:
        return [self.index.get(w, UNK_ID) for w in text.split()]

    def to_json(self) -> dict:
        return {"units": "word", "words": self.words}


class SubwordVocabulary:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.words = [None] * tokenizer.get_vocab_size()

    @classmethod
    def build(cls, texts: list[str], vocab_size: int, min_freq: int) -> "SubwordVocabulary":
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
        tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_freq, special_tokens=SPECIALS,
                                      show_progress=False)
        tokenizer.train_from_iterator(texts, trainer=trainer)
        vocabulary = cls(tokenizer)
        if tokenizer.token_to_id("<pad>") != PAD_ID or tokenizer.token_to_id("<unk>") != UNK_ID:
            raise RuntimeError("BPE special tokens did not get ids 0 and 1")
        return vocabulary

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def to_json(self) -> dict:
        return {"units": "subword", "tokenizer": json.loads(self.tokenizer.to_str())}


def vocabulary_from_json(data: dict):
    if data.get("units") == "word":
        return WordVocabulary(data["words"])
    from tokenizers import Tokenizer

    return SubwordVocabulary(Tokenizer.from_str(json.dumps(data["tokenizer"])))


class NeuralTextClassifier:
    """Implements the :class:`nlpzoo.classifier.Classifier` contract for any torch text module."""

    def __init__(self, module_builder, **params):
        self.module_builder = module_builder
        self.params = params
        self.vocabulary = None
        self.module = None
        self.n_classes = 0
        self.device = "cpu"

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> list[list[int]]:
        vocabulary, limit = self.vocabulary, self.params["max_len"]
        if isinstance(vocabulary, SubwordVocabulary):
            encoded = vocabulary.encode_batch(list(texts))
        else:
            encoded = [vocabulary.encode(t) for t in texts]
        return [ids[:limit] if ids else [UNK_ID] for ids in encoded]

    def _build_module(self, n_classes: int):
        self.n_classes = n_classes
        self.module = self.module_builder(len(self.vocabulary.words), n_classes, self.params)

    # -- the Classifier contract ---------------------------------------------------------------
    def fit(self, train: LabeledTexts, validation: LabeledTexts, settings: FitSettings) -> dict:
        self.device = distributed.device_for(resolve_device(settings.device))
        if settings.threads:
            torch.set_num_threads(settings.threads)
        torch.manual_seed(settings.seed)
        vocab_file = Path(settings.checkpoint_dir, "vocabulary.json") if settings.checkpoint_dir else None
        if settings.resume and vocab_file and vocab_file.is_file():
            self.vocabulary = vocabulary_from_json(json.loads(vocab_file.read_text("utf-8")))
        else:
            builder = SubwordVocabulary if self.params["units"] == "subword" else WordVocabulary
            self.vocabulary = builder.build(train.texts, self.params["vocab_size"], self.params["min_freq"])
            if vocab_file and distributed.is_main():
                write_json(vocab_file, self.vocabulary.to_json())
        self._build_module(train.n_classes)
        train_encoded = self.encode(train.texts)
        history = train_module(self.module, train_encoded, train.labels, self.encode(validation.texts),
                               validation.labels, train.n_classes, LoopConfig.from_params(self.params),
                               settings, self.device)
        history["parameters"] = sum(p.numel() for p in self.module.parameters())
        return history

    def predict_proba(self, texts) -> np.ndarray:
        logits = predict_logits(self.module, self.encode(list(texts)), self.device)
        if len(logits) == 0:
            return np.zeros((0, self.n_classes), dtype=np.float32)
        return torch.softmax(torch.from_numpy(logits), dim=-1).numpy()

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        write_json(directory / "vocabulary.json", self.vocabulary.to_json())
        save_tensors(directory / "model.safetensors", self.module.state_dict(),
                     metadata={"format": "nlp-zoo/neural-text-classifier", "n_classes": str(self.n_classes)})

    def load(self, directory: Path, device: str = "cpu") -> None:
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        directory = Path(directory)
        try:
            self.vocabulary = vocabulary_from_json(json.loads((directory / "vocabulary.json").read_text("utf-8")))
            weights = load_file(str(directory / "model.safetensors"))
            n_classes = int(weights["output.bias"].shape[0])
            self._build_module(n_classes)
            self.module.load_state_dict(weights)
        except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as error:
            raise RunDirError(f"{directory}: the saved model cannot be loaded ({type(error).__name__}: "
                              f"{str(error).splitlines()[0][:200]}). Was it written by this classifier?") from None
        self.device = resolve_device(device)
        self.module.to(self.device)
