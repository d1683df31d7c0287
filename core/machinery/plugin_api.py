"""Holding the plugin surface: a component's object checked against its kind's Protocol, older methods
adapted where a release changed them, and refused by name where they cannot be.

Each kind lists the changes its contract went through (``Kind.changes``: the method, the release that
changed it, the older call and, when the older form can still be driven, an adapter). The check binds
the call the core makes (``inspect.signature``) to the plugin's method, so a mismatch is found when the
component is built (before any run directory exists) and by ``zoo plugins --check``, never mid-run.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from ..foundations.errors import ZooError, plugin_code
from ..foundations.versions import PLUGIN_API, __version__


@dataclass(frozen=True)
class Change:
    """A method of a kind's contract that a release changed.

    ``old`` is the older call as plugins wrote it; ``note`` says what changed and what to write now.
    ``adapt`` takes the plugin's bound method and returns a callable the core can call the new way;
    ``None`` when the older form cannot be driven (the component is then refused). ``added`` marks a
    method that did not exist before ``version``.
    """

    method: str
    version: str
    note: str
    old: str = ""
    adapt: Callable[[Callable], Callable] | None = None
    added: bool = False


def dropping_keywords(*names: str) -> Callable[[Callable], Callable]:
    """An adapter for a method that predates some keyword arguments: they are not passed on."""

    def adapt(method: Callable) -> Callable:
        @functools.wraps(method)
        def call(*args, **kwargs):
            return method(*args, **{k: v for k, v in kwargs.items() if k not in names})

        return call

    return adapt


class PluginContractError(ZooError):
    """A component whose methods do not fit its kind's contract in this release of nlp-zoo."""


def protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    """The methods a kind's Protocol declares, its own first, then those of the protocols it extends,
    with their signatures (``self`` left out)."""
    methods = {}
    for klass in protocol.__mro__:
        if klass is object or klass.__module__ == "typing":
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or not inspect.isfunction(value) or name in methods:
                continue
            signature = inspect.signature(value)
            methods[name] = signature.replace(parameters=list(signature.parameters.values())[1:])
    return methods


def _call_text(name: str, signature: inspect.Signature) -> str:
    return f"{name}({', '.join(p.name if p.default is p.empty else f'{p.name}={p.default!r}' for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))})"


def accepts(actual: inspect.Signature, expected: inspect.Signature) -> bool:
    """Whether ``actual`` takes the call the core makes: the expected required parameters by
    position, every expected optional one by keyword."""
    positional, keywords = [], {}
    for parameter in expected.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is parameter.empty:
            positional.append(None)
        else:
            keywords[parameter.name] = None
    try:
        actual.bind(*positional, **keywords)
    except TypeError:
        return False
    return True


def _signature_of(target: Any, name: str) -> inspect.Signature | None:
    member = inspect.getattr_static(target, name, None)
    if member is None:
        return None
    method = getattr(target, name)
    if not callable(method):
        return None
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return None
    if isinstance(target, type) and not isinstance(member, (staticmethod, classmethod)):
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])   # self
    return signature


def review(target: Any, kind) -> tuple[list[str], dict[str, Change]]:
    """Problems of ``target`` (a class or an instance) against ``kind``'s contract, and the changes that
    adapt the methods that need it."""
    problems, adapters = [], {}
    changes = getattr(kind, "changes", ())
    for name, expected in protocol_methods(kind.protocol).items():
        signature = _signature_of(target, name)
        change = next((c for c in changes if c.method == name), None)
        if signature is None:
            since = f" (added in nlp-zoo {change.version}: {change.note})" if change and change.added else ""
            problems.append(f"it has no method {_call_text(name, expected)}{since}")
            continue
        if accepts(signature, expected):
            continue
        if change is not None and change.adapt is not None:
            adapters[name] = change
            continue
        since = f" (changed in nlp-zoo {change.version}: {change.note})" if change else ""
        problems.append(f"its {_call_text(name, signature)} cannot be called as nlp-zoo {__version__} calls it,"
                        f" {_call_text(name, expected)}{since}")
    return problems, adapters


def refusal(component, problems: list[str]) -> str:
    origin = f"plugin '{component.plugin}' ({component.distribution} {component.version})"
    return (f"{component.kind} '{component.name}' [{origin}] does not fit the {component.kind} contract of"
            f" nlp-zoo {__version__}: {'; '.join(problems)}. Ask the plugin's authors for a release for"
            f" nlp-zoo {__version__.rsplit('.', 1)[0]} (CHANGELOG.md, 'For plugin authors', says what changed),"
            f" or turn it off with ZOO_DISABLE_PLUGINS={component.plugin}.")


def conform(component, model: Any) -> Any:
    """``model`` (what the factory returned) with older methods adapted; a PluginContractError naming
    every method that does not fit and cannot be adapted."""
    from ..kinds import all_kinds

    kind = all_kinds().get(component.kind)
    if kind is None:
        return model
    problems, adapters = review(model, kind)
    if problems:
        raise PluginContractError(refusal(component, problems))
    for name, change in adapters.items():
        setattr(model, name, change.adapt(getattr(model, name)))
    return model


def contract_target(component) -> Any:
    """What ``zoo plugins --check`` inspects: the factory itself when it is a class, else the object it
    builds with the component's defaults (built, never trained)."""
    factory = component.load_factory()
    while isinstance(factory, functools.partial):
        factory = factory.func
    if isinstance(factory, type):
        return factory

    values = component.resolve_params()
    with plugin_code(component, "build"):
        return component.load_factory()(**values)


def check_component(component) -> list[str]:
    """Everything ``zoo plugins --check`` reports about one component ([] when it is fine)."""
    from ..kinds import all_kinds

    component.check_declaration()
    kind = all_kinds().get(component.kind)
    if kind is None:
        return []
    problems, _ = review(contract_target(component), kind)
    return [refusal(component, problems)] if problems else []


def declared_api(module) -> int | None:
    """The plugin API a plugin module says it was written for (``NLPZOO_PLUGIN_API``), checked."""
    value = getattr(module, "NLPZOO_PLUGIN_API", None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TypeError(f"NLPZOO_PLUGIN_API must be a whole number such as {PLUGIN_API}, not {value!r}")
    if value > PLUGIN_API:
        raise ZooError(f"written for nlp-zoo plugin API {value}, but nlp-zoo {__version__} has API {PLUGIN_API};"
                       " upgrade it: pip install -U nlp-zoo")
    return value
