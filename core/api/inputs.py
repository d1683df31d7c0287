"""Data given as Python objects (a DataFrame, (texts, scores), a list of texts) written once to a cached file."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from ..data.datasets import cache_dir
from ..foundations.atomic import atomic_path
from ..foundations.errors import ZooError


DataLike = Any  # a path, a registry name, a pandas DataFrame, (texts, scores), or a list of texts


def materialize(data: DataLike, text_col: str | None = None, score_col: str | None = None):
    """(path or registry name, text column, score column) for ``data``. A pandas DataFrame, a
    (texts, scores) pair or a list of texts is written once to a content-addressed file in the cache,
    so the run records a real path and sha256, and evaluating its test split later finds it."""
    if data is None or isinstance(data, (str, Path)):
        return (str(data) if data is not None else None), text_col, score_col

    if hasattr(data, "to_csv") and hasattr(data, "columns"):  # a pandas DataFrame, without importing pandas
        content = data.to_csv(index=False).encode("utf-8")
        suffix = ".csv"
    else:
        if isinstance(data, tuple) and len(data) == 2:
            texts, scores = list(data[0]), list(data[1])
            if len(texts) != len(scores):
                raise ZooError(f"data=(texts, scores): {len(texts)} texts but {len(scores)} scores.")
            rows = [{"text": t, "score": s} for t, s in zip(texts, scores)]
        elif isinstance(data, Iterable):
            rows = [{"text": t} for t in data]
        else:
            raise ZooError(f"data: give a path, a dataset name, a pandas DataFrame, (texts, scores) or a list of texts;"
                           f" got {type(data).__name__}.")
        if not all(isinstance(r["text"], str) for r in rows):
            raise ZooError("data: every text must be a str.")
        content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        suffix = ".jsonl"
        text_col, score_col = text_col or "text", score_col or ("score" if rows and "score" in rows[0] else None)
    digest = hashlib.sha256(content).hexdigest()
    path = cache_dir().parent / "inline" / f"{digest[:16]}{suffix}"
    if not path.exists():
        with atomic_path(path) as temporary:
            temporary.write_bytes(content)
    return str(path), text_col, score_col
