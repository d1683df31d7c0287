"""The neural toolkit: everything a neural classifier plugin needs except its ``torch.nn.Module``.

A plugin supplies a *module builder*, ``(vocab_size, n_classes, params) -> torch.nn.Module``, whose
``forward(ids, lengths)`` takes right-padded token ids (batch, time) and the real length of each
row, and returns logits (batch, n_classes). :class:`NeuralTextClassifier` brings the rest and
implements the classifier contract (:mod:`nlpzoo.kinds.classifier`):

- **Tokenizers** (the seam): a :class:`TextEncoder` turns texts into ids. Built in: ``word``
  (whitespace tokens, :class:`WordVocabulary`), ``subword`` (BPE trained on the training split with
  `tokenizers`, :class:`SubwordVocabulary`), and a pre-trained Hugging Face tokenizer
  (:class:`PretrainedTokenizer`). A plugin may pass ``encoder=`` a function
  ``(train_texts, params) -> TextEncoder`` of its own. The encoder is saved with the model: its
  ``to_json()`` plus its class's import path, and rebuilt by that class's ``from_json(data)`` when the
  run is loaded (a class of the plugin's own package, never one a run file names elsewhere).
- **Parameters**, in groups kept apart (declared in :mod:`nlpzoo.neural_params`, which imports no
  torch): ``VOCABULARY_PARAMS`` (units, vocab_size, min_freq, max_len) and ``TRAINING_PARAMS``
  (epochs, batch_size, lr, ...), next to the plugin's own architecture parameters.
- **The training loop** (:mod:`nlpzoo.training`): length-bucketed batches, class weights,
  AdamW, clipping, early stopping on validation macro-F1 with the best weights restored,
  checkpoints and ``--resume``, ``settings.on_epoch`` after each epoch, a stop with a clear error
  when the loss becomes NaN or infinite, DistributedDataParallel under torchrun.
- **Saving**: ``model.safetensors`` (with the class count in its metadata, so a module's layers may
  be named anything) and ``vocabulary.json``; no pickles.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import torch

from . import distributed
from .atomic import save_tensors, write_json
from .devices import resolve_device
from .errors import RunDirError, ZooError
from .kinds import FitSettings
from .kinds.classifier import LabeledTexts
from .training import (PAD_ID, ClassificationObjective, LanguageModelObjective, LoopConfig, Objective,
                       RegressionObjective, autocast, collate, predict_logits, train_module,
                       train_one_epoch, uses_fp16, validate)

# The toolkit's public names (with nlpzoo's own __all__ and nlpzoo.testing, the whole plugin surface).
__all__ = ["PAD_ID", "UNK_ID", "ClassificationObjective", "LanguageModelObjective", "LoopConfig", "NeuralTextClassifier",
           "NeuralTextRegressor", "Objective", "PretrainedTokenizer", "RegressionObjective", "SentenceEncoder", "SubwordVocabulary",
           "TextEncoder", "WordVocabulary", "autocast", "collate", "distributed", "encoder_from_json",
           "encoder_to_json", "predict_logits", "safe_from_pretrained", "train_module", "train_one_epoch",
           "uses_fp16", "validate"]


def __getattr__(name: str):
    if name == "SentenceEncoder":   # imports transformers; looked up on first use
        from .sentence_vectors import SentenceEncoder

        return SentenceEncoder
    raise AttributeError(f"module 'nlpzoo.neural' has no attribute {name!r}")

UNK_ID = 1
SPECIALS = ["<pad>", "<unk>"]
WEIGHTS_FORMAT = "nlp-zoo/neural-text-classifier"


class TextEncoder(Protocol):
    """What turns texts into token ids for a neural module."""

    pad_id: int

    @property
    def size(self) -> int:
        """Number of distinct ids (the embedding table's rows)."""

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Token ids of every text (possibly empty lists)."""

    def to_json(self) -> dict:
        """Everything needed to rebuild the encoder offline; read back by :func:`encoder_from_json`.
        A plugin's own encoder class also has a classmethod ``from_json(data)`` that rebuilds it."""


class WordVocabulary:
    """Whitespace tokens; the ``max_size`` most frequent training words seen ``min_freq`` times."""

    pad_id = PAD_ID

    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    @property
    def size(self) -> int:
        return len(self.words)

    @classmethod
    def build(cls, texts: list[str], max_size: int, min_freq: int) -> "WordVocabulary":
        counts = Counter(w for t in texts for w in t.split())
        ranked = sorted((w for w, n in counts.items() if n >= min_freq), key=lambda w: (-counts[w], w))
        return cls(SPECIALS + ranked[: max(0, max_size - len(SPECIALS))])

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        index = self.index
        return [[index.get(w, UNK_ID) for w in text.split()] for text in texts]

    def to_json(self) -> dict:
        return {"units": "word", "words": self.words}


class SubwordVocabulary:
    """BPE subwords trained with `tokenizers` on the training split only."""

    pad_id = PAD_ID

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    @property
    def size(self) -> int:
        return self.tokenizer.get_vocab_size()

    @classmethod
    def build(cls, texts: list[str], vocab_size: int, min_freq: int) -> "SubwordVocabulary":
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
        tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_freq, special_tokens=SPECIALS,
                                      show_progress=False)
        tokenizer.train_from_iterator(texts, trainer=trainer)
        if tokenizer.token_to_id("<pad>") != PAD_ID or tokenizer.token_to_id("<unk>") != UNK_ID:
            raise RuntimeError("BPE special tokens did not get ids 0 and 1")
        return cls(tokenizer)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def to_json(self) -> dict:
        return {"units": "subword", "tokenizer": json.loads(self.tokenizer.to_str())}


REMOTE_CODE = ("{source} asks to run Python code of its own (an auto_map in its config); nlp-zoo never runs code"
               " from a model folder. Use a model whose architecture transformers ships (BERT, RoBERTa, GPT-2,"
               " Llama, ...), or load it yourself where you trust it and save_pretrained a copy without custom code.")


def safe_from_pretrained(loader, source: str, **kwargs):
    """``loader.from_pretrained(source, **kwargs)`` that never runs code shipped with the model:
    ``trust_remote_code=False`` always (without it transformers asks on standard input whether to
    run a folder's own Python file, one keystroke from running it). Every transformers and peft
    load in the zoo goes through here; a folder that needs its own code is one clear ZooError."""
    try:
        return loader.from_pretrained(source, trust_remote_code=False, **kwargs)
    except ValueError as error:
        if "trust_remote_code" in str(error) or "custom code" in str(error):
            raise ZooError(REMOTE_CODE.format(source=source)) from None
        raise


class PretrainedTokenizer:
    """A pre-trained Hugging Face (fast) tokenizer: a hub id or a local folder, loaded with
    ``AutoTokenizer.from_pretrained``. Its whole definition is saved with the run, so loading the
    run needs neither the hub nor the original folder. Special tokens ([CLS], [SEP]) are added as
    the tokenizer's model expects."""

    def __init__(self, backend, pad_id: int, add_special_tokens: bool = True):
        self.backend, self.pad_id, self.add_special_tokens = backend, pad_id, add_special_tokens

    @property
    def size(self) -> int:
        return self.backend.get_vocab_size(with_added_tokens=True)

    @classmethod
    def from_pretrained(cls, name_or_path: str, add_special_tokens: bool = True) -> "PretrainedTokenizer":
        from transformers import AutoTokenizer

        try:
            tokenizer = safe_from_pretrained(AutoTokenizer, name_or_path)
        except (OSError, ValueError) as error:
            raise ZooError(f"Tokenizer '{name_or_path}' cannot be loaded ({str(error).splitlines()[0][:160]})."
                           " Give a local folder saved with save_pretrained, or a hub id while online.") from None
        if not getattr(tokenizer, "is_fast", False):
            raise ZooError(f"Tokenizer '{name_or_path}' has no fast (tokenizers) version; the zoo needs one.")
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        return cls(tokenizer.backend_tokenizer, pad, add_special_tokens)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.backend.encode_batch(list(texts), add_special_tokens=self.add_special_tokens)]

    def to_json(self) -> dict:
        return {"units": "pretrained", "tokenizer": json.loads(self.backend.to_str()), "pad_id": self.pad_id,
                "add_special_tokens": self.add_special_tokens}


BUILTIN_UNITS = ("word", "subword", "pretrained")
ENCODER_CLASS = "encoder_class"   # the key of a plugin encoder's import path in its saved JSON


def encoder_to_json(encoder: TextEncoder) -> dict:
    """What is saved of ``encoder``: its ``to_json()``, and for an encoder that is not built in, the import
    path of its class, whose ``from_json`` rebuilds it. A class without ``from_json`` is refused here, when
    the vocabulary is built, rather than when the saved run fails to load."""
    data = dict(encoder.to_json())
    if isinstance(encoder, (WordVocabulary, SubwordVocabulary, PretrainedTokenizer)):
        return data
    cls = type(encoder)
    if not callable(getattr(cls, "from_json", None)):
        raise TypeError(f"the TextEncoder {cls.__qualname__} has no classmethod from_json(data): the toolkit saves"
                        " to_json() with the run and rebuilds the encoder from it when the run is loaded")
    if "<locals>" in cls.__qualname__ or cls.__module__ == "__main__":
        raise TypeError(f"the TextEncoder {cls.__qualname__} must be a class at the top level of an importable module"
                        f" (it is defined in {cls.__module__}); a saved run finds it by its import path")
    return {**data, ENCODER_CLASS: f"{cls.__module__}:{cls.__qualname__}"}


def _top_package(module: str) -> str:
    return module.split(".", 1)[0]


def encoder_from_json(data: dict, packages: tuple[str, ...] = ()) -> TextEncoder:
    """Rebuild a saved :class:`TextEncoder`: word, subword or pretrained, or a plugin's own class (through its
    ``from_json``), which must live in one of ``packages`` (the top-level packages of the plugin's code), so a
    run file cannot make the zoo import any other installed module."""
    import importlib

    if ENCODER_CLASS in data:
        path = str(data[ENCODER_CLASS])
        module, _, qualname = path.partition(":")
        if _top_package(module) not in {*packages, "nlpzoo"}:
            raise ValueError(f"the saved encoder class {path} is outside the plugin's own packages"
                             f" ({', '.join(sorted(packages)) or 'none'}); nlp-zoo does not import it")
        try:
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"the saved encoder class {path} cannot be found ({error})") from None
        if not isinstance(cls, type) or not callable(getattr(cls, "from_json", None)):
            raise ValueError(f"the saved encoder class {path} is not a TextEncoder class with from_json")
        return cls.from_json(data)
    units = data.get("units")
    if units == "word":
        return WordVocabulary(data["words"])
    if units not in BUILTIN_UNITS:
        raise ValueError(f"the saved encoder has token units {units!r}, which no built-in encoder has, and names"
                         f" no {ENCODER_CLASS} to rebuild it")
    from tokenizers import Tokenizer

    backend = Tokenizer.from_str(json.dumps(data["tokenizer"]))
    if units == "subword":
        return SubwordVocabulary(backend)
    return PretrainedTokenizer(backend, int(data["pad_id"]), bool(data.get("add_special_tokens", True)))


def default_tokenizer(texts: list[str], params: dict) -> TextEncoder:
    """The ``units`` parameter's encoder: ``word`` or ``subword`` trained on ``texts``, or
    ``pretrained`` from the ``tokenizer`` parameter (a hub id or folder)."""
    units = params.get("units", "word")
    if units == "subword":
        return SubwordVocabulary.build(texts, params["vocab_size"], params["min_freq"])
    if units == "pretrained":
        if not params.get("tokenizer"):
            raise ZooError("units=pretrained needs --param tokenizer=HUB_ID_OR_FOLDER.")
        return PretrainedTokenizer.from_pretrained(params["tokenizer"])
    return WordVocabulary.build(texts, params["vocab_size"], params["min_freq"])


def vocabulary_tokens(encoder: TextEncoder) -> list[str]:
    """The token of every id, in id order."""
    if isinstance(encoder, WordVocabulary):
        return list(encoder.words)
    backend = getattr(encoder, "backend", None) or getattr(encoder, "tokenizer")
    return [backend.id_to_token(i) or "" for i in range(encoder.size)]


ModuleBuilder = Callable[[int, int, dict], "torch.nn.Module"]


class NeuralTextClassifier:
    """Implements the classifier contract for any torch text module (see the module docstring)."""

    def __init__(self, module_builder: ModuleBuilder, encoder: Callable[[list[str], dict], TextEncoder] | None = None,
                 **params):
        self.module_builder = module_builder
        self.build_encoder = encoder or default_tokenizer
        self.params = params
        self.vocabulary: TextEncoder | None = None
        self.module = None
        self.n_classes = 0
        self.device = "cpu"
        self.lesson = None

    def _packages(self) -> tuple[str, ...]:
        """The top-level packages of the code this model was built from: where a saved encoder class may live."""
        return tuple({_top_package(getattr(f, "__module__", None) or "nlpzoo")
                      for f in (type(self), self.module_builder, self.build_encoder)})

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> list[list[int]]:
        limit = self.params.get("max_len", 200)
        return [ids[:limit] if ids else [UNK_ID] for ids in self.vocabulary.encode_batch(list(texts))]

    def _build_module(self, n_classes: int):
        self.n_classes = n_classes
        self.module = self.module_builder(self.vocabulary.size, n_classes, self.params)

    # -- the classifier contract ----------------------------------------------------------------
    def fit(self, train: LabeledTexts, validation: LabeledTexts, settings: FitSettings) -> dict:
        self.device = distributed.device_for(resolve_device(settings.device))
        if settings.threads:
            torch.set_num_threads(settings.threads)
        torch.manual_seed(settings.seed)
        self.lesson = self._lesson(train, settings) if self.params.get("teacher") else None
        texts = train.texts + (self.lesson.unlabelled if self.lesson else [])  # the teacher's unlabelled texts too
        vocab_file = Path(settings.checkpoint_dir, "vocabulary.json") if settings.checkpoint_dir else None
        if settings.resume and vocab_file and vocab_file.is_file():
            self.vocabulary = encoder_from_json(json.loads(vocab_file.read_text("utf-8")), self._packages())
        else:
            settings.log(f"Building the vocabulary ({self.params.get('units', 'word')} units) on {len(texts)}"
                         " training texts...")
            self.vocabulary = self.build_encoder(texts, self.params)
            saved = encoder_to_json(self.vocabulary)   # a plugin encoder that cannot be rebuilt is refused now
            if vocab_file and distributed.is_main():
                write_json(vocab_file, saved)
        self._build_module(self._outputs(train))
        coverage = self._start_from_vectors(settings) if self.params.get("embeddings") else {}
        objective = self._objective(train)  # first: a regressor's targets need the scale it sets
        targets = self._targets(train)
        if self.lesson:
            objective, targets = self._distilled(objective, targets, self.lesson)
        history = train_module(self.module, self.encode(texts), targets,
                               self.encode(validation.texts), self._targets(validation), objective,
                               LoopConfig.from_params(self.params), settings, self.device, pad_id=self.vocabulary.pad_id)
        history["parameters"] = sum(p.numel() for p in self.module.parameters())
        history.setdefault("metrics", {}).update(coverage)
        return history

    def _start_from_vectors(self, settings: FitSettings) -> dict:
        """Fill the embedding rows from the ``embeddings`` vectors (``freeze_embeddings`` keeps them)."""
        from .embeddings import initialise_embedding, load_vectors

        vectors = load_vectors(self.params["embeddings"])
        table = next((m for m in self.module.modules() if isinstance(m, torch.nn.Embedding)
                      and m.num_embeddings == self.vocabulary.size), None)
        if table is None:
            raise ZooError("embeddings: this model has no embedding table of the vocabulary's size to fill.")
        coverage = initialise_embedding(table.weight, vocabulary_tokens(self.vocabulary), vectors,
                                        skip=len(SPECIALS) if isinstance(self.vocabulary, WordVocabulary) else 0)
        table.weight.requires_grad_(not self.params.get("freeze_embeddings", False))
        words = coverage["embedding_words"] + coverage["embedding_ngram_words"] + coverage["embedding_missing_words"]
        settings.log(f"Word vectors {self.params['embeddings']}: {coverage['embedding_words']:,} of {words:,}"
                     f" vocabulary words found ({100 * coverage['embedding_coverage']:.1f}%),"
                     f" {coverage['embedding_ngram_words']:,} built from subword n-grams,"
                     f" {coverage['embedding_missing_words']:,} missing (kept random)"
                     + ("; frozen." if self.params.get("freeze_embeddings") else "."))
        return coverage

    def _lesson(self, train, settings: FitSettings):
        """The teacher's outputs (:mod:`nlpzoo.distillation`): computed once, kept in the checkpoint
        folder so that a resumed run learns from the very same outputs."""
        from .distillation import Lesson, teach

        kept = Lesson.load(settings.checkpoint_dir) if settings.resume and settings.checkpoint_dir else None
        if kept is not None:
            return kept
        lesson = teach(self.params, train, "regressor" if self._outputs(train) == 1 and
                       isinstance(self, NeuralTextRegressor) else "classifier", settings)
        if settings.checkpoint_dir and distributed.is_main():
            lesson.save(settings.checkpoint_dir)
        return lesson

    # -- what makes it a classifier (NeuralTextRegressor changes these) ---------------------------
    def _distilled(self, objective, targets: list, lesson):
        from .distillation import ClassificationDistillation

        t = self.params["distill_temperature"]
        return (ClassificationDistillation(objective, self.params["distill_alpha"], t),
                ClassificationDistillation.targets(targets, lesson.outputs, t))

    def _outputs(self, train) -> int:
        return train.n_classes

    def _targets(self, part) -> list:
        return part.labels

    def _objective(self, train):
        return ClassificationObjective(train.labels, train.n_classes, self.params.get("class_weights", True),
                                       self.device)

    def _metadata(self) -> dict:
        return {}

    def _restore(self, metadata: dict) -> None:
        """Read back what ``_metadata`` saved."""

    def predict_proba(self, texts) -> np.ndarray:
        logits = predict_logits(self.module, self.encode(list(texts)), self.device, pad_id=self.vocabulary.pad_id)
        if len(logits) == 0:
            return np.zeros((0, self.n_classes), dtype=np.float32)
        return torch.softmax(torch.from_numpy(logits), dim=-1).numpy()

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        if getattr(self, "lesson", None) is not None:
            self.lesson.save(directory)  # the teacher's outputs and record stay with the run
        write_json(directory / "vocabulary.json", encoder_to_json(self.vocabulary))
        save_tensors(directory / "model.safetensors", self.module.state_dict(),
                     metadata={"format": WEIGHTS_FORMAT, "n_classes": str(self.n_classes), **self._metadata()})

    def load(self, directory: Path, device: str = "cpu") -> None:
        from safetensors import SafetensorError, safe_open
        from safetensors.torch import load_file

        directory = Path(directory)
        weights_file = directory / "model.safetensors"
        try:
            self.vocabulary = encoder_from_json(json.loads((directory / "vocabulary.json").read_text("utf-8")),
                                                self._packages())
            with safe_open(str(weights_file), framework="pt") as handle:
                metadata = handle.metadata() or {}
            if metadata.get("format") != WEIGHTS_FORMAT or "n_classes" not in metadata:
                raise ValueError(f"{weights_file.name} has no nlp-zoo metadata (format, n_classes)")
            self._build_module(int(metadata["n_classes"]))
            self._restore(metadata)
            self.module.load_state_dict(load_file(str(weights_file)))
        except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as error:
            raise RunDirError(f"{directory}: the saved model cannot be loaded ({type(error).__name__}: "
                              f"{(str(error).splitlines() or [''])[0][:200]}). Was it written by this classifier?") from None
        self.device = resolve_device(device)
        self.module.to(self.device)


class NeuralTextRegressor(NeuralTextClassifier):
    """The regressor contract (:mod:`nlpzoo.kinds.regressor`) for the same torch modules: one output,
    trained on standardised scores with MSE or Huber loss (``loss``), the best epoch chosen by
    validation Spearman or RMSE (``select_by``); predictions are mapped back to the score scale."""

    def __init__(self, module_builder: ModuleBuilder, encoder=None, **params):
        super().__init__(module_builder, encoder, **params)
        self.mean, self.std = 0.0, 1.0

    def _outputs(self, train) -> int:
        return 1

    def _targets(self, part) -> list:
        return [(s - self.mean) / self.std for s in part.scores]

    def _objective(self, train):
        scores = np.asarray(train.scores, dtype=np.float64)
        self.mean, self.std = float(scores.mean()), float(scores.std() or 1.0)
        return RegressionObjective(self.params.get("loss", "huber"), self.params.get("select_by", "spearman"))

    def _distilled(self, objective, targets: list, lesson):
        from .distillation import RegressionDistillation

        teacher = (np.asarray(lesson.outputs, dtype=np.float64) - self.mean) / self.std  # the student's scale
        return RegressionDistillation(objective, self.params["distill_alpha"]), \
            RegressionDistillation.targets(targets, teacher)

    def _metadata(self) -> dict:
        return {"task": "regression", "target_mean": repr(self.mean), "target_std": repr(self.std)}

    def _restore(self, metadata: dict) -> None:
        if metadata.get("task") != "regression":
            raise ValueError("these weights are a classifier's, not a regressor's")
        self.mean, self.std = float(metadata["target_mean"]), float(metadata["target_std"])

    def predict(self, texts) -> np.ndarray:
        """One score per text, on the training scores' scale."""
        outputs = predict_logits(self.module, self.encode(list(texts)), self.device, pad_id=self.vocabulary.pad_id)
        if len(outputs) == 0:
            return np.zeros(0, dtype=np.float64)
        return outputs.reshape(-1).astype(np.float64) * self.std + self.mean
