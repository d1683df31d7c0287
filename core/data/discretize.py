"""Turning raw scores into classes, chosen by a short spec string (``--discretize``):

- ``bins:0,4,7,10``  fixed edges; bins are [0,4), [4,7), [7,10] (the last one includes its right
  edge), named low/medium/high for three bins, low/high for two, else by their ranges;
- ``quantile:3``     edges at the score quantiles, so classes are about equally large;
- ``threshold:5``    two classes, ``below-5`` (< 5) and ``5-or-more`` (>= 5);
- ``as-is``          the scores already are classes (strings, or -1/0/1): one class per value.

A discretizer is fitted once on a dataset's scores and saved in the run's config (``to_dict``), so
predictions print class names and a saved run labels new data the same way.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from ..foundations.errors import DataError
from .tables import to_numbers


STRATEGIES = ("bins", "quantile", "threshold", "as-is")
NAMED_BINS = {2: ["low", "high"], 3: ["low", "medium", "high"], 4: ["low", "medium-low", "medium-high", "high"],
              5: ["very-low", "low", "medium", "high", "very-high"]}


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass
class Discretizer:
    strategy: str
    edges: list[float] | None = None   # bins / quantile / threshold
    class_names: list[str] | None = None

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, spec: str) -> "Discretizer":
        name, _, argument = spec.strip().partition(":")
        name = name.strip().lower()
        if name not in STRATEGIES:
            close = difflib.get_close_matches(name, STRATEGIES, n=1)
            hint = f" Did you mean: {close[0]}?" if close else ""
            raise DataError(f"Unknown discretisation '{spec}'.{hint} Use bins:0,4,7,10, quantile:3, threshold:5 or as-is.")
        try:
            if name == "bins":
                edges = [float(x) for x in argument.split(",")]
                if len(edges) < 3 or any(b <= a for a, b in zip(edges, edges[1:])) or \
                        not all(math.isfinite(e) for e in edges):
                    raise ValueError
                return cls("bins", edges)
            if name == "quantile":
                count = int(argument)
                if count < 2:
                    raise ValueError
                return cls("quantile", [float(count)])
            if name == "threshold":
                cut = float(argument)
                if not math.isfinite(cut):
                    raise ValueError
                return cls("threshold", [cut])
        except ValueError:
            examples = {"bins": "bins:0,4,7,10 (three or more increasing finite edges)",
                        "quantile": "quantile:3 (2 or more)", "threshold": "threshold:5 (a finite number)"}
            raise DataError(f"Bad discretisation '{spec}'. Example: {examples[name]}.") from None
        if argument:
            raise DataError(f"Bad discretisation '{spec}': as-is takes no argument.")
        return cls("as-is")

    def fit(self, scores: list, source: str = "", rows: list[int] | None = None) -> "Discretizer":
        """Fix the class names (and quantile edges) from a dataset's raw scores."""
        if self.strategy == "as-is":
            self.class_names = sorted({self._as_is_name(s) for s in scores}, key=_natural_key)
            return self
        values = to_numbers(scores, rows or list(range(2, len(scores) + 2)), source)
        if self.strategy == "quantile":
            import numpy as np

            count = int(self.edges[0])
            edges = sorted(set(np.quantile(values, np.linspace(0, 1, count + 1)).tolist()))
            if len(edges) != count + 1:
                raise DataError(f"{source}: quantile:{count} needs {count + 1} distinct score quantiles,"
                                f" but the scores only give {len(edges)}. Use fewer quantiles or bins:...")
            self.strategy, self.edges = "bins", edges
            self.class_names = [f"q{i + 1}" for i in range(count)]
        elif self.strategy == "bins":
            count = len(self.edges) - 1
            self.class_names = NAMED_BINS.get(count) or [
                f"[{_fmt(a)},{_fmt(b)}{']' if i == count - 1 else ')'}" for i, (a, b) in enumerate(zip(self.edges, self.edges[1:]))]
        else:
            cut = _fmt(self.edges[0])
            self.class_names = [f"below-{cut}", f"{cut}-or-more"]
        return self

    # -- using ------------------------------------------------------------------------------
    @staticmethod
    def _as_is_name(score) -> str:
        text = str(score).strip()
        try:
            return _fmt(float(text))  # "1", "1.0" and 1 are one class
        except ValueError:
            return text

    def label(self, score, row: int | None = None, source: str = "") -> int:
        """The class index of one raw score."""
        if self.class_names is None:
            raise RuntimeError("fit() the discretizer before labelling")
        where = f"{source}: row {row}: " if row is not None else ""
        if self.strategy == "as-is":
            name = self._as_is_name(score)
            if name not in self.class_names:
                raise DataError(f"{where}label {score!r} is not one of the classes {', '.join(self.class_names)}.")
            return self.class_names.index(name)
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise DataError(f"{where}score {score!r} is not a number; {self.spec} needs numeric scores.") from None
        if self.strategy == "threshold":
            return int(value >= self.edges[0])
        low, high = self.edges[0], self.edges[-1]
        if not low <= value <= high:
            raise DataError(f"{where}score {score!r} is outside the bins {_fmt(low)}..{_fmt(high)}.")
        for index, edge in enumerate(self.edges[1:-1]):
            if value < edge:
                return index
        return len(self.edges) - 2

    def labels(self, scores: list, rows: list[int] | None = None, source: str = "") -> list[int]:
        rows = rows or [None] * len(scores)
        return [self.label(s, r, source) for s, r in zip(scores, rows)]

    @property
    def spec(self) -> str:
        if self.strategy == "bins":
            return "bins:" + ",".join(_fmt(e) for e in self.edges)
        if self.strategy == "threshold":
            return f"threshold:{_fmt(self.edges[0])}"
        if self.strategy == "quantile":
            return f"quantile:{int(self.edges[0])}"
        return "as-is"

    def to_dict(self) -> dict:
        return {"strategy": self.strategy, "edges": self.edges, "class_names": self.class_names, "spec": self.spec}

    @classmethod
    def from_dict(cls, data: dict) -> "Discretizer":
        return cls(data["strategy"], data.get("edges"), data.get("class_names"))


def _natural_key(name: str):
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)


def auto_discretizer(scores: list) -> Discretizer:
    """No --discretize given: categorical-looking scores are used as they are; otherwise ask."""
    distinct = {Discretizer._as_is_name(s) for s in scores}
    if len(distinct) <= 10:
        return Discretizer("as-is")
    raise DataError(f"The scores have {len(distinct)} distinct values, too many to use as classes."
                    " Choose --discretize bins:0,4,7,10, quantile:3 or threshold:5.")
