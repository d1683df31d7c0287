"""The preprocessor contract check."""
from __future__ import annotations

from .rules import check_declaration, component_named, require, run_rules
from .tiny_data import tiny_texts


def check_preprocessor(name_or_component, params: dict | None = None, zoo=None, rules=None,
                       texts: list[str] | None = None) -> list[str]:
    """Check a preprocessor against :mod:`nlpzoo.kinds.preprocessor`'s contract."""
    component = component_named(name_or_component, "preprocessor", zoo)
    texts = list(texts or tiny_texts(60)) + ["", "   ", "نص", "Latin words 123 ١٢٣", "جمييييل!!! 👍 http://x.example"]
    state: dict = {}

    def output():
        if "out" not in state:
            state["step"] = component.build(**(params or {}))
            state["out"] = state["step"].transform(list(texts))
        return state["out"]

    def same_length():
        out = output()
        require(isinstance(out, list) and len(out) == len(texts), component, "same_length",
                 f"{len(texts)} texts in, {len(out) if isinstance(out, list) else type(out).__name__} out")
        require(all(isinstance(t, str) for t in out), component, "same_length", "every output must be a str")

    def empty_input():
        require(output() is not None and list(state["step"].transform([])) == [], component, "empty_input",
                 "transform([]) must return []")

    def batch_independence():
        out = output()
        fresh = component.build(**(params or {}))
        alone = [fresh.transform([t])[0] for t in texts]
        differing = [t for t, a, b in zip(texts, alone, out) if a != b]
        require(not differing, component, "batch_independence",
                 f"{len(differing)} text(s) come out differently alone than in a batch, e.g. {differing[0]!r}"
                 if differing else "")

    def deterministic():
        again = component.build(**(params or {})).transform(list(texts))
        require(again == output(), component, "deterministic", "two instances give different outputs")

    def single_spaces():
        bad = [t for t in output() if t != " ".join(t.split())]
        require(not bad, component, "single_spaces", f"tokens must be separated by single spaces, e.g. {bad[:1]!r}")

    table = {"declaration": lambda: check_declaration(component), "same_length": same_length,
             "empty_input": empty_input, "batch_independence": batch_independence, "deterministic": deterministic,
             "single_spaces": single_spaces}
    return run_rules(component, table, rules)
