"""Contract checks for plugin authors: run your component through the rules its kind promises.

The zoo's own tests run these same checks over every registered component, built-in and
third-party alike, so a plugin that passes them works like a built-in::

    # tests/test_my_plugin.py
    from nlpzoo.testing import check_classifier

    def test_text_cnn_follows_the_classifier_contract():
        check_classifier("text-cnn", params={"epochs": 3, "embedding_dim": 16})

``check_regressor`` does the same for score regressors. Each ``check_*`` runs named rules and raises :class:`ContractError` naming the first one that
breaks (``text-cnn: rule 'save_load_roundtrip' broken: ...``); it returns the names of the rules
that held. ``rules=[...]`` runs a subset. ``CLASSIFIER_RULES`` etc. list the names, for
``pytest.mark.parametrize``.

Fixtures for pytest (``pytest_plugins = ["nlpzoo.testing"]`` in your conftest.py, or import them):
``tiny_classification_data`` (train/validation/test LabeledTexts from the built-in demo set),
``tiny_texts`` (a list of short Arabic reviews) and ``local_site`` (a test site on 127.0.0.1 and
its site file).
"""
from __future__ import annotations

import http.server
import json
import math
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .machinery.components import Component
from .kinds import FitSettings
from .kinds.base import most_train_tokens
from .kinds.classifier import LabeledTexts

# The kit's public names (part of the plugin surface, docs/plugins.md); the pytest fixtures
# tiny_classification_data, tiny_texts and local_site come with pytest_plugins = ["nlpzoo.testing"].
__all__ = ["CLASSIFIER_RULES", "GENERATOR_RULES", "PREPROCESSOR_RULES", "REGRESSOR_RULES", "SCRAPER_RULES", "ContractError",
           "LocalSite", "TinyData", "TinyScores", "check_classifier", "check_generator", "check_preprocessor",
           "check_regressor", "check_scraper", "start_local_site", "tiny_classification_data", "tiny_regression_data",
           "tiny_texts"]

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


class _Interrupted(Exception):
    """Raised from ``on_epoch`` to stop a run part-way, as Ctrl-C or a crash would."""


# -- data --------------------------------------------------------------------------------------------
@dataclass
class TinyData:
    train: LabeledTexts
    validation: LabeledTexts
    test: LabeledTexts
    class_names: list[str]


def tiny_classification_data(seed: int = 13, rows: int = 240) -> TinyData:
    """Train/validation/test parts of the built-in demo set (three classes, whitespace tokens)."""
    from .data.tables import load_dataset
    from .data.discretize import Discretizer
    from .machinery.registry import DatasetEntry
    from .data.split import stratified_split

    path = DatasetEntry(name="demo", source="", path="package:data/demo_reviews.csv").local_path()
    dataset = load_dataset(path, "text", "score")
    texts, scores, file_rows = dataset.texts[:rows], dataset.scores[:rows], dataset.rows[:rows]
    discretizer = Discretizer.parse("bins:0,4,7,10")
    discretizer.fit(scores, str(path), file_rows)
    labels = discretizer.labels(scores, file_rows, str(path))
    split = stratified_split(labels, seed, 0.2, 0.15, discretizer.class_names, str(path))
    n = len(discretizer.class_names)
    part = lambda idx: LabeledTexts([" ".join(texts[i].split()) for i in idx], [labels[i] for i in idx], n)
    return TinyData(part(split.train), part(split.validation), part(split.test), discretizer.class_names)


def tiny_texts(count: int = 200) -> list[str]:
    """Short Arabic reviews (the demo set's texts)."""
    data = tiny_classification_data()
    return (data.train.texts + data.validation.texts + data.test.texts)[:count]


# -- running rules --------------------------------------------------------------------------------------
def _component(name_or_component, kind: str, zoo) -> Component:
    if isinstance(name_or_component, Component):
        return name_or_component
    from .machinery.discovery import get_zoo

    return (zoo or get_zoo()).get(kind, name_or_component)


def _run_rules(component: Component, table: dict[str, Callable], rules) -> list[str]:
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


def _require(condition: bool, component: Component, rule: str, message: str) -> None:
    if not condition:
        raise ContractError(f"{component.name}: rule '{rule}' broken: {message}")


def _check_train_tokens(component: Component, rule: str, history: dict, texts: list[str]) -> None:
    """``train_tokens``, where reported, counts the input texts' tokens as the model's encoder does
    (see :func:`nlpzoo.kinds.base.train_tokens_per_second`), so it cannot exceed what the texts hold."""
    tokens = history.get("train_tokens")
    if tokens is None:
        return
    _require(isinstance(tokens, int) and not isinstance(tokens, bool) and tokens >= 0, component, rule,
             f"'train_tokens' must be a whole number of tokens, got {tokens!r}")
    passes = len(history.get("epochs") or [])
    most = most_train_tokens(texts, passes)
    _require(tokens <= most, component, rule,
             f"train_tokens={tokens:,} is more than {max(1, passes)} epoch(s) over the training texts hold ({most:,}:"
             " one token per byte of text and two special tokens per text at most). Count the tokens of the input"
             " texts as the model's encoder makes them, once per epoch, not the features derived from them"
             " (docs/plugins.md, 'Train tokens/s')")


def _check_declaration(component: Component) -> None:
    """The declaration, the factory's import and its object's methods against the kind's contract."""
    from .machinery.plugin_api import check_component

    problems = check_component(component)
    if problems:
        raise ContractError(problems[0])


def _quiet(directory=None, **extra) -> FitSettings:
    return FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None, checkpoint_dir=directory, **extra)


# -- classifiers and regressors -----------------------------------------------------------------------
@dataclass
class TinyScores:
    train: "ScoredTexts"
    validation: "ScoredTexts"
    test: "ScoredTexts"


def tiny_regression_data() -> TinyScores:
    """The demo set's texts with their 0-10 scores, split as :func:`tiny_classification_data` is."""
    from .kinds.regressor import ScoredTexts

    data = tiny_classification_data()
    from .data.tables import load_dataset
    from .machinery.registry import DatasetEntry

    path = DatasetEntry(name="demo", source="", path="package:data/demo_reviews.csv").local_path()
    dataset = load_dataset(path, "text", "score")
    score_of = {" ".join(t.split()): float(s) for t, s in zip(dataset.texts, dataset.scores)}
    part = lambda texts: ScoredTexts(texts, [score_of[t] for t in texts])
    return TinyScores(part(data.train.texts), part(data.validation.texts), part(data.test.texts))


def check_classifier(name_or_component, params: dict | None = None, zoo=None, rules=None,
                     data: TinyData | None = None) -> list[str]:
    """Check a classifier against :mod:`nlpzoo.kinds.classifier`'s contract on tiny data.
    ``params`` should make training quick but able to learn (a few epochs, small sizes)."""
    component = _component(name_or_component, "classifier", zoo)
    data = data or tiny_classification_data()
    k = len(data.class_names)

    def outputs(model, texts):
        return np.asarray(model.predict_proba(texts), dtype=np.float64)

    def shape(component, probabilities, model):
        _require(probabilities.shape == (len(data.test.texts), k), component, "predict_proba_shape",
                 f"shape {probabilities.shape}, expected ({len(data.test.texts)}, {k})")
        _require(bool(np.isfinite(probabilities).all()), component, "predict_proba_shape", "NaN or infinite values")
        _require(bool(np.allclose(probabilities.sum(1), 1, atol=1e-4)), component, "predict_proba_shape",
                 "rows do not sum to 1")
        empty = np.asarray(model.predict_proba([]))
        _require(empty.shape in ((0, k), (0,)), component, "predict_proba_shape", f"empty input gave shape {empty.shape}")

    def learns(component, model):
        predicted = outputs(model, data.train.texts).argmax(1)
        accuracy = float((predicted == np.array(data.train.labels)).mean())
        majority = max(np.bincount(data.train.labels)) / len(data.train)
        _require(accuracy > majority, component, "learns", f"training accuracy {accuracy:.2f} is no better than always"
                 f" predicting the largest class ({majority:.2f}); give params that let it learn")

    return _check_supervised(component, params, rules, data, outputs, ("predict_proba_shape", shape), learns)


def check_regressor(name_or_component, params: dict | None = None, zoo=None, rules=None,
                    data: TinyScores | None = None) -> list[str]:
    """Check a regressor against :mod:`nlpzoo.kinds.regressor`'s contract on tiny data (the demo
    set's 0-10 scores)."""
    component = _component(name_or_component, "regressor", zoo)
    data = data or tiny_regression_data()

    def outputs(model, texts):
        return np.asarray(model.predict(texts), dtype=np.float64)

    def shape(component, predictions, model):
        _require(predictions.shape == (len(data.test.texts),), component, "predict_shape",
                 f"shape {predictions.shape}, expected ({len(data.test.texts)},)")
        _require(bool(np.isfinite(predictions).all()), component, "predict_shape", "NaN or infinite values")
        _require(np.asarray(model.predict([])).shape == (0,), component, "predict_shape", "predict([]) must be empty")

    def learns(component, model):
        from scipy.stats import spearmanr

        predicted = outputs(model, data.train.texts)
        rho = spearmanr(predicted, data.train.scores).statistic if len(set(predicted.tolist())) > 1 else 0.0
        _require(rho > 0.3, component, "learns", f"Spearman correlation with the training scores is {rho:.2f};"
                 " give params that let it learn")

    return _check_supervised(component, params, rules, data, outputs, ("predict_shape", shape), learns)


def _check_supervised(component: Component, params: dict | None, rules, data, outputs, shape_rule, learns) -> list[str]:
    """The rules classifiers and regressors share; ``outputs(model, texts)`` is their prediction."""

    params = {k: v for k, v in (params or {}).items() if component.param(k)}
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}
    texts = data.test.texts

    def trained():
        if "model" not in state:
            model = component.build(**params)
            state["history"] = model.fit(data.train, data.validation, _quiet(work / "first"))
            state["model"], state["outputs"] = model, outputs(model, texts)
        return state["model"]

    def fit_returns_history():
        trained()
        history = state["history"]
        _require(isinstance(history, dict), component, "fit_returns_history", f"fit returned {type(history).__name__}")
        _require(isinstance(history.get("epochs"), list) and isinstance(history.get("interrupted"), bool), component,
                 "fit_returns_history", "the history needs 'epochs' (a list) and 'interrupted' (a bool)")
        for record in history["epochs"]:
            _require("epoch" in record, component, "fit_returns_history", "each epoch record needs 'epoch'")
        _check_train_tokens(component, "fit_returns_history", history, data.train.texts)

    def save_load_roundtrip():
        (work / "saved").mkdir()
        trained().save(work / "saved")
        fresh = component.build(**params)
        fresh.load(work / "saved", device="cpu")
        again = outputs(fresh, texts)
        _require(again.shape == state["outputs"].shape and np.allclose(again, state["outputs"], atol=1e-5), component,
                 "save_load_roundtrip", "a fresh object loaded from the saved files predicts differently (max"
                 f" difference {np.abs(again - state['outputs']).max() if again.shape == state['outputs'].shape else '-'})")

    def batch_independence():
        model = trained()
        alone = np.concatenate([outputs(model, [t]) for t in texts[:12]])
        reordered = outputs(model, list(reversed(texts)))[::-1]
        _require(np.allclose(alone.reshape(state["outputs"][:12].shape), state["outputs"][:12], atol=1e-5), component,
                 "batch_independence", "a text's prediction changes with the other texts in its batch (padding leaks in?)")
        _require(np.allclose(reordered, state["outputs"], atol=1e-5), component, "batch_independence",
                 "a text's prediction changes with the order of the batch")

    def same_seed_same_model():
        trained()
        second = component.build(**params)
        second.fit(data.train, data.validation, _quiet(work / "second"))
        _require(np.allclose(outputs(second, texts), state["outputs"], atol=1e-6), component, "same_seed_same_model",
                 "two models trained with the same seed predict differently")

    def resume_equals_uninterrupted():
        if component.param("epochs") is None:
            return False  # no epochs, nothing to resume
        total = max(2, int(params.get("epochs", 2)))

        def stop_before_the_last_epoch(record):  # an interruption: the same run, stopped after epoch total - 1
            if record.get("epoch") == total - 1:
                raise _Interrupted

        short = component.build(**{**params, "epochs": total})
        try:
            short.fit(data.train, data.validation, _quiet(work / "resumed", on_epoch=stop_before_the_last_epoch))
        except _Interrupted:
            pass
        if not any((work / "resumed").glob("*")):
            return False  # keeps no checkpoint: resuming does not apply
        resumed = component.build(**{**params, "epochs": total})
        resumed.fit(data.train, data.validation, _quiet(work / "resumed", resume=True))
        straight = component.build(**{**params, "epochs": total})
        straight.fit(data.train, data.validation, _quiet(work / "straight"))
        _require(np.allclose(outputs(resumed, texts), outputs(straight, texts), atol=1e-5), component,
                 "resume_equals_uninterrupted", f"stopping a {total}-epoch run after epoch {total - 1}, then"
                 f" resuming it, predicts differently from {total} epochs in one go")

    shape_name, shape_check = shape_rule
    table = {"declaration": lambda: _check_declaration(component), "fit_returns_history": fit_returns_history,
             shape_name: lambda: shape_check(component, (trained(), state["outputs"])[1], state["model"]),
             "learns": lambda: learns(component, trained()), "save_load_roundtrip": save_load_roundtrip,
             "batch_independence": batch_independence, "same_seed_same_model": same_seed_same_model,
             "resume_equals_uninterrupted": resume_equals_uninterrupted}
    return _run_rules(component, table, rules)


# -- preprocessors ------------------------------------------------------------------------------------
def check_preprocessor(name_or_component, params: dict | None = None, zoo=None, rules=None,
                       texts: list[str] | None = None) -> list[str]:
    """Check a preprocessor against :mod:`nlpzoo.kinds.preprocessor`'s contract."""
    component = _component(name_or_component, "preprocessor", zoo)
    texts = list(texts or tiny_texts(60)) + ["", "   ", "نص", "Latin words 123 ١٢٣", "جمييييل!!! 👍 http://x.example"]
    state: dict = {}

    def output():
        if "out" not in state:
            state["step"] = component.build(**(params or {}))
            state["out"] = state["step"].transform(list(texts))
        return state["out"]

    def same_length():
        out = output()
        _require(isinstance(out, list) and len(out) == len(texts), component, "same_length",
                 f"{len(texts)} texts in, {len(out) if isinstance(out, list) else type(out).__name__} out")
        _require(all(isinstance(t, str) for t in out), component, "same_length", "every output must be a str")

    def empty_input():
        _require(output() is not None and list(state["step"].transform([])) == [], component, "empty_input",
                 "transform([]) must return []")

    def batch_independence():
        out = output()
        fresh = component.build(**(params or {}))
        alone = [fresh.transform([t])[0] for t in texts]
        differing = [t for t, a, b in zip(texts, alone, out) if a != b]
        _require(not differing, component, "batch_independence",
                 f"{len(differing)} text(s) come out differently alone than in a batch, e.g. {differing[0]!r}"
                 if differing else "")

    def deterministic():
        again = component.build(**(params or {})).transform(list(texts))
        _require(again == output(), component, "deterministic", "two instances give different outputs")

    def single_spaces():
        bad = [t for t in output() if t != " ".join(t.split())]
        _require(not bad, component, "single_spaces", f"tokens must be separated by single spaces, e.g. {bad[:1]!r}")

    table = {"declaration": lambda: _check_declaration(component), "same_length": same_length,
             "empty_input": empty_input, "batch_independence": batch_independence, "deterministic": deterministic,
             "single_spaces": single_spaces}
    return _run_rules(component, table, rules)


# -- generators -----------------------------------------------------------------------------------------
def check_generator(name_or_component, params: dict | None = None, zoo=None, rules=None,
                    texts: list[str] | None = None) -> list[str]:
    """Check a generator against :mod:`nlpzoo.kinds.generator`'s contract on tiny data."""
    from .kinds.generator import evaluate_generator

    component = _component(name_or_component, "generator", zoo)
    params = {k: v for k, v in (params or {}).items() if component.param(k)}
    texts = list(texts or tiny_texts(240))
    train, validation, test = texts[:180], texts[180:210], texts[210:]
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}

    def trained():
        if "model" not in state:
            model = component.build(**params)
            state["history"] = model.train(train, validation, _quiet(work / "checkpoint"))
            state["model"] = model
        return state["model"]

    def train_returns_history():
        trained()
        history = state["history"]
        for key, kind in (("epochs", list), ("interrupted", bool), ("train_tokens", int), ("train_seconds", float)):
            _require(isinstance(history.get(key), kind), component, "train_returns_history",
                     f"the history needs '{key}' ({kind.__name__})")
        _check_train_tokens(component, "train_returns_history", history, train)

    def log_likelihood():
        model = trained()
        total, count = model.log_likelihood(test[:6])
        _require(isinstance(count, int) and count > 0, component, "log_likelihood", f"token count {count!r}")
        _require(math.isfinite(total) and total <= 0, component, "log_likelihood",
                 f"the summed log-probability must be finite and <= 0, got {total}")
        first, second = model.log_likelihood(test[:3]), model.log_likelihood(test[3:6])
        _require(first[1] + second[1] == count and math.isclose(first[0] + second[0], total, rel_tol=1e-4),
                 component, "log_likelihood", "texts must be scored as separate documents (the parts do not add up)")
        metrics = evaluate_generator(model, test[:6], seed=13, eval_texts=2)
        _require(metrics["test_perplexity"] is not None and metrics["test_perplexity"] >= 1, component,
                 "log_likelihood", f"the core's perplexity is {metrics['test_perplexity']}")

    def count_tokens():
        model = trained()
        n = model.count_tokens(test[0])
        _require(isinstance(n, int) and n >= 1, component, "count_tokens", f"count_tokens gave {n!r}")

    def generate_reproducible():
        model = trained()
        a = model.generate("الطعام", max_new_tokens=12, seed=5)
        b = model.generate("الطعام", max_new_tokens=12, seed=5)
        _require(isinstance(a, list) and len(a) == 1 and all(isinstance(t, str) for t in a), component,
                 "generate_reproducible", f"generate must return a list of one str, got {a!r}")
        _require(a == b, component, "generate_reproducible", "the same seed gave different texts")
        two = model.generate("الطعام", max_new_tokens=8, seed=5, num_return_sequences=2)
        _require(len(two) == 2, component, "generate_reproducible", "num_return_sequences=2 must return two texts")
        streamed: list[str] = []
        text = model.generate("الطعام", max_new_tokens=8, seed=6, on_text=streamed.append)[0]
        _require("".join(streamed) == text, component, "generate_reproducible", "on_text pieces differ from the text")

    def save_load_roundtrip():
        model = trained()
        (work / "saved").mkdir()
        model.save(work / "saved")
        fresh = component.build(**params)
        fresh.load(work / "saved", device="cpu")
        before, after = model.log_likelihood(test[:4]), fresh.log_likelihood(test[:4])
        _require(before[1] == after[1] and math.isclose(before[0], after[0], rel_tol=1e-4, abs_tol=1e-3), component,
                 "save_load_roundtrip", f"log-likelihood {before} before saving, {after} after loading")
        greedy = lambda m: m.generate("الخدمة", max_new_tokens=8, do_sample=False, seed=1)
        _require(greedy(model) == greedy(fresh), component, "save_load_roundtrip", "greedy generation changed")

    table = {"declaration": lambda: _check_declaration(component), "train_returns_history": train_returns_history,
             "log_likelihood": log_likelihood, "count_tokens": count_tokens,
             "generate_reproducible": generate_reproducible, "save_load_roundtrip": save_load_roundtrip}
    return _run_rules(component, table, rules)


# -- scrapers -------------------------------------------------------------------------------------------
REVIEWS = ["زرت هذا المطعم والطعام لذيذ جدا والخدمة ممتازة", "الطعام بارد والأسعار غالية ولن أعود مرة أخرى",
           "تجربة متوسطة والطعام مقبول لكن المكان مزدحم"]


class _Site(http.server.BaseHTTPRequestHandler):
    hits: dict = {}
    offsite = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
            kind = "text/plain"
        elif self.path in ("/", "/index.html"):
            links = "".join(f'<a href="/review/{i}">{i}</a> ' for i in range(len(REVIEWS)))
            body = f'<html><body>{links}<a href="{self.offsite}/review/9">elsewhere</a></body></html>'.encode()
            kind = "text/html; charset=utf-8"
        elif self.path.startswith("/review/") and self.path[8:].isdigit() and int(self.path[8:]) < len(REVIEWS):
            n = int(self.path[8:])
            body = (f'<html><body><h1>مراجعة {n}</h1><div class="review-body"><p>{REVIEWS[n]}</p></div>'
                    f'<span class="stars">{n + 2} من 5</span></body></html>').encode()
            kind = "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@dataclass
class LocalSite:
    """A three-review site on 127.0.0.1 that links to an off-domain host (``localhost`` on another
    port) whose hits are counted: a scraper must never fetch from it."""

    base_url: str
    site_file: Path
    offsite_hits: dict
    servers: list

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def start_local_site(directory: str | Path) -> LocalSite:
    def serve(handler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    offsite = serve(type("Offsite", (_Site,), {"hits": {}}))
    site_handler = type("Site", (_Site,), {"hits": {}, "offsite": f"http://localhost:{offsite.server_address[1]}"})
    site = serve(site_handler)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    path = Path(directory) / "site.toml"
    path.write_text("\n".join([
        f'start_urls = ["{base}/index.html"]', 'allowed_domains = ["127.0.0.1"]', "max_depth = 2",
        'follow = ["/review/"]', 'text = "div.review-body"', 'title = "h1"', "min_length = 10", "",
        "[score]", 'selector = ".stars"', "range = [0, 5]", "", "[politeness]", "timeout = 5.0"]) + "\n", "utf-8")
    return LocalSite(base, path, offsite.RequestHandlerClass.hits, [site, offsite])


def check_scraper(name_or_component, params: dict | None = None, zoo=None, rules=None) -> list[str]:
    """Check a scraper against :mod:`nlpzoo.kinds.scraper`'s contract on a local test site."""
    from .data.scraping import load_site

    component = _component(name_or_component, "scraper", zoo)
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}

    def scraped():
        if "items" not in state:
            site = start_local_site(work)
            try:
                state["stats"] = component.build(**(params or {})).scrape(load_site(site.site_file), work / "out.jsonl",
                                                                          log=lambda m: None)
            finally:
                site.close()
            state["site"] = site
            with open(work / "out.jsonl", encoding="utf-8") as handle:
                state["items"] = [json.loads(line) for line in handle if line.strip()]
        return state["items"]

    def scrapes_items():
        items = scraped()
        _require(sorted(i.get("text") for i in items) == sorted(REVIEWS), component, "scrapes_items",
                 f"expected the {len(REVIEWS)} review texts, got {len(items)} item(s)")
        _require(all(i.get("url") and i.get("text") for i in items), component, "scrapes_items",
                 "every item needs 'url' and 'text'")

    def stays_inside_allowed_domains():
        items = scraped()
        site = state["site"]
        _require(all(i["url"].startswith(site.base_url) for i in items), component, "stays_inside_allowed_domains",
                 "an item comes from outside allowed_domains")
        _require(not site.offsite_hits, component, "stays_inside_allowed_domains",
                 f"fetched {sum(site.offsite_hits.values())} page(s) from an off-domain host")

    def returns_stats():
        scraped()
        stats = state["stats"]
        for key in ("pages_fetched", "items_kept", "errors"):
            _require(isinstance(stats, dict) and key in stats, component, "returns_stats", f"stats need '{key}'")
        _require(stats["items_kept"] == len(REVIEWS), component, "returns_stats",
                 f"items_kept {stats['items_kept']}, but {len(REVIEWS)} items were written")

    table = {"declaration": lambda: _check_declaration(component), "scrapes_items": scrapes_items,
             "stays_inside_allowed_domains": stays_inside_allowed_domains, "returns_stats": returns_stats}
    return _run_rules(component, table, rules)


# -- pytest fixtures ----------------------------------------------------------------------------------
try:
    import pytest
except ImportError:  # pragma: no cover - the checks work without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture(name="tiny_classification_data", scope="session")
    def _tiny_classification_data_fixture() -> TinyData:
        """Train/validation/test LabeledTexts from the built-in demo set."""
        return tiny_classification_data()

    @pytest.fixture(name="tiny_texts", scope="session")
    def _tiny_texts_fixture() -> list[str]:
        """Short Arabic reviews."""
        return tiny_texts()

    @pytest.fixture(name="local_site")
    def _local_site_fixture(tmp_path):
        """A local test site (see :class:`LocalSite`), shut down after the test."""
        site = start_local_site(tmp_path)
        yield site
        site.close()
