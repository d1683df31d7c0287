"""A study's search space: the components' declared searches, a user's space file over them, and one trial's suggestions."""
from __future__ import annotations

import difflib
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...foundations.errors import ParameterError, ZooError
from ...kinds import TrainableKind
from ...machinery.components import Component, Search


SPACE_FILE_KEYS = ("preprocess", "plugin_spaces", "params")
SEARCH_KEYS = ("low", "high", "log", "step", "choices")

@dataclass
class SearchSpace:
    """What a study searches: parameter spaces, fixed values and candidate preprocessing chains."""

    params: dict[str, Search]
    fixed: dict[str, Any]
    chains: list[str | None]

    def to_dict(self) -> dict:
        return {"params": {name: {k: v for k, v in asdict(search).items() if v is not None}
                           for name, search in sorted(self.params.items())},
                "fixed": dict(sorted(self.fixed.items())), "chains": list(self.chains)}


def read_space_file(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ZooError(f"Space file {path} does not exist. Write one like the example in 'zoo tune --help'.")
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ZooError(f"{path}: invalid TOML: {error}.") from None
    unknown = sorted(set(document) - set(SPACE_FILE_KEYS))
    if unknown:
        raise ZooError(f"{path}: unknown key '{unknown[0]}'. A space file has: {', '.join(SPACE_FILE_KEYS)}"
                       " (parameters go under [params]).")
    return {**document, "_source": str(path)}


def build_space(component: Component, kind: TrainableKind, user: dict | None = None, fixed: dict | None = None,
                chains: list[str] | None = None, zoo=None) -> SearchSpace:
    """The component's declared spaces, with the user's space (a read space file or the same dict)
    and fixed values (``--param``) applied, every entry checked against the parameter."""
    user = dict(user or {})
    where = user.pop("_source", "space")
    use_plugin_spaces = user.get("plugin_spaces", True)
    if not isinstance(use_plugin_spaces, bool):
        raise ZooError(f"{where}: plugin_spaces must be true or false.")
    spaces = {p.name: p.search for p in component.params if p.search is not None} if use_plugin_spaces else {}
    values: dict[str, Any] = {}
    table = user.get("params", {})
    if not isinstance(table, dict):
        raise ZooError(f"{where}: [params] must be a table of parameter = {{low, high}} | {{choices}} | value.")
    for name, entry in table.items():
        param = component.param(name)
        if param is None:
            known = [p.name for p in component.params]
            close = difflib.get_close_matches(name, known, n=1)
            raise ParameterError(f"{where}: unknown parameter '{name}' of {kind.name} '{component.name}'."
                                 + (f" Did you mean '{close[0]}'?" if close else "")
                                 + f" Its parameters are: {', '.join(known) or '(none)'}.")
        if isinstance(entry, dict):
            unknown = sorted(set(entry) - set(SEARCH_KEYS))
            if unknown:
                raise ParameterError(f"{where}: parameter '{name}': unknown key '{unknown[0]}'. Use low/high"
                                     " (+ log = true or step) for a range, or choices = [...].")
            if param.budget:
                raise ParameterError(f"{where}: parameter '{name}' is the training budget: fix it"
                                     f" ({name} = N), do not search it.")
            choices = entry.get("choices")
            search = Search(entry.get("low"), entry.get("high"), bool(entry.get("log", False)), entry.get("step"),
                            tuple(choices) if isinstance(choices, list) else choices)
            if search.choices is not None and not isinstance(search.choices, tuple):
                raise ParameterError(f"{where}: parameter '{name}': choices must be a list.")
            if search.choices is None and (search.low is None or search.high is None):
                raise ParameterError(f"{where}: parameter '{name}': give both low and high, or choices.")
            search.check(param, where)
            spaces[name] = search
        else:
            values[name] = param.convert(entry, where)
            spaces.pop(name, None)
    for name, value in (fixed or {}).items():
        values[name] = component.resolve_params({name: value}, where="--param")[name]
        spaces.pop(name, None)
    component.resolve_params(values, where=where)  # fixed values checked with the rest
    file_chains = user.get("preprocess")
    if file_chains is not None and (not isinstance(file_chains, list) or not file_chains
                                    or not all(isinstance(c, str) for c in file_chains)):
        raise ZooError(f'{where}: preprocess must be a list of chains, e.g. ["normalize,tokenize", "none"].')
    candidates = chains or file_chains or [component.preprocess or kind.default_preprocess or "none"]
    normalized = []
    for chain in candidates:
        chain = ",".join(step.strip() for step in chain.split(",") if step.strip())
        chain = None if chain.lower() in ("", "none") else chain
        if zoo is not None and chain:
            for step in chain.split(","):
                zoo.get("preprocessor", step)  # an unknown step names the known ones
        if chain not in normalized:
            normalized.append(chain)
    if not spaces and len(normalized) < 2:
        raise ZooError(f"Nothing to search: {kind.name} '{component.name}' declares no search space and none was"
                       " given. Give a space file (--space space.toml with [params]) or several --preprocess chains.")
    return SearchSpace(spaces, values, normalized)


def suggest(trial, name: str, search: Search, param) -> Any:
    """The trial's value for one parameter, converted to the parameter's type."""
    if search.choices is not None:
        return param.convert(trial.suggest_categorical(name, list(search.choices)), "trial")
    if param.item_type is int:
        return trial.suggest_int(name, int(search.low), int(search.high), step=int(search.step or 1), log=search.log)
    return trial.suggest_float(name, float(search.low), float(search.high), step=search.step, log=search.log)
