"""The classifier contract: what a classifier plugin's factory returns.

The core drives every classifier the same way (``zoo run``, ``zoo bench``, ``zoo predict``)::

    model = component.build(**params)          # untrained, parameters already checked
    history = model.fit(train, validation, settings)
    probabilities = model.predict_proba(texts)  # shape (len(texts), n_classes)
    model.save(run_dir)                         # writes its own files, no pickles
    model.load(run_dir)                         # on a freshly built instance with the same params

Texts arrive already preprocessed (tokens separated by spaces). Neural plugins need not write a
loop: :class:`nlpzoo.neural.NeuralTextClassifier` brings vocabulary, batching and the training
loop, and a plugin only supplies the ``torch.nn.Module``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, runtime_checkable


@dataclass
class LabeledTexts:
    texts: list[str]
    labels: list[int]
    n_classes: int

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class FitSettings:
    seed: int = 13
    device: str = "auto"          # "auto", "cpu", "cuda", "cuda:1" ...
    progress: bool = True         # show a progress bar
    checkpoint_dir: Path | None = None   # where to keep the resumable checkpoint
    resume: bool = False          # continue from checkpoint_dir's checkpoint
    threads: int | None = None    # torch intra-op threads (None: torch's default)
    log: Callable[[str], Any] = print


@runtime_checkable
class Classifier(Protocol):
    def fit(self, train: LabeledTexts, validation: LabeledTexts, settings: FitSettings) -> dict:
        """Train; return the history: ``{"epochs": [{"epoch", "train_loss", "val_macro_f1", ...}],
        "interrupted": bool, "train_tokens": int, "train_seconds": float}``."""

    def predict_proba(self, texts: Sequence[str]):
        """Class probabilities as a numpy array of shape (len(texts), n_classes)."""

    def save(self, directory: Path) -> None:
        """Write the trained state into ``directory`` (safetensors / JSON, never pickles)."""

    def load(self, directory: Path) -> None:
        """Restore the state that :meth:`save` wrote. May take ``device="cpu"`` as well."""
