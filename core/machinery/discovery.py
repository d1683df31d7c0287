"""Finding plugins through entry points, collecting their components, and looking names up.

Each entry point of the ``nlpzoo`` group is loaded on its own inside a try/except: a plugin that
fails to import, fails hook validation or raises inside its hook is recorded with its error and
every other plugin keeps working. Built-in plugins are entry points like any other, so
``ZOO_DISABLE_PLUGINS=bigru,isri`` (or ``disable_plugins`` in registry.toml) turns either off.

Two components of the same kind and name from different plugins are a conflict: both stay listed,
and building that bare name raises an error that names both distributions; ``distribution:name``
(e.g. ``nlp-zoo:bigru``) picks one, and a saved run is always loaded through the distribution
recorded in it.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import pluggy

from ..foundations.errors import ComponentConflictError, RegistryError, UnknownComponentError, ZooError
from ..kinds import all_kinds, kind_names
from . import hookspecs
from .components import Component
from .plugin_api import declared_api
from .registry import Registry, builtin_registry_path, load_registry


ENTRY_POINT_GROUP = "nlpzoo"
BUILTIN_DISTRIBUTION = "nlp-zoo"


def hook_kinds() -> dict[str, str]:
    """hook name -> kind name, e.g. ``register_classifiers`` -> ``classifier``."""
    return {kind.hook: kind.name for kind in all_kinds().values()}


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str
    version: str
    components: list[str] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False
    api: int | None = None      # the plugin API it declares (NLPZOO_PLUGIN_API); None: not declared

    @property
    def status(self) -> str:
        return "disabled" if self.disabled else ("error" if self.error else "ok")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _check_hook_names(module) -> None:
    """pluggy accepts hook implementations it has no spec for; a misspelt hook would then do
    nothing in silence, so the zoo refuses the plugin instead."""
    hooks = hook_kinds()
    for attribute in dir(module):
        if hasattr(getattr(module, attribute), "nlpzoo_impl") and attribute not in hooks:
            raise AttributeError(f"unknown hook '{attribute}'; the hooks are {', '.join(hooks)}")


class Zoo:
    """Every component the installed plugins and the registry offer, by kind and name."""

    def __init__(self, registry: Registry | None = None, disabled: list[str] | None = None):
        self.registry = registry if registry is not None else load_registry()
        env_disabled = [n.strip() for n in os.environ.get("ZOO_DISABLE_PLUGINS", "").split(",") if n.strip()]
        self.disabled = set(disabled or []) | set(env_disabled) | set(self.registry.disable_plugins)
        self.plugins: list[PluginInfo] = []
        self._by_kind: dict[str, dict[str, list[Component]]] = {kind: {} for kind in kind_names()}
        self.manager = pluggy.PluginManager("nlpzoo")
        self.manager.add_hookspecs(hookspecs)
        for kind in all_kinds().values():  # a kind module may declare its own hook
            module = __import__(type(kind).__module__, fromlist=["_"])
            if kind.hook not in dir(hookspecs) and hasattr(module, kind.hook):
                self.manager.add_hookspecs(module)
        self._load_entry_points()
        self._add_presets()

    # -- discovery -------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        seen = set()
        origins = {}   # a distribution's (name, version): each read parses its whole METADATA file, so once per dist
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            if dist is not None and id(dist) not in origins:
                metadata = dist.metadata
                origins[id(dist)] = (metadata["Name"], metadata["Version"])
            info = PluginInfo(ep.name, ep.value, *(origins[id(dist)] if dist is not None else ("?", "?")))
            if (ep.name, info.distribution) in seen:  # the same dist seen twice on sys.path
                continue
            seen.add((ep.name, info.distribution))
            self.plugins.append(info)
            if ep.name in self.disabled:
                info.disabled = True
                continue
            try:
                module = ep.load()
                info.api = declared_api(module)
                _check_hook_names(module)
                self.manager.register(module, name=f"{info.distribution}:{ep.name}")
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # noqa: BLE001 - any plugin failure, sys.exit() included, is isolated
                info.error = _first_line(error)
                continue
            self._call_hooks(module, info)

    def _call_hooks(self, module, info: PluginInfo) -> None:
        for hook_name, kind in hook_kinds().items():
            for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
                if impl.plugin is not module:
                    continue
                try:
                    impl.function(register=lambda c, kind=kind: self._register(c, kind, info))
                except KeyboardInterrupt:
                    raise
                except BaseException as error:  # noqa: BLE001
                    info.error = f"in {hook_name}: {_first_line(error)}"

    def _register(self, component: Component, kind: str, info: PluginInfo) -> None:
        if not isinstance(component, Component):
            raise TypeError(f"register() takes an nlpzoo.Component, got {type(component).__name__}")
        component.check_declaration()  # a wrong default or type is the plugin's error, found now
        component = component.with_origin(kind=kind, plugin=info.name, distribution=info.distribution,
                                          version=info.version)
        self._by_kind[kind].setdefault(component.name, []).append(component)
        info.components.append(f"{kind}:{component.name}")

    def _add_presets(self) -> None:
        """Presets may build on presets declared anywhere in the registry files: resolve them in
        rounds until none is left; what is left then names an unknown base."""
        pending = list(self.registry.presets)
        while pending:
            left = [p for p in pending if not self._add_preset(p)]
            if len(left) == len(pending):
                for preset in left:
                    if preset.source != str(builtin_registry_path()):  # built-in ones over a disabled plugin just go
                        named = list(self._by_kind[preset.kind])
                        raise RegistryError(f"{preset.source}: [{preset.kind}s.{preset.name}]: unknown base"
                                            f" {preset.kind} '{preset.base}'."
                                            f" {UnknownComponentError(preset.kind, preset.base, named).args[0]}")
                break
            pending = left

    def _add_preset(self, preset) -> bool:
        """Add one preset; False when its base is not (yet) known."""
        where = f"{preset.source}: [{preset.kind}s.{preset.name}]"
        bases = self.claims(preset.kind, preset.base)
        if not bases:
            return False
        if preset.source == str(builtin_registry_path()):  # the zoo's own presets build on the zoo's own plugins only
            bases = [c for c in bases if c.distribution == BUILTIN_DISTRIBUTION
                     or c.capabilities.get("base_distribution") == BUILTIN_DISTRIBUTION]
            if not bases:
                return True  # their base is disabled (another plugin's namesake may remain): the preset goes too
        named = self._by_kind[preset.kind]
        if preset.name in named and named[preset.name][0].plugin != "registry":
            raise RegistryError(f"{where}: the name '{preset.name}' is already a {preset.kind} from plugin"
                                f" '{named[preset.name][0].plugin}'; choose another name.")
        presets = []
        for base in bases:  # an ambiguous base gives an ambiguous preset: listed twice, building it is the error
            try:
                values = base.resolve_params(preset.params, where=where)
            except ZooError as error:
                raise RegistryError(str(error)) from None
            overrides = {k: values[k] for k in preset.params}
            capabilities = {**base.capabilities, "base_distribution": base.distribution}
            model = overrides.get("model")
            if names_a_hub_model(model, base.default_params().get("model")):
                capabilities.update(needs_download=True, model=model)
            elif isinstance(model, str) and Path(model).expanduser().exists():  # a folder on this machine
                capabilities.update(needs_download=False, model=model)
            presets.append(base.with_origin(
                name=preset.name, description=preset.description, base=base.base or base.name,
                defaults={**base.defaults, **overrides}, plugin="registry", distribution=preset.source,
                version="", preprocess=preset.preprocess or base.preprocess, capabilities=capabilities))
        named[preset.name] = presets
        return True

    # -- queries ----------------------------------------------------------------------------
    def list(self, kind: str | None = None, pattern: str = "*") -> list[Component]:
        kinds = [kind] if kind else list(self._by_kind)
        found = []
        for k in kinds:
            for name in sorted(self._by_kind[k]):
                if fnmatch.fnmatch(name, pattern):
                    found.extend(self._by_kind[k][name])
        return found

    def names(self, kind: str) -> list[str]:
        return sorted(self._by_kind[kind])

    def claims(self, kind: str, name: str, distribution: str | None = None) -> list[Component]:
        """Every component of ``kind`` called ``name``; ``distribution:name`` or ``distribution``
        narrows to one distribution (presets count as the distribution of their base)."""
        if kind not in self._by_kind:
            raise ZooError(f"Unknown kind '{kind}'. Kinds: {', '.join(self._by_kind)}.")
        if ":" in name and name.split(":", 1)[1] in self._by_kind[kind]:
            distribution, name = name.split(":", 1)
        found = self._by_kind[kind].get(name, [])
        if distribution:
            found = [c for c in found if distribution in (c.distribution, c.capabilities.get("base_distribution"))]
        return found

    def get(self, kind: str, name: str, distribution: str | None = None) -> Component:
        """The one component of ``kind`` called ``name`` (or ``distribution:name``). With a
        ``distribution`` that is not installed, a name only one plugin registers still resolves."""
        claims = self.claims(kind, name, distribution)
        if not claims and distribution:
            claims = self.claims(kind, name)
            claims = claims if len(claims) == 1 else []
        if not claims:
            raise UnknownComponentError(kind, name, self.names(kind))
        if len(claims) > 1:
            who = " and ".join(f"plugin '{c.plugin}' ({c.distribution} {c.version})".replace(" )", ")")
                               for c in claims)
            qualified = ", ".join(f"{c.capabilities.get('base_distribution', c.distribution)}:{name}" for c in claims)
            raise ComponentConflictError(
                f"The {kind} name '{name}' is registered twice: by {who}. Name one as {qualified}, or disable one,"
                f" e.g. ZOO_DISABLE_PLUGINS={claims[-1].plugin}, or uninstall its distribution."
            )
        return claims[0]

    def find(self, name: str) -> list[Component]:
        """Every component called ``name``, whatever its kind (for ``zoo info``)."""
        return [c for kind in self._by_kind for c in self.claims(kind, name)]

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
    """Every component (of ``kind``, whose name matches the shell-style ``pattern``), presets included."""
    return get_zoo().list(kind, pattern)


def create(kind: str, name: str, **params):
    """An untrained component of ``kind`` called ``name``, built with ``params`` (checked first)."""
    return get_zoo().create(kind, name, **params)


def names_a_hub_model(value, default) -> bool:
    """Whether a preset's ``model`` parameter names a Hugging Face hub id (something to download
    once) rather than the component's own default or a folder on this machine."""
    if not isinstance(value, str) or value == default or value.startswith((".", "/", "~")):
        return False
    return re.fullmatch(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?", value) is not None and not Path(value).exists()
