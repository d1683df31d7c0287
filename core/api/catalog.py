"""What is installed: components (``nlpzoo.info``), plugins and their contract checks, the
registry's data sets (``nlpzoo.list_datasets``, ``get_dataset``) and the preprocessors' steps."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..data.datasets import cached_path, download, resolve
from ..data.preprocessing import build_chain, parse_steps
from ..foundations.errors import UnknownComponentError, ZooError
from ..kinds.base import parse_seeds
from ..machinery.components import parse_param_options
from ..machinery.discovery import get_zoo
from ..machinery.plugin_api import check_component


__all__ = ["check_plugins", "describe", "get_dataset", "info", "list_datasets", "parse_params", "parse_seeds",
           "preview_preprocessing"]

parse_params = parse_param_options   # ["hidden_size=256"] -> {"hidden_size": "256"} (--param KEY=VALUE)


def info(name: str, registry: str | None = None) -> dict | list[dict]:
    """A component's kind, origin, capabilities and parameters (types, defaults, allowed values); a
    list when the name is several kinds (``bigru`` is a classifier and a regressor)."""
    zoo = get_zoo(registry)
    found = zoo.find(name)
    if not found:
        raise UnknownComponentError("component", name, [c.name for c in zoo.list()])
    entries = [describe(c) for c in found]
    return entries[0] if len(entries) == 1 else entries


def describe(component) -> dict:
    """What :func:`info` and ``zoo info --json`` show of one component."""
    defaults = component.default_params()
    return {"name": component.name, "kind": component.kind, "plugin": component.plugin,
            "distribution": component.distribution, "version": component.version, "base": component.base,
            "description": component.description, "capabilities": component.capabilities,
            "params": [{"name": p.name, "type": p.type_name, "default": defaults[p.name], "help": p.help,
                        "choices": list(p.choices) if p.choices else None, "min": p.min, "max": p.max,
                        "budget": p.budget, "search": p.search.describe() if p.search else None}
                       for p in component.params]}


def check_plugins(registry: str | None = None) -> list[dict]:
    """Every plugin component's declaration checked, its factory imported and its methods checked against
    its kind's contract (``zoo plugins --check``): one row per component, ``ok`` and the first ``error``."""
    rows = []
    for component in get_zoo(registry).list():
        if component.plugin == "registry":
            continue
        try:
            problems = check_component(component)
            problem = problems[0] if problems else None
        except Exception as error:  # noqa: BLE001 - any failure is the row's result
            problem = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"
        rows.append({"component": component.name, "kind": component.kind, "plugin": component.plugin,
                     "distribution": component.distribution, "ok": problem is None, "error": problem})
    return rows


def list_datasets(registry: str | None = None) -> list[dict]:
    """The named datasets of the registry (``zoo data list``): where each lives, its columns, and whether
    it is on this machine (``available``, ``local_path``)."""
    rows = []
    for name, entry in sorted(get_zoo(registry).registry.datasets.items()):
        local = entry.local_path() if entry.path else cached_path(entry)
        rows.append({"name": name, "description": entry.description, "url": entry.url, "path": entry.path,
                     "format": entry.format, "location": entry.path or entry.url, "text_col": entry.text_col,
                     "score_col": entry.score_col, "discretize": entry.discretize,
                     "available": bool(local and local.exists()), "local_path": str(local) if local else None})
    return rows


def get_dataset(name: str, registry: str | None = None,
                progress: Callable[[int, int | None], object] | None = None) -> Path:
    """The local file of the dataset ``name``: downloaded into the cache once (checked against its sha256),
    or, for a local entry, its checked path. ``progress(done_bytes, total_bytes)`` follows a download."""
    zoo = get_zoo(registry)
    entry = zoo.registry.datasets.get(name)
    if entry is None or not entry.url:
        return Path(resolve(name, zoo.registry).path)
    return download(entry, progress=progress)


def preview_preprocessing(steps: str | list[str], text: str, registry: str | None = None) -> list[tuple[str, str]]:
    """``[(step, text after it), ...]``: what each preprocessor of ``steps`` does to ``text``."""
    if not parse_steps(steps):
        raise ZooError(f"--steps {steps!r} names no step; give one or more, e.g. --steps normalize,tokenize"
                       " ('zoo list preprocessors' shows them).")
    return build_chain(steps, get_zoo(registry)).explain(text)
