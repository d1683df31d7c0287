"""The kinds of component, one module each.

Every module in this package but two defines ``KIND``, an instance of :class:`Kind` (or
:class:`TrainableKind`) that states its whole contract; ``base`` holds what all kinds share and
``supervised`` the path the classifier and regressor kinds share (data, training, scoring, loading). The list below is found by scanning the
package, so a new kind is one new module here plus its hook in :mod:`nlpzoo.machinery.hookspecs`.
Importing a kind module is cheap: heavy libraries are imported inside its methods.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from .base import Column, DataOptions, FitSettings, Kind, RunResult, TrainableKind, format_value
from ..foundations.errors import ZooError

__all__ = ["Column", "DataOptions", "FitSettings", "Kind", "RunResult", "TrainableKind", "all_kinds",
           "format_value", "get_kind", "kind_names"]


@lru_cache(maxsize=1)
def all_kinds() -> dict[str, Kind]:
    """Every kind, by name, in listing order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "KIND"):      # base and supervised hold what several kinds share
            found.append(module.KIND)
    return {kind.name: kind for kind in sorted(found, key=lambda k: (k.order, k.name))}


def kind_names() -> tuple[str, ...]:
    """The kinds' names, in listing order: scraper, preprocessor, classifier, regressor, generator."""
    return tuple(all_kinds())


def get_kind(name: str) -> Kind:
    kinds = all_kinds()
    singular = name[:-1] if name not in kinds and name.endswith("s") else name
    if singular not in kinds:
        raise ZooError(f"Unknown kind '{name}'. Kinds: {', '.join(kinds)}.")
    return kinds[singular]
