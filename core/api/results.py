"""What the API returns: a :class:`Run` (a trained run folder), its :class:`Metrics` and :class:`Prediction` rows,
and a :class:`BenchResult`."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from ..foundations.errors import ZooError
from ..kinds import get_kind
from ..kinds.generator import check_sampling
from ..machinery.discovery import get_zoo
from ..workflows.bench_report import cell, columns_of
from ..workflows.runs import load_run, read_record
from .inputs import DataLike, materialize


@dataclass(frozen=True)
class Prediction:
    """One text's prediction: a class ``label`` with ``probabilities`` (classifiers) or a ``score``
    (regressors)."""

    text: str
    label: str | None = None
    probabilities: dict[str, float] | None = None
    score: float | None = None

    def to_dict(self) -> dict:
        """The fields that are set, as ``zoo predict --json`` prints them."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class Metrics(dict):
    """A run's metrics (``metrics.json``): a dict, e.g. ``metrics["macro_f1"]`` or ``metrics["spearman"]``."""


class Run:
    """A trained run folder: its record, metrics and model, loaded through the plugin that made it."""

    def __init__(self, run_dir: str | Path, device: str = "cpu", registry: str | None = None,
                 interrupted: bool = False):
        self.dir = Path(run_dir)
        self.record = read_record(self.dir)
        self.kind = self.record.get("kind", "classifier")
        self.device, self.registry, self.interrupted = device, registry, interrupted
        self._loaded = None

    def __repr__(self) -> str:
        key = get_kind(self.kind).primary_metric if get_kind(self.kind).trainable else None
        value = self.metrics.get(key) if key else None
        shown = f", {key}={value:.4f}" if isinstance(value, float) else ""
        return f"<nlpzoo.Run {self.record['component']['name']} ({self.kind}) at {self.dir}{shown}>"

    @property
    def config(self) -> dict:
        """The run's record (``zoo_run.json``): component, parameters, data, split, preprocessing."""
        return self.record

    @property
    def name(self) -> str:
        """The component's name (``bigru``, a preset's name, ...)."""
        return self.record["component"]["name"]

    @property
    def metrics(self) -> Metrics:
        """Test-split metrics computed when the run was trained."""
        return Metrics(json.loads((self.dir / "metrics.json").read_text("utf-8")))

    @property
    def history(self) -> dict:
        """Per-epoch records of training (``history.json``)."""
        return json.loads((self.dir / "history.json").read_text("utf-8"))

    @property
    def loaded(self):
        """The loaded model (for a classifier or regressor, wrapped with the run's preprocessing)."""
        if self._loaded is None:
            self._loaded = load_run(self.dir, get_zoo(self.registry), device=self.device)
        return self._loaded

    def _needs(self, method: str, kinds: str):
        if not hasattr(self.loaded, method):
            raise ZooError(f"{self.dir} holds a {self.kind} run; {method}() works on {kinds} runs.")
        return getattr(self.loaded, method)

    def predict(self, texts: str | Sequence[str]) -> list[Prediction]:
        """Label (classifiers) or score (regressors) raw texts, with the run's own preprocessing."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        return [Prediction(**row) for row in self._needs("predict", "classifier and regressor")(texts)]

    def predict_proba(self, texts: str | Sequence[str]):
        """Class probabilities, a numpy array (len(texts), n_classes) in the order of ``class_names``."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        return self._needs("predict_proba", "classifier")(texts)

    @property
    def class_names(self) -> list[str]:
        """A classifier's classes, in the order of ``predict_proba``'s columns (empty for other kinds)."""
        return list(self.record.get("class_names") or [])

    def evaluate(self, data: DataLike = None, text_col: str | None = None, score_col: str | None = None,
                 fmt: str | None = None) -> Metrics:
        """Metrics on new data (labelled the run's way), or on the run's own test split."""
        evaluate = self._needs("evaluate", "classifier and regressor")
        path, text_col, score_col = materialize(data, text_col, score_col)
        return Metrics(evaluate(path, get_zoo(self.registry), text_col, score_col, fmt))

    def generate(self, prompt: str = "", **settings) -> list[str]:
        """Continue ``prompt`` with a generator run (``max_new_tokens``, ``temperature``, ``top_k``,
        ``top_p``, ``repetition_penalty``, ``num_return_sequences``, ``seed``, ``do_sample``)."""
        generate = self._needs("generate", "generator")
        defaults = dict(max_new_tokens=60, temperature=0.9, top_k=50, top_p=0.95, repetition_penalty=1.1,
                        num_return_sequences=1)
        values = {**defaults, **settings}
        check_sampling(*(values[k] for k in defaults))
        return generate(prompt, **values)


@dataclass
class BenchResult:
    """Every (model, seed) row and each kind's summary (mean ± std over seeds), as ``zoo bench`` writes them."""

    out: Path
    rows: list[dict]
    summaries: dict[str, list[dict]]
    interrupted: bool = False
    environment: dict = field(default_factory=dict)
    changes: list[dict] = field(default_factory=list)   # with compare=: each model's change since the earlier bench

    def table(self, kind: str | None = None) -> tuple[list[str], list[list[str]]]:
        """(titles, rows) of ``kind``'s table as ``zoo bench`` prints it: formatted cells (mean ± std over
        seeds), and an error column when a model failed."""
        kind = kind or next(iter(self.summaries), "classifier")
        lines = self.summaries.get(kind, [])
        columns = columns_of(kind)
        with_errors = any(line.get("error") for line in lines)
        return ([title for _, title in columns] + (["error"] if with_errors else []),
                [[cell(line, key, kind) for key, _ in columns] + ([line.get("error") or ""] if with_errors else [])
                 for line in lines])

    def change_table(self, kind: str) -> tuple[list[str], list[list[str]]]:
        """(titles, rows) of ``kind``'s change since the compared bench: one row per model in both."""
        kind_object = get_kind(kind)
        titles = {c.key: (c.title, c.digits) for c in kind_object.columns}
        change = lambda value, digits: "-" if value is None else f"{value:+.{max(digits, 1)}f}"
        return (["model"] + [titles.get(m, (m, 3))[0] for m in kind_object.compared],
                [[c[kind]] + [change(c.get(f"{m}_change"), titles.get(m, (m, 3))[1]) for m in kind_object.compared]
                 for c in self.changes if c["kind"] == kind])

    def to_dataframe(self, kind: str | None = None, per_seed: bool = False):
        """The summary of ``kind`` (default: the first benchmarked) as a pandas DataFrame, one row per
        model; ``per_seed=True`` gives one row per model and seed instead."""
        try:
            import pandas as pd
        except ImportError:
            raise ZooError("to_dataframe() needs pandas: pip install pandas") from None
        kind = kind or next(iter(self.summaries), "classifier")
        if per_seed:
            return pd.DataFrame([{k: v for k, v in r.items() if k not in ("traceback", "split_test_rows")}
                                 for r in self.rows if r.get("kind") == kind])
        return pd.DataFrame(self.summaries.get(kind, []))

    @property
    def failed(self) -> list[dict]:
        """The rows of models that failed (not those skipped for an ambiguous name)."""
        return [r for r in self.rows if r.get("error") and not r["error"].startswith("LookupError: skipped")]


def bench_cell(row: dict, key: str, kind: str | None = None) -> str:
    """One bench row's (or summary line's) ``key`` as its table shows it: digits of its column, ± std."""
    return cell(row, key, kind)
