"""What is installed: components (``nlpzoo.info``) and the registry's data sets (``nlpzoo.list_datasets``)."""
from __future__ import annotations


def info(name: str, registry: str | None = None) -> dict | list[dict]:
    """A component's kind, origin, capabilities and parameters (types, defaults, allowed values); a
    list when the name is several kinds (``bigru`` is a classifier and a regressor)."""
    from ..machinery.discovery import get_zoo
    from ..foundations.errors import UnknownComponentError

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


def list_datasets(registry: str | None = None) -> list[dict]:
    """The named datasets of the registry (``zoo data list``)."""
    from ..machinery.discovery import get_zoo

    return [{"name": e.name, "description": e.description, "url": e.url, "path": e.path, "format": e.format}
            for e in get_zoo(registry).registry.datasets.values()]
