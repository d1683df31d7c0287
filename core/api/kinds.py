"""The kinds themselves: which metrics, columns, options and defaults each has (the command line builds its
options from them, so nothing in it names a kind)."""
from __future__ import annotations

from ..kinds import all_kinds, get_kind


__all__ = ["all_kinds", "get_kind", "trainable_kinds"]


def trainable_kinds() -> list:
    """The kinds whose components are trained (classifier, regressor, generator, ...), in order."""
    return [k for k in all_kinds().values() if k.trainable]
