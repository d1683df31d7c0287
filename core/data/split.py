"""Deterministic stratified train/validation/test split, saved with every run.

The split depends only on the labels, the fractions and the seed (numpy's PCG64 generator), so
every model that `zoo bench` trains with the same seed sees exactly the same rows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..foundations.errors import DataError, RunDirError


@dataclass
class Split:
    train: list[int]
    validation: list[int]
    test: list[int]
    seed: int
    test_fraction: float
    validation_fraction: float

    def to_dict(self) -> dict:
        return {"seed": self.seed, "test_fraction": self.test_fraction,
                "validation_fraction": self.validation_fraction,
                "train": self.train, "validation": self.validation, "test": self.test}

    @classmethod
    def from_dict(cls, data: dict) -> "Split":
        return cls(data["train"], data["validation"], data["test"], data["seed"], data["test_fraction"],
                   data["validation_fraction"])


def stratified_split(labels: list[int], seed: int = 13, test_fraction: float = 0.2,
                     validation_fraction: float = 0.1, class_names: list[str] | None = None,
                     source: str = "") -> Split:
    """Indices into ``labels``: each class is shuffled and cut by the fractions (of the whole)."""
    import numpy as np

    if not (0 < test_fraction < 1 and 0 <= validation_fraction < 1 and test_fraction + validation_fraction < 1):
        raise DataError("Split fractions must be between 0 and 1 and leave rows for training.")
    rng = np.random.Generator(np.random.PCG64(seed))
    by_class: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    needed = 2 + (validation_fraction > 0)
    train, validation, test = [], [], []
    for label in sorted(by_class):
        members = by_class[label]
        if len(members) < needed:
            name = class_names[label] if class_names else str(label)
            raise DataError(f"{source}: class '{name}' has {len(members)} row(s); at least {needed} are needed to split"
                            " into train/validation/test. Add rows, merge classes (another --discretize), or drop it.")
        order = rng.permutation(len(members))
        shuffled = [members[i] for i in order]
        n_test = max(1, round(len(members) * test_fraction))
        n_val = max(1, round(len(members) * validation_fraction)) if validation_fraction > 0 else 0
        if n_test + n_val >= len(members):
            n_test, n_val = 1, (1 if validation_fraction > 0 else 0)
        test += shuffled[:n_test]
        validation += shuffled[n_test:n_test + n_val]
        train += shuffled[n_test + n_val:]
    return Split(sorted(train), sorted(validation), sorted(test), seed, test_fraction, validation_fraction)


def read_split(run_dir: Path, rows: int) -> dict:
    """split.json checked against the data it indexes: train, validation and test are lists of
    distinct whole numbers from 0 to ``rows`` - 1 that no two parts share. A tampered file (a negative
    index counted from the end, a repeated row) would otherwise score other rows than the test split."""
    path = Path(run_dir) / "split.json"
    try:
        split = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise RunDirError(f"{path} cannot be read ({type(error).__name__}); train the run again.") from None
    seen: set[int] = set()
    for part in ("train", "validation", "test"):
        indices = split.get(part) if isinstance(split, dict) else None
        if not isinstance(indices, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise RunDirError(f"{path}: '{part}' must be a list of row numbers; the file was changed.")
        bad = next((i for i in indices if not 0 <= i < rows or i in seen), None)
        if bad is not None or len(set(indices)) != len(indices):
            raise RunDirError(f"{path}: '{part}' holds row {bad}, outside 0..{rows - 1} or in another part (or twice);"
                              " the file was changed. Train the run again.")
        seen.update(indices)
    return split
