"""Neural text models: everything a neural classifier or regressor plugin needs except its ``torch.nn.Module``.

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
- **Parameters**, in groups kept apart (declared in :mod:`nlpzoo.neural.params`, which imports no
  torch): ``VOCABULARY_PARAMS`` (units, vocab_size, min_freq, max_len) and ``TRAINING_PARAMS``
  (epochs, batch_size, lr, ...), next to the plugin's own architecture parameters.
- **The training loop** (:mod:`nlpzoo.neural.training`): length-bucketed batches, class weights,
  AdamW, clipping, early stopping on validation macro-F1 with the best weights restored,
  checkpoints and ``--resume``, ``settings.on_epoch`` after each epoch, a stop with a clear error
  when the loss becomes NaN or infinite, DistributedDataParallel under torchrun.
- **Saving**: ``model.safetensors`` (with the class count in its metadata, so a module's layers may
  be named anything) and ``vocabulary.json``; no pickles.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..foundations.atomic import save_tensors, write_json
from ..foundations.devices import resolve_device
from ..foundations.errors import RunDirError, ZooError
from ..kinds import FitSettings
from ..kinds.classifier import LabeledTexts
from . import distributed
from .distillation import ClassificationDistillation, Lesson, RegressionDistillation, teach
from .embeddings import initialise_embedding, load_vectors
from .tokenizers import (SPECIALS, UNK_ID, TextEncoder, WordVocabulary, _top_package, default_tokenizer,
                         encoder_from_json, encoder_to_json, vocabulary_tokens)
from .training import ClassificationObjective, LoopConfig, RegressionObjective, predict_logits, train_module


WEIGHTS_FORMAT = "nlp-zoo/neural-text-classifier"
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
        """The teacher's outputs (:mod:`nlpzoo.neural.distillation`): computed once, kept in the checkpoint
        folder so that a resumed run learns from the very same outputs."""
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
