"""Knowledge distillation for every model built on the neural toolkit (Hinton et al. 2015; Tang et
al. 2019 distilled BERT into a BiLSTM this way).

A student names a finished run as its ``teacher`` (a classifier run of any kind: encoder,
ensemble, tfidf-logreg, ...; a regressor run for a regressor). The teacher labels the student's
training texts, and the texts of ``distill_texts`` (unlabelled: a text file, a CSV/TSV or a
scrape's JSON Lines), once, from their raw form through its own preprocessing; the student then
minimises, per batch::

    classifier: alpha * CE(student, gold) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T))
    regressor:  alpha * loss(student, gold) + (1 - alpha) * loss(student, teacher's score)

on the standardised scale for a regressor; unlabelled texts have only the teacher's term. The
teacher's outputs are kept with the run (``teacher_outputs.safetensors``) with a record of the
teacher (``distillation.json``: its folder, the sha256 of its zoo_run.json, alpha, T, the texts).
The teacher's outputs have no gradient: they are data, computed before training.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..data.tables import read_lines
from ..foundations.atomic import save_tensors, write_json
from ..foundations.errors import ZooError
from ..machinery.discovery import get_zoo
from ..workflows.runs import RUN_FILE, TEACHER_FILES, load_run  # a student reads its teacher's run folder
from .embeddings import read_texts
from .training import ClassificationObjective, Objective, RegressionObjective


RECORD_FILE, OUTPUTS_FILE = TEACHER_FILES   # kept with the run, not counted as the model's own files


@dataclass
class Lesson:
    """What a teacher taught: its outputs for the training texts and the unlabelled ones."""

    outputs: np.ndarray               # (n, n_classes) probabilities, or (n,) scores
    unlabelled: list[str]             # the student's preprocessed unlabelled texts, after the training texts
    record: dict

    def save(self, directory: Path) -> None:
        save_tensors(Path(directory) / OUTPUTS_FILE, {"outputs": torch.from_numpy(np.ascontiguousarray(self.outputs))})
        write_json(Path(directory) / RECORD_FILE, {**self.record, "unlabelled_texts": self.unlabelled})

    @classmethod
    def load(cls, directory: Path) -> "Lesson | None":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        directory = Path(directory)
        if not (directory / RECORD_FILE).is_file():
            return None
        try:
            record = json.loads((directory / RECORD_FILE).read_text("utf-8"))
            outputs = load_file(str(directory / OUTPUTS_FILE))["outputs"].numpy()
            unlabelled = record.pop("unlabelled_texts")
            if not isinstance(unlabelled, list) or not all(isinstance(t, str) for t in unlabelled):
                raise ValueError("unlabelled_texts is not a list of texts")
        except (OSError, ValueError, KeyError, TypeError, SafetensorError) as error:
            raise ZooError(f"{directory}: the teacher's saved outputs cannot be read ({type(error).__name__});"
                           " start a new run.") from None
        return cls(outputs, unlabelled, record)


def teach(params: dict, train, kind: str, settings) -> Lesson:
    """The teacher's outputs for the training texts (from their raw form) and for ``distill_texts``."""
    folder = Path(params["teacher"]).expanduser()
    if not (folder / RUN_FILE).is_file():
        raise ZooError(f"--param teacher={params['teacher']}: not a run folder (no {RUN_FILE}). Give a finished"
                       " 'zoo run' folder, e.g. --param teacher=runs/20261202-101500-e5-small.")
    record_bytes = (folder / RUN_FILE).read_bytes()
    try:
        teacher_record = json.loads(record_bytes)
        teacher_kind = teacher_record.get("kind", "classifier")
    except (ValueError, AttributeError):
        raise ZooError(f"{folder / RUN_FILE} is not a run record (JSON object); the teacher folder is damaged.") from None
    if teacher_kind != kind:
        raise ZooError(f"--param teacher={params['teacher']} is a {teacher_kind} run; a {kind} learns from a {kind}.")
    teacher = load_run(folder, get_zoo(), device=settings.device if settings.device != "auto" else "cpu")
    if kind == "classifier" and (list(teacher.class_names) != list(train.class_names) if train.class_names
                                 else len(teacher.class_names) != train.n_classes):
        raise ZooError(f"The teacher's classes ({', '.join(teacher.class_names)}) are not the student's"
                       f" ({', '.join(train.class_names or [str(train.n_classes)])}): train both on the same data"
                       " and --discretize.")
    unlabelled_raw: list[str] = []
    if params.get("distill_texts"):
        unlabelled_raw = read_unlabelled(params["distill_texts"])
    raw = list(getattr(train, "raw_texts", None) or train.texts) + unlabelled_raw
    settings.log(f"Teacher {folder.name} ({teacher_record.get('component', {}).get('name')}) labels"
                 f" {len(raw):,} texts ({len(unlabelled_raw):,} unlabelled) once...")
    if kind == "classifier":
        outputs = np.asarray(teacher.predict_proba(raw), dtype=np.float32)
    else:
        outputs = np.asarray(teacher.predict_scores(raw), dtype=np.float32)
    if not np.all(np.isfinite(outputs)):
        raise ZooError(f"The teacher {folder} gave non-finite outputs; it cannot teach.")
    unlabelled = settings.preprocess(unlabelled_raw) if unlabelled_raw and settings.preprocess else unlabelled_raw
    record = {"teacher": str(folder.resolve()), "teacher_record_sha256": hashlib.sha256(record_bytes).hexdigest(),
              "teacher_component": teacher_record.get("component", {}).get("name"), "alpha": params["distill_alpha"],
              "temperature": params["distill_temperature"], "distill_texts": params.get("distill_texts") or None,
              "training_texts": len(train.texts)}
    return Lesson(outputs, unlabelled, record)


def read_unlabelled(path: str) -> list[str]:
    """The texts of a plain text file (one a line), or of a CSV/TSV/JSON Lines file (a scrape's output)."""
    if Path(path).suffix.lower() != ".txt":
        return read_texts([path])
    return read_lines(Path(path), "distill_texts")


class ClassificationDistillation(Objective):
    """``alpha`` x the gold labels' loss + (1 - alpha) x T^2 x KL(teacher || student), both softened
    by T. Training targets are rows ``[gold or -1, teacher probabilities...]``; validation targets
    are plain labels, scored as the plain objective scores them."""

    target_dtype = torch.float32

    def __init__(self, gold: ClassificationObjective, alpha: float, temperature: float):
        self.gold, self.alpha, self.temperature = gold, alpha, temperature
        self.name, self.label = gold.name, gold.label

    @staticmethod
    def targets(labels: list[int], teacher: np.ndarray, temperature: float) -> list[list[float]]:
        """[label, softened teacher probabilities]: the teacher's log-probabilities are its logits up
        to a constant, so softening needs no logits from it (a tfidf-logreg teacher has none)."""
        softened = torch.softmax(torch.log(torch.from_numpy(teacher).double().clamp_min(1e-12)) / temperature, -1)
        padded = list(labels) + [-1] * (len(teacher) - len(labels))
        return np.concatenate([np.asarray(padded, np.float64)[:, None], softened.numpy()], axis=1).tolist()

    def loss(self, outputs, targets):
        if targets.ndim == 1:  # validation: the gold labels alone
            return self.gold.loss(outputs, targets.long())
        gold, teacher = targets[:, 0].long(), targets[:, 1:]
        labelled = gold >= 0
        task = self.gold.loss(outputs[labelled], gold[labelled]) if labelled.any() else outputs.sum() * 0.0
        t = self.temperature
        kl = F.kl_div(F.log_softmax(outputs / t, dim=-1), teacher, reduction="batchmean") * t * t
        return self.alpha * task + (1.0 - self.alpha) * kl

    def score(self, outputs, targets):
        return self.gold.score(outputs, targets)


class RegressionDistillation(Objective):
    """``alpha`` x the loss on the gold scores + (1 - alpha) x the loss on the teacher's scores, on the
    student's standardised scale; targets are rows ``[gold or NaN, teacher]``."""

    target_dtype = torch.float32

    def __init__(self, gold: RegressionObjective, alpha: float):
        self.gold, self.alpha = gold, alpha
        self.name, self.label = gold.name, gold.label

    @staticmethod
    def targets(scores: list[float], teacher: np.ndarray) -> list[list[float]]:
        padded = list(scores) + [float("nan")] * (len(teacher) - len(scores))
        return [[s, float(t)] for s, t in zip(padded, teacher)]

    def loss(self, outputs, targets):
        if targets.ndim == 1:
            return self.gold.loss(outputs, targets)
        gold, teacher = targets[:, 0], targets[:, 1]
        labelled = ~torch.isnan(gold)
        task = self.gold.loss(outputs[labelled], gold[labelled]) if labelled.any() else outputs.sum() * 0.0
        return self.alpha * task + (1.0 - self.alpha) * self.gold.loss(outputs, teacher)

    def score(self, outputs, targets):
        return self.gold.score(outputs, targets)
