"""The rules' names per kind, the error a broken rule raises, and how a check runs its rules."""
from __future__ import annotations

from typing import Callable

from ..kinds import FitSettings
from ..kinds.base import most_train_tokens
from ..machinery.components import Component
from ..machinery.discovery import get_zoo
from ..machinery.plugin_api import check_component


CLASSIFIER_RULES = ("declaration", "fit_returns_history", "predict_proba_shape", "learns", "save_load_roundtrip",
                    "batch_independence", "same_seed_same_model", "resume_equals_uninterrupted")
REGRESSOR_RULES = ("declaration", "fit_returns_history", "predict_shape", "learns", "save_load_roundtrip",
                   "batch_independence", "same_seed_same_model", "resume_equals_uninterrupted")
PREPROCESSOR_RULES = ("declaration", "same_length", "empty_input", "batch_independence", "deterministic",
                      "single_spaces")
GENERATOR_RULES = ("declaration", "train_returns_history", "log_likelihood", "count_tokens",
                   "generate_reproducible", "save_load_roundtrip")
SCRAPER_RULES = ("declaration", "scrapes_items", "stays_inside_allowed_domains", "returns_stats")


class ContractError(AssertionError):
    """A component broke a rule of its kind's contract."""


class Interrupted(Exception):
    """Raised from ``on_epoch`` to stop a run part-way, as Ctrl-C or a crash would."""


def component_named(name_or_component, kind: str, zoo) -> Component:
    if isinstance(name_or_component, Component):
        return name_or_component

    return (zoo or get_zoo()).get(kind, name_or_component)


def run_rules(component: Component, table: dict[str, Callable], rules) -> list[str]:
    passed = []
    for name, rule in table.items():
        if rules is not None and name not in rules:
            continue
        try:
            applies = rule()
        except ContractError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure breaks the rule
            raise ContractError(f"{component.name}: rule '{name}' broken: {type(error).__name__}: {error}") from error
        if applies is not False:
            passed.append(name)
    return passed


def require(condition: bool, component: Component, rule: str, message: str) -> None:
    if not condition:
        raise ContractError(f"{component.name}: rule '{rule}' broken: {message}")


def check_train_tokens(component: Component, rule: str, history: dict, texts: list[str]) -> None:
    """``train_tokens``, where reported, counts the input texts' tokens as the model's encoder does
    (see :func:`nlpzoo.kinds.base.train_tokens_per_second`), so it cannot exceed what the texts hold."""
    tokens = history.get("train_tokens")
    if tokens is None:
        return
    require(isinstance(tokens, int) and not isinstance(tokens, bool) and tokens >= 0, component, rule,
             f"'train_tokens' must be a whole number of tokens, got {tokens!r}")
    passes = len(history.get("epochs") or [])
    most = most_train_tokens(texts, passes)
    require(tokens <= most, component, rule,
             f"train_tokens={tokens:,} is more than {max(1, passes)} epoch(s) over the training texts hold ({most:,}:"
             " one token per byte of text and two special tokens per text at most). Count the tokens of the input"
             " texts as the model's encoder makes them, once per epoch, not the features derived from them"
             " (docs/plugins.md, 'Train tokens/s')")


def check_declaration(component: Component) -> None:
    """The declaration, the factory's import and its object's methods against the kind's contract."""
    problems = check_component(component)
    if problems:
        raise ContractError(problems[0])


def quiet_settings(directory=None, **extra) -> FitSettings:
    return FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None, checkpoint_dir=directory, **extra)
