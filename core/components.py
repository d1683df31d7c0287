"""What a plugin declares: a named component with typed parameters and a lazy factory."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Union

from .errors import ParameterError

KINDS = ("scraper", "preprocessor", "classifier", "generator")
_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


@dataclass(frozen=True)
class Param:
    """One parameter of a component: its name, type (bool, int, float or str), default and help."""

    name: str
    type: type
    default: Any
    help: str = ""
    choices: tuple | None = None

    @property
    def type_name(self) -> str:
        return _TYPE_NAMES.get(self.type, getattr(self.type, "__name__", str(self.type)))

    def convert(self, value: Any, where: str) -> Any:
        """Return ``value`` as this parameter's type; text from the command line is parsed."""
        try:
            converted = _convert(self.type, value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{where}: parameter '{self.name}' must be {self.type_name}, got {value!r}."
                f" Example: --param {self.name}={self.default!r}"
            ) from None
        if self.choices is not None and converted not in self.choices:
            raise ParameterError(
                f"{where}: parameter '{self.name}' must be one of {', '.join(map(str, self.choices))};"
                f" got {value!r}."
            )
        return converted


def _convert(kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(value)
    if kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    return kind(value)


@dataclass(frozen=True)
class Component:
    """A named thing a plugin offers: a classifier, generator, preprocessor or scraper.

    ``factory`` is either a callable or a ``"module:function"`` string; a string keeps the plugin
    module import-cheap, since the module named there is imported only when the component is built.
    ``capabilities`` is free metadata that ``zoo list --where key=value`` filters on.
    The core fills in ``kind``, ``plugin``, ``distribution`` and ``version`` on registration;
    ``base`` is set for presets from registry.toml.
    """

    name: str
    description: str
    factory: Union[str, Callable[..., Any]]
    params: tuple[Param, ...] = ()
    capabilities: dict = field(default_factory=dict)
    kind: str = ""
    plugin: str = ""
    distribution: str = ""
    version: str = ""
    base: str | None = None
    defaults: dict = field(default_factory=dict)  # preset overrides of the params' defaults

    def __post_init__(self):
        object.__setattr__(self, "params", tuple(self.params))

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def default_params(self) -> dict:
        values = {p.name: p.default for p in self.params}
        values.update(self.defaults)
        return values

    def resolve_params(self, overrides: dict | None = None, where: str = "") -> dict:
        """The component's defaults with ``overrides`` applied, each name and value checked."""
        where = where or f"{self.kind} '{self.name}'"
        values = self.default_params()
        for key, value in (overrides or {}).items():
            param = self.param(key)
            if param is None:
                known = ", ".join(p.name for p in self.params) or "(none)"
                raise ParameterError(
                    f"{where}: unknown parameter '{key}'. Its parameters are: {known}."
                    f" Run 'zoo info {self.name}' for types and defaults."
                )
            values[key] = param.convert(value, where)
        return values

    def load_factory(self) -> Callable[..., Any]:
        if callable(self.factory):
            return self.factory
        module_name, _, attribute = self.factory.partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def build(self, **overrides) -> Any:
        """Import the factory (the heavy part) and call it with the resolved parameters."""
        return self.load_factory()(**self.resolve_params(overrides))

    def with_origin(self, **fields) -> "Component":
        return replace(self, **fields)


def parse_param_options(options: tuple[str, ...] | list[str]) -> dict:
    """``["hidden_size=256", "layers=2"]`` -> ``{"hidden_size": "256", "layers": "2"}``."""
    values = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param {option!r} is not KEY=VALUE. Example: --param hidden_size=256")
        values[key.strip()] = value.strip()
    return values
