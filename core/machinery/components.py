"""What a plugin declares: a named component with typed, range-checked parameters and a lazy factory."""
from __future__ import annotations

import difflib
import importlib
import math
import typing
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Union

from ..foundations.errors import BrokenCheckError, ParameterError, plugin_code
from .plugin_api import conform as fit_contract


_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}
_SCALARS = (bool, int, float, str)


@dataclass(frozen=True)
class Search:
    """How ``zoo tune`` searches one parameter: a range (``Search.range(1e-4, 1e-2, log=True)``,
    ``Search.range(64, 256, step=64)``) or a list of values (``Search.among("max", "mean")``).

    A range needs an int or float parameter and must lie inside the parameter's ``min``/``max``;
    ``log=True`` samples evenly on a log scale (learning rates, regularisation strengths) and needs
    ``low > 0``; ``step`` samples a grid. Values of ``among`` must be valid values of the parameter
    (a list parameter's values are written as ``"3,4,5"``). The core checks all of this when the
    plugin registers, and again for a user's ``--space`` file.
    """

    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple | None = None

    @classmethod
    def range(cls, low: float, high: float, log: bool = False, step: float | None = None) -> "Search":
        return cls(low=low, high=high, log=log, step=step)

    @classmethod
    def among(cls, *choices) -> "Search":
        return cls(choices=tuple(choices))

    def describe(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        text = f"{self.low} to {self.high}"
        return text + (" (log scale)" if self.log else "") + (f" in steps of {self.step}" if self.step else "")

    def check(self, param: "Param", where: str) -> None:
        """Raise ParameterError when this space does not fit ``param``."""
        named = f"{where}: parameter '{param.name}'"
        if self.choices is not None:
            if self.low is not None or self.high is not None or self.log or self.step is not None:
                raise ParameterError(f"{named}: give either choices or a low/high range, not both.")
            if not self.choices:
                raise ParameterError(f"{named}: choices is empty; list at least one value.")
            for choice in self.choices:
                if not isinstance(choice, (bool, int, float, str)):
                    raise ParameterError(f"{named}: choice {choice!r} must be a number, a string or true/false"
                                         + (' (write a list value as "3,4,5")' if param.is_list else "") + ".")
                param.convert(choice, where, strict=not isinstance(choice, str))
            return
        if param.is_list or param.item_type not in (int, float):
            raise ParameterError(f"{named} is {param.type_name}: a low/high range needs an int or float parameter."
                                 f" Search it with choices instead, e.g. {param.name} = {{choices = [...]}}.")
        for label, value in (("low", self.low), ("high", self.high)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"{named}: '{label}' must be a finite number, got {value!r}.")
            if param.item_type is int and float(value) != int(value):
                raise ParameterError(f"{named} is an int: '{label}' must be a whole number, got {value!r}.")
        if not self.low < self.high:
            raise ParameterError(f"{named}: low ({self.low}) must be below high ({self.high}).")
        if (param.min is not None and self.low < param.min) or (param.max is not None and self.high > param.max):
            raise ParameterError(f"{named}: the range {self.low} to {self.high} leaves the parameter's declared"
                                 f" limits ({param.range_text}); narrow it.")
        if self.log and self.low <= 0:
            raise ParameterError(f"{named}: a log-scale range needs low > 0, got {self.low}.")
        if self.step is not None:
            if isinstance(self.step, bool) or not isinstance(self.step, (int, float)) or self.step <= 0:
                raise ParameterError(f"{named}: 'step' must be a positive number, got {self.step!r}.")
            if self.log:
                raise ParameterError(f"{named}: use either log = true or a step, not both (Optuna samples one or"
                                     " the other).")
            if param.item_type is int and float(self.step) != int(self.step):
                raise ParameterError(f"{named} is an int: 'step' must be a whole number, got {self.step!r}.")


@dataclass(frozen=True)
class Param:
    """One parameter of a component.

    ``type`` is bool, int, float, str, or a list of one of them (``list[int]``: given on the
    command line as ``3,4,5``). ``min``/``max`` bound numbers (and every item of a numeric list);
    ``choices`` lists the allowed values. ``budget=True`` marks a training-budget parameter
    (epochs, a step limit) that ``--resume`` may change; any other change to a resumed run is an
    error. ``search`` declares how ``zoo tune`` searches the parameter (:class:`Search`); a
    parameter without one is left at its value unless the user's space file searches it. The core
    checks defaults (and search spaces) when the plugin registers and every value before a run
    starts, and passes values to the factory already converted.
    """

    name: str
    type: Any
    default: Any
    help: str = ""
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    budget: bool = False
    search: Search | None = None

    @property
    def item_type(self) -> type:
        """The scalar type: ``type`` itself, or the item type of a list type."""
        return typing.get_args(self.type)[0] if self.is_list else self.type

    @property
    def is_list(self) -> bool:
        return typing.get_origin(self.type) is list

    @property
    def type_name(self) -> str:
        name = _TYPE_NAMES.get(self.item_type, getattr(self.item_type, "__name__", str(self.item_type)))
        return f"list of {name}" if self.is_list else name

    @property
    def range_text(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min} to {self.max}"
        if self.min is not None:
            return f">= {self.min}"
        if self.max is not None:
            return f"<= {self.max}"
        return ""

    def check_declaration(self) -> None:
        """Raise TypeError when the declaration itself is wrong (a plugin author's mistake)."""
        if self.item_type not in _SCALARS or (self.is_list and self.item_type is bool):
            raise TypeError(f"parameter '{self.name}': type must be bool, int, float, str or list[int|float|str],"
                            f" not {self.type!r}")
        if (self.min is not None or self.max is not None) and self.item_type not in (int, float):
            raise TypeError(f"parameter '{self.name}': min/max need an int or float type")
        try:
            converted = self.convert(self.default, "default", strict=True)
        except ParameterError as error:
            raise TypeError(f"parameter '{self.name}': default {self.default!r} does not fit its declaration"
                            f" ({str(error).split(': ', 1)[-1]})") from None
        if converted != (list(self.default) if isinstance(self.default, tuple) else self.default):
            raise TypeError(f"parameter '{self.name}': default {self.default!r} is not of type {self.type_name}")
        if self.search is not None:
            if not isinstance(self.search, Search):
                raise TypeError(f"parameter '{self.name}': search must be an nlpzoo.Search, got {self.search!r}")
            if self.budget:
                raise TypeError(f"parameter '{self.name}': a budget parameter is set by the study, not searched")
            try:
                self.search.check(self, "search")
            except ParameterError as error:
                raise TypeError(f"parameter '{self.name}': {str(error).split(': ', 2)[-1]}") from None

    def convert(self, value: Any, where: str, strict: bool = False) -> Any:
        """``value`` as this parameter's type, checked against choices and range. Text (from the
        command line or a TOML file) is parsed unless ``strict``."""
        try:
            if self.is_list:
                items = value.split(",") if isinstance(value, str) and not strict else value
                if not isinstance(items, (list, tuple)):
                    raise ValueError(value)
                converted = [_convert(self.item_type, item.strip() if isinstance(item, str) else item, strict)
                             for item in items if not (isinstance(item, str) and not item.strip())]
                if not converted:
                    raise ValueError(value)
            else:
                converted = _convert(self.type, value, strict)
        except (TypeError, ValueError):
            example = ",".join(map(str, self.default)) if self.is_list else self.default
            raise ParameterError(f"{where}: parameter '{self.name}' must be {self.type_name}, got {value!r}."
                                 f" Example: --param {self.name}={example}") from None
        for item in (converted if self.is_list else [converted]):
            self._check_value(item, value, where)
        return converted

    def _check_value(self, item: Any, given: Any, where: str) -> None:
        if self.choices is not None and item not in self.choices:
            raise ParameterError(f"{where}: parameter '{self.name}' must be one of"
                                 f" {', '.join(map(str, self.choices))}; got {given!r}.")
        if isinstance(item, float) and not math.isfinite(item):
            raise ParameterError(f"{where}: parameter '{self.name}' must be a finite number, got {given!r}.")
        if (self.min is not None and item < self.min) or (self.max is not None and item > self.max):
            raise ParameterError(f"{where}: parameter '{self.name}' must be {self.range_text}; got {given!r}.")


def _convert(kind: type, value: Any, strict: bool = False) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if not strict and isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if not strict and isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(value)
    if strict and not isinstance(value, str if kind is str else (int, float)):
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




def with_defaults(params, **defaults) -> tuple[Param, ...]:
    """``params`` (a shared group such as ``NEURAL_PARAMS``) with some defaults changed, for a plugin
    whose model wants another default: ``with_defaults(NEURAL_PARAMS, max_len=128)``. Declaring a
    shared name again is refused (names must not repeat); a name not in ``params`` is a TypeError."""
    params = tuple(params)
    known = {p.name for p in params}
    unknown = sorted(set(defaults) - known)
    if unknown:
        raise TypeError(f"with_defaults: no parameter named {', '.join(unknown)}; the group has {', '.join(sorted(known))}")
    return tuple(replace(p, default=defaults[p.name]) if p.name in defaults else p for p in params)


@dataclass(frozen=True)
class Check:
    """A rule over several parameters, declared with the component and checked with every set of values
    it is built with (``zoo run``, presets, ``zoo tune``'s trials): ``Check(("minn", "maxn"), lambda minn,
    maxn: minn <= maxn, "minn must be at most maxn")``. ``rule`` gets the named values as keywords and
    returns whether they fit; ``message`` is what the user reads when they do not."""

    names: tuple[str, ...]
    rule: Callable[..., bool]
    message: str

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(self.names))


@dataclass(frozen=True)
class Component:
    """A named thing a plugin offers: a classifier, generator, preprocessor or scraper.

    ``factory`` is either a callable or a ``"module:function"`` string; a string keeps the plugin
    module import-cheap, since the module named there is imported only when the component is built.
    ``capabilities`` is free metadata that ``zoo list --where key=value`` filters on.
    The core fills in ``kind``, ``plugin``, ``distribution`` and ``version`` on registration;
    ``base``, ``defaults`` and ``preprocess`` are set for presets from registry.toml.
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
    preprocess: str | None = None   # a preset's preprocessing chain (None: the kind's default)
    checks: tuple[Check, ...] = ()  # rules over several parameters (see Check)

    def __post_init__(self):
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "checks", tuple(self.checks))

    @property
    def qualified_name(self) -> str:
        """``distribution:name``: unique even when two plugins register the same name."""
        return f"{self.distribution}:{self.name}"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def check_declaration(self) -> None:
        """Raise TypeError for a declaration the core cannot use (called when a plugin registers)."""
        if not isinstance(self.name, str) or not self.name or any(c in self.name for c in " :,/"):
            raise TypeError(f"component name {self.name!r} must be a non-empty string without spaces, ':', ',' or '/'")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            repeated = sorted(n for n in set(names) if names.count(n) > 1)
            raise TypeError(f"{self.name}: parameter names repeat: {repeated}. To change a shared parameter's default,"
                            f" declare nlpzoo.with_defaults(GROUP, {repeated[0]}=VALUE) instead of a second Param.")
        for param in self.params:
            if not isinstance(param, Param):
                raise TypeError(f"{self.name}: params must be nlpzoo.Param objects, got {type(param).__name__}")
            param.check_declaration()
        for check in self.checks:
            if not isinstance(check, Check) or not callable(check.rule):
                raise TypeError(f"{self.name}: checks must be nlpzoo.Check objects with a callable rule, got {check!r}")
            missing = [n for n in check.names if n not in names]
            if missing:
                raise TypeError(f"{self.name}: check {check.message!r} names unknown parameters {missing}")
        self.check_values(self.default_params(), f"{self.name}: the defaults", declaration=True)

    def check_values(self, values: dict, where: str, declaration: bool = False) -> None:
        """Every declared :class:`Check` over ``values``; a failed one is a ParameterError naming the values
        (a TypeError for the declared defaults, which are the plugin author's to fix)."""
        for check in self.checks:
            with plugin_code(self, "checking parameters"):
                fits = check.rule(**{n: values[n] for n in check.names})
            if not fits:
                given = ", ".join(f"{n}={values[n]!r}" for n in check.names)
                if declaration:
                    raise TypeError(f"{where} break the check {check.message!r} ({given})")
                raise BrokenCheckError(f"{where}: {given}: {check.message}. Change one of them with --param NAME=VALUE"
                                     f" (zoo info {self.name} shows the parameters).")

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
                known = [p.name for p in self.params]
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ParameterError(
                    f"{where}: unknown parameter '{key}'.{hint} Its parameters are: {', '.join(known) or '(none)'}."
                    f" Run 'zoo info {self.name}' for types and defaults."
                )
            values[key] = param.convert(value, where)
        self.check_values(values, where)
        return values

    def load_factory(self) -> Callable[..., Any]:
        if callable(self.factory):
            return self.factory
        module_name, _, attribute = self.factory.partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def build(self, **overrides) -> Any:
        """Import the factory (the heavy part), call it with the resolved parameters, and check what it
        returned against the kind's contract (older methods adapted, :mod:`nlpzoo.machinery.plugin_api`)."""
        values = self.resolve_params(overrides)
        with plugin_code(self, "build"):
            model = self.load_factory()(**values)

        return fit_contract(self, model)

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
