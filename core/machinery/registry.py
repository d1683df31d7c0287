"""registry.toml: named presets over components and named datasets.

The built-in registry ships inside the package; a user registry (``--registry PATH`` or the
``ZOO_REGISTRY`` variable) is merged over it, table by table, so a user can add presets and
datasets or replace built-in ones by name.

    [zoo]
    disable_plugins = ["stanza-lemma"]     # same effect as ZOO_DISABLE_PLUGINS

    [classifiers.bigru-small]              # a preset: a new name over an existing component
    base = "bigru"
    description = "BiGRU with a small hidden state"
    preprocess = "normalize,tokenize,isri" # optional: the chain this preset trains with
    hidden_size = 64                       # any other key overrides one of the base's parameters

    [datasets.restaurants]
    path = "../shared/data/restaurant_reviews_qaym.csv"   # relative to this file; or "package:..."
                                                          # or url = "https://..." with sha256
    sha256 = "..."
    format = "csv"
    text_col = "text"
    score_col = "polarity"
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..foundations.errors import RegistryError


DATASET_KEYS = {"path", "url", "sha256", "format", "text_col", "score_col", "discretize",
                "description", "license", "score_range"}
FORMATS = ("csv", "tsv", "jsonl")


@dataclass
class Preset:
    kind: str
    name: str
    base: str
    description: str
    params: dict
    source: str  # the file that declared it
    preprocess: str | None = None


@dataclass
class DatasetEntry:
    name: str
    source: str
    path: str | None = None
    url: str | None = None
    sha256: str | None = None
    format: str | None = None
    text_col: str | None = None
    score_col: str | None = None
    discretize: str | None = None
    description: str = ""
    license: str = ""
    score_range: list | None = None

    def local_path(self) -> Path | None:
        """The path a local entry points to: relative to the registry file, else to the cwd."""
        if not self.path:
            return None
        if self.path.startswith("package:"):  # data shipped inside the nlpzoo package
            return Path(str(resources.files("nlpzoo").joinpath(self.path[len("package:"):])))
        path = Path(os.path.expanduser(self.path))
        if path.is_absolute():
            return path
        beside_registry = Path(self.source).resolve().parent / path
        return beside_registry if beside_registry.exists() or not path.exists() else path.resolve()


@dataclass
class Registry:
    presets: list[Preset] = field(default_factory=list)
    datasets: dict[str, DatasetEntry] = field(default_factory=dict)
    disable_plugins: list[str] = field(default_factory=list)


def preset_tables() -> dict[str, str]:
    """``[classifiers.NAME]`` -> classifier, ...: one table of presets per kind."""
    from ..kinds import all_kinds

    return {kind.plural: kind.name for kind in all_kinds().values()}


def builtin_registry_path() -> Path:
    return Path(str(resources.files("nlpzoo").joinpath("registry.toml"))).resolve()


def user_registry_path(explicit: str | os.PathLike | None = None) -> Path | None:
    chosen = explicit or os.environ.get("ZOO_REGISTRY")
    return Path(chosen) if chosen else None


def load_registry(user_path: str | os.PathLike | None = None) -> Registry:
    """The built-in registry with the user's (argument or ZOO_REGISTRY) merged over it."""
    registry = Registry()
    paths = [builtin_registry_path()]
    user = user_registry_path(user_path)
    if user is not None:
        if not user.is_file():
            raise RegistryError(f"Registry file {user} does not exist. Check --registry or ZOO_REGISTRY.")
        paths.append(user)
    for path in paths:
        _merge(registry, path, _read_toml(path))
    return registry


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{path}: invalid TOML: {error}. Fix the file or point --registry elsewhere.") from None


def _merge(registry: Registry, path: Path, document: dict) -> None:
    for table, body in document.items():
        where = f"{path}: [{table}]"
        if not isinstance(body, dict):
            raise RegistryError(f"{where} must be a table.")
        if table == "zoo":
            _merge_settings(registry, path, body)
        elif table in preset_tables():
            for name, preset in body.items():
                _merge_preset(registry, path, preset_tables()[table], table, name, preset)
        elif table == "datasets":
            for name, entry in body.items():
                registry.datasets[name] = _dataset(path, name, entry)
        else:
            known = ", ".join(["zoo", "datasets", *preset_tables()])
            raise RegistryError(f"{path}: unknown table [{table}]. Known tables: {known}.")


def _merge_settings(registry: Registry, path: Path, body: dict) -> None:
    for key, value in body.items():
        if key != "disable_plugins":
            raise RegistryError(f"{path}: [zoo] unknown key '{key}'. Known keys: disable_plugins.")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RegistryError(f"{path}: [zoo] key 'disable_plugins' must be a list of plugin names.")
        registry.disable_plugins.extend(value)


def _merge_preset(registry: Registry, path: Path, kind: str, table: str, name: str, body) -> None:
    where = f"{path}: [{table}.{name}]"
    if not isinstance(body, dict):
        raise RegistryError(f"{where} must be a table with at least a 'base' key.")
    base = body.get("base")
    if not isinstance(base, str) or not base:
        raise RegistryError(f"{where}: key 'base' is missing or not a string; name the {kind} it builds on.")
    description = body.get("description", f"Preset over {base}.")
    if not isinstance(description, str):
        raise RegistryError(f"{where}: key 'description' must be a string.")
    preprocess = body.get("preprocess")
    if preprocess is not None and not isinstance(preprocess, str):
        raise RegistryError(f"{where}: key 'preprocess' must be a string of comma-separated preprocessors, e.g."
                            ' "normalize,tokenize" (or "none").')
    params = {k: v for k, v in body.items() if k not in ("base", "description", "preprocess")}
    registry.presets = [p for p in registry.presets if not (p.kind == kind and p.name == name)]
    registry.presets.append(Preset(kind, name, base, description, params, str(path), preprocess))


SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _dataset(path: Path, name: str, body) -> DatasetEntry:
    where = f"{path}: [datasets.{name}]"
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        raise RegistryError(f"{path}: dataset name {name!r}: use letters, digits, '.', '_' and '-' (it names a file in"
                            " the download cache), starting with a letter or digit.")
    if not isinstance(body, dict):
        raise RegistryError(f"{where} must be a table.")
    unknown = set(body) - DATASET_KEYS
    if unknown:
        raise RegistryError(f"{where}: unknown key '{sorted(unknown)[0]}'. Known keys: {', '.join(sorted(DATASET_KEYS))}.")
    for key, value in body.items():
        if key == "score_range":
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)):
                raise RegistryError(f"{where}: key 'score_range' must be [low, high].")
        elif not isinstance(value, str):
            raise RegistryError(f"{where}: key '{key}' must be a string, got {type(value).__name__}.")
    if bool(body.get("path")) == bool(body.get("url")):
        raise RegistryError(f"{where}: give exactly one of 'path' or 'url'.")
    if body.get("url") and not body.get("sha256"):
        raise RegistryError(f"{where}: key 'sha256' is required with 'url' so downloads can be checked.")
    if body.get("sha256") is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", body["sha256"]):
        raise RegistryError(f"{where}: key 'sha256' must be 64 hexadecimal digits (sha256sum FILE prints them).")
    if body.get("url") and not body.get("format"):
        raise RegistryError(f"{where}: key 'format' is required with 'url' (csv, tsv or jsonl): the downloaded file"
                            " is named by its declared format, never by the URL.")
    local = body.get("path", "")
    if local and not local.startswith("package:") and Path(local).suffix.lower() not in (".csv", ".tsv", ".jsonl"):
        raise RegistryError(f"{where}: key 'path' must name a .csv, .tsv or .jsonl file, got {local!r}.")
    if body.get("format") and body["format"] not in FORMATS:
        raise RegistryError(f"{where}: key 'format' must be one of {', '.join(FORMATS)}.")
    return DatasetEntry(name=name, source=str(path), **body)
