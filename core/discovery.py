"""Finding plugins through entry points, collecting their components, and looking names up.

Each entry point of the ``nlpzoo`` group is loaded on its own inside a try/except: a plugin that
fails to import, fails hook validation or raises inside its hook is recorded with its error and
every other plugin keeps working. Built-in plugins are entry points like any other, so
``ZOO_DISABLE_PLUGINS=bigru,isri`` (or ``disable_plugins`` in registry.toml) turns either off.

Two components of the same kind and name from different plugins are a conflict: both stay listed,
and building that name raises an error that names both distributions and how to disable one.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pluggy

from . import hookspecs
from .components import KINDS, Component
from .errors import ComponentConflictError, RegistryError, UnknownComponentError, ZooError
from .registry import Registry, builtin_registry_path, load_registry

ENTRY_POINT_GROUP = "nlpzoo"
HOOK_KINDS = {"register_scrapers": "scraper", "register_preprocessors": "preprocessor",
              "register_classifiers": "classifier", "register_generators": "generator"}


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str
    version: str
    components: list[str] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False

    @property
    def status(self) -> str:
        return "disabled" if self.disabled else ("error" if self.error else "ok")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _check_hook_names(module) -> None:
    """pluggy accepts hook implementations it has no spec for; a misspelt hook would then do
    nothing in silence, so the zoo refuses the plugin instead."""
    for attribute in dir(module):
        if hasattr(getattr(module, attribute), "nlpzoo_impl") and attribute not in HOOK_KINDS:
            raise AttributeError(f"unknown hook '{attribute}'; the hooks are {', '.join(HOOK_KINDS)}")


class Zoo:
    """Every component the installed plugins and the registry offer, by kind and name."""

    def __init__(self, registry: Registry | None = None, disabled: list[str] | None = None):
        self.registry = registry if registry is not None else load_registry()
        env_disabled = [n.strip() for n in os.environ.get("ZOO_DISABLE_PLUGINS", "").split(",") if n.strip()]
        self.disabled = set(disabled or []) | set(env_disabled) | set(self.registry.disable_plugins)
        self.plugins: list[PluginInfo] = []
        self._by_kind: dict[str, dict[str, list[Component]]] = {kind: {} for kind in KINDS}
        self.manager = pluggy.PluginManager("nlpzoo")
        self.manager.add_hookspecs(hookspecs)
        self._load_entry_points()
        self._add_presets()

    # -- discovery -------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        seen = set()
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            info = PluginInfo(ep.name, ep.value, dist.name if dist else "?", dist.version if dist else "?")
            if (ep.name, info.distribution) in seen:  # the same dist seen twice on sys.path
                continue
            seen.add((ep.name, info.distribution))
            self.plugins.append(info)
            if ep.name in self.disabled:
                info.disabled = True
                continue
            try:
                module = ep.load()
                _check_hook_names(module)
                self.manager.register(module, name=f"{info.distribution}:{ep.name}")
            except Exception as error:  # noqa: BLE001 - any plugin failure is isolated
                info.error = _first_line(error)
                continue
            self._call_hooks(module, info)

    def _call_hooks(self, module, info: PluginInfo) -> None:
        for hook_name, kind in HOOK_KINDS.items():
            for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
                if impl.plugin is not module:
                    continue
                try:
                    impl.function(register=lambda c, kind=kind: self._register(c, kind, info))
                except Exception as error:  # noqa: BLE001
                    info.error = f"in {hook_name}: {_first_line(error)}"

    def _register(self, component: Component, kind: str, info: PluginInfo) -> None:
        if not isinstance(component, Component):
            raise TypeError(f"register() takes an nlpzoo.Component, got {type(component).__name__}")
        component = component.with_origin(kind=kind, plugin=info.name, distribution=info.distribution,
                                          version=info.version)
        self._by_kind[kind].setdefault(component.name, []).append(component)
        info.components.append(f"{kind}:{component.name}")

    def _add_presets(self) -> None:
        for preset in self.registry.presets:
            where = f"{preset.source}: [{preset.kind}s.{preset.name}]"
            named = self._by_kind[preset.kind]
            if preset.base not in named:
                if preset.source == str(builtin_registry_path()):
                    continue  # a built-in preset over a disabled or broken plugin just disappears
                raise RegistryError(
                    f"{where}: unknown base {preset.kind} '{preset.base}'."
                    f" {UnknownComponentError(preset.kind, preset.base, list(named)).args[0]}"
                )
            if preset.name in named and named[preset.name][0].plugin != "registry":
                raise RegistryError(f"{where}: the name '{preset.name}' is already a {preset.kind} from plugin"
                                    f" '{named[preset.name][0].plugin}'; choose another name.")
            base = self.get(preset.kind, preset.base)
            try:
                values = base.resolve_params(preset.params, where=where)
            except ZooError as error:
                raise RegistryError(str(error)) from None
            overrides = {k: values[k] for k in preset.params}
            named[preset.name] = [base.with_origin(
                name=preset.name, description=preset.description, base=base.base or base.name,
                defaults={**base.defaults, **overrides}, plugin="registry", distribution=preset.source,
                version="")]

    # -- queries ----------------------------------------------------------------------------
    def list(self, kind: str | None = None, pattern: str = "*") -> list[Component]:
        kinds = [kind] if kind else list(KINDS)
        found = []
        for k in kinds:
            for name in sorted(self._by_kind[k]):
                if fnmatch.fnmatch(name, pattern):
                    found.extend(self._by_kind[k][name])
        return found

    def names(self, kind: str) -> list[str]:
        return sorted(self._by_kind[kind])

    def get(self, kind: str, name: str) -> Component:
        if kind not in KINDS:
            raise ZooError(f"Unknown kind '{kind}'. Kinds: {', '.join(KINDS)}.")
        claims = self._by_kind[kind].get(name)
        if not claims:
            raise UnknownComponentError(kind, name, self.names(kind))
        if len(claims) > 1:
            who = " and ".join(f"plugin '{c.plugin}' ({c.distribution} {c.version})" for c in claims)
            raise ComponentConflictError(
                f"The {kind} name '{name}' is registered twice: by {who}. Disable one, e.g."
                f" ZOO_DISABLE_PLUGINS={claims[-1].plugin}, or uninstall its distribution."
            )
        return claims[0]

    def find(self, name: str) -> list[Component]:
        """Every component called ``name``, whatever its kind (for ``zoo info``)."""
        return [c for kind in KINDS for c in self._by_kind[kind].get(name, [])]

    def create(self, kind: str, name: str, **params):
        return self.get(kind, name).build(**params)


_ZOOS: dict[tuple, Zoo] = {}


def get_zoo(registry_path: str | None = None) -> Zoo:
    """The process-wide Zoo for this registry and environment (plugins are loaded once)."""
    key = (registry_path or os.environ.get("ZOO_REGISTRY"), os.environ.get("ZOO_DISABLE_PLUGINS", ""))
    if key not in _ZOOS:
        _ZOOS[key] = Zoo(load_registry(registry_path))
    return _ZOOS[key]


def reset() -> None:
    """Forget loaded zoos (tests that install or disable plugins call this)."""
    _ZOOS.clear()


def list_components(kind: str | None = None, pattern: str = "*") -> list[Component]:
    return get_zoo().list(kind, pattern)


def create(kind: str, name: str, **params):
    return get_zoo().create(kind, name, **params)
