"""The generator contract check."""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

from ..kinds.generator import evaluate_generator
from .rules import check_declaration, check_train_tokens, component_named, quiet_settings, require, run_rules
from .tiny_data import tiny_texts


def check_generator(name_or_component, params: dict | None = None, zoo=None, rules=None,
                    texts: list[str] | None = None) -> list[str]:
    """Check a generator against :mod:`nlpzoo.kinds.generator`'s contract on tiny data."""
    component = component_named(name_or_component, "generator", zoo)
    params = {k: v for k, v in (params or {}).items() if component.param(k)}
    texts = list(texts or tiny_texts(240))
    train, validation, test = texts[:180], texts[180:210], texts[210:]
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}

    def trained():
        if "model" not in state:
            model = component.build(**params)
            state["history"] = model.train(train, validation, quiet_settings(work / "checkpoint"))
            state["model"] = model
        return state["model"]

    def train_returns_history():
        trained()
        history = state["history"]
        for key, kind in (("epochs", list), ("interrupted", bool), ("train_tokens", int), ("train_seconds", float)):
            require(isinstance(history.get(key), kind), component, "train_returns_history",
                     f"the history needs '{key}' ({kind.__name__})")
        check_train_tokens(component, "train_returns_history", history, train)

    def log_likelihood():
        model = trained()
        total, count = model.log_likelihood(test[:6])
        require(isinstance(count, int) and count > 0, component, "log_likelihood", f"token count {count!r}")
        require(math.isfinite(total) and total <= 0, component, "log_likelihood",
                 f"the summed log-probability must be finite and <= 0, got {total}")
        first, second = model.log_likelihood(test[:3]), model.log_likelihood(test[3:6])
        require(first[1] + second[1] == count and math.isclose(first[0] + second[0], total, rel_tol=1e-4),
                 component, "log_likelihood", "texts must be scored as separate documents (the parts do not add up)")
        metrics = evaluate_generator(model, test[:6], seed=13, eval_texts=2)
        require(metrics["test_perplexity"] is not None and metrics["test_perplexity"] >= 1, component,
                 "log_likelihood", f"the core's perplexity is {metrics['test_perplexity']}")

    def count_tokens():
        model = trained()
        n = model.count_tokens(test[0])
        require(isinstance(n, int) and n >= 1, component, "count_tokens", f"count_tokens gave {n!r}")

    def generate_reproducible():
        model = trained()
        a = model.generate("الطعام", max_new_tokens=12, seed=5)
        b = model.generate("الطعام", max_new_tokens=12, seed=5)
        require(isinstance(a, list) and len(a) == 1 and all(isinstance(t, str) for t in a), component,
                 "generate_reproducible", f"generate must return a list of one str, got {a!r}")
        require(a == b, component, "generate_reproducible", "the same seed gave different texts")
        two = model.generate("الطعام", max_new_tokens=8, seed=5, num_return_sequences=2)
        require(len(two) == 2, component, "generate_reproducible", "num_return_sequences=2 must return two texts")
        streamed: list[str] = []
        text = model.generate("الطعام", max_new_tokens=8, seed=6, on_text=streamed.append)[0]
        require("".join(streamed) == text, component, "generate_reproducible", "on_text pieces differ from the text")

    def save_load_roundtrip():
        model = trained()
        (work / "saved").mkdir()
        model.save(work / "saved")
        fresh = component.build(**params)
        fresh.load(work / "saved", device="cpu")
        before, after = model.log_likelihood(test[:4]), fresh.log_likelihood(test[:4])
        require(before[1] == after[1] and math.isclose(before[0], after[0], rel_tol=1e-4, abs_tol=1e-3), component,
                 "save_load_roundtrip", f"log-likelihood {before} before saving, {after} after loading")
        greedy = lambda m: m.generate("الخدمة", max_new_tokens=8, do_sample=False, seed=1)
        require(greedy(model) == greedy(fresh), component, "save_load_roundtrip", "greedy generation changed")

    table = {"declaration": lambda: check_declaration(component), "train_returns_history": train_returns_history,
             "log_likelihood": log_likelihood, "count_tokens": count_tokens,
             "generate_reproducible": generate_reproducible, "save_load_roundtrip": save_load_roundtrip}
    return run_rules(component, table, rules)
