"""Names that a release moved or removed, kept working for one more release with a DeprecationWarning.

A module that 0.1 documented and 0.2 folded elsewhere stays importable as a few lines calling
:func:`module_getattr`: each old name resolves to its replacement (warning, naming it), and a name whose
behaviour changed too much to keep raises an AttributeError that says what to use instead.
"""
from __future__ import annotations

import importlib
import warnings

REMOVED_IN = "0.3.0"


def warn(old: str, new: str, since: str = "0.2.0", stacklevel: int = 3) -> None:
    warnings.warn(f"{old} is deprecated since nlp-zoo {since} and will be removed in {REMOVED_IN}; use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def module_getattr(module: str, moved: dict[str, str], removed: dict[str, str] | None = None, since: str = "0.2.0"):
    """A module ``__getattr__`` for ``module``: ``moved`` maps an old name to ``"package.module:name"``,
    ``removed`` maps a name to what replaces it, in words."""
    removed = removed or {}

    def __getattr__(name: str):
        if name in moved:
            target_module, _, target = moved[name].partition(":")
            warn(f"{module}.{name}", f"{target_module}.{target}", since)
            return getattr(importlib.import_module(target_module), target)
        if name in removed:
            raise AttributeError(f"{module}.{name} was removed in nlp-zoo {since}: {removed[name]}")
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def deprecated_import(module: str, replacement: str, since: str = "0.2.0") -> None:
    """Called at the top of a kept module: importing it warns once, naming the replacement."""
    warn(f"the module {module}", replacement, since, stacklevel=4)
