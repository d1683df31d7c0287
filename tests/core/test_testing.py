"""nlpzoo.testing's rules catch what they promise: each broken component below breaks one rule."""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from nlpzoo import Component, Param
from nlpzoo.testing import (ContractError, check_classifier, check_generator, check_preprocessor, check_scraper,
                            tiny_classification_data)


def classifier(factory, params=()) -> Component:
    return Component(name="broken", description="a broken classifier", factory=factory, params=params,
                     kind="classifier", plugin="broken", distribution="zoo-broken", version="0")


class Counting:
    """A bag-of-words scorer: fit, predict_proba, save and load done right (the broken ones below
    change one thing each)."""

    def __init__(self):
        self.weights = {}
        self.n = 0

    def fit(self, train, validation, settings):
        self.n = train.n_classes
        for text, label in zip(train.texts, train.labels):
            for word in text.split():
                self.weights.setdefault(word, [0.0] * self.n)[label] += 1.0
        return {"epochs": [], "interrupted": False}

    def scores(self, text):
        total = np.ones(self.n)
        for word in text.split():
            total += np.array(self.weights.get(word, [0.0] * self.n))
        return total

    def predict_proba(self, texts):
        rows = [self.scores(t) for t in texts]
        return np.array([r / r.sum() for r in rows]).reshape(len(texts), self.n)

    def save(self, directory):
        Path(directory, "weights.json").write_text(json.dumps({"n": self.n, "weights": self.weights}), "utf-8")

    def load(self, directory, device="cpu"):
        state = json.loads(Path(directory, "weights.json").read_text("utf-8"))
        self.n, self.weights = state["n"], state["weights"]


def test_a_correct_classifier_passes_every_rule():
    passed = check_classifier(classifier(Counting))
    assert passed == ["declaration", "fit_returns_history", "predict_proba_shape", "learns", "save_load_roundtrip",
                      "batch_independence", "same_seed_same_model"]  # no epochs: nothing to resume


class LosesStateOnSave(Counting):
    def save(self, directory):
        self.weights = {w: [v + 1.0 for v in values] for w, values in self.weights.items()}  # perturbs
        super().save(directory)
        self.weights = {w: [v - 1.0 for v in values] for w, values in self.weights.items()}
        Path(directory, "weights.json").write_text(json.dumps({"n": self.n, "weights": {}}), "utf-8")


class DependsOnTheBatch(Counting):
    def predict_proba(self, texts):
        rows = [self.scores(t) + len(texts) for t in texts]  # the batch leaks into each row
        return np.array([r / r.sum() for r in rows]).reshape(len(texts), self.n)


class Unseeded(Counting):
    def fit(self, train, validation, settings):
        history = super().fit(train, validation, settings)
        noise = np.random.default_rng()  # ignores settings.seed
        self.weights = {w: [v + noise.random() for v in values] for w, values in self.weights.items()}
        return history


class LearnsNothing(Counting):
    def predict_proba(self, texts):
        return np.full((len(texts), self.n), 1.0 / self.n)


class CountsTheirNgrams(Counting):
    """Reports its character 2-5 grams as train tokens (the plugin that showed 1.6M tok/s)."""

    def fit(self, train, validation, settings):
        history = super().fit(train, validation, settings)
        grams = sum(max(len(t) - n + 1, 0) for t in train.texts for n in range(2, 6))
        return {**history, "train_tokens": grams, "train_seconds": 0.01}


class CountsItsWords(Counting):
    def fit(self, train, validation, settings):
        history = super().fit(train, validation, settings)
        return {**history, "train_tokens": sum(len(t.split()) for t in train.texts), "train_seconds": 0.01}


def test_train_tokens_count_the_input_texts_not_the_features_derived_from_them():
    assert "fit_returns_history" in check_classifier(classifier(CountsItsWords), rules=["fit_returns_history"])
    with pytest.raises(ContractError, match=r"rule 'fit_returns_history' broken.*train_tokens=[\d,]+ is more than"
                                            r" 1 epoch\(s\).*Train tokens/s"):
        check_classifier(classifier(CountsTheirNgrams), rules=["fit_returns_history"])


class Fractional(Counting):
    def fit(self, train, validation, settings):
        return {**super().fit(train, validation, settings), "train_tokens": 12.5}


def test_train_tokens_are_a_whole_number():
    with pytest.raises(ContractError, match="'train_tokens' must be a whole number of tokens, got 12.5"):
        check_classifier(classifier(Fractional), rules=["fit_returns_history"])


def test_train_tokens_per_second_is_none_when_a_component_counts_no_tokens():
    from nlpzoo.kinds.base import train_tokens_per_second

    assert train_tokens_per_second({"train_tokens": 300, "train_seconds": 2.0}) == 150.0
    assert train_tokens_per_second({"train_seconds": 2.0}) is None   # was 0 tok/s, a figure nobody measured
    assert train_tokens_per_second({"train_tokens": 300, "train_seconds": 0.0}) is None


@pytest.mark.parametrize("broken, rule", [(LosesStateOnSave, "save_load_roundtrip"),
                                          (DependsOnTheBatch, "batch_independence"),
                                          (Unseeded, "same_seed_same_model"), (LearnsNothing, "learns")])
def test_each_broken_classifier_breaks_its_rule(broken, rule):
    with pytest.raises(ContractError, match=f"rule '{rule}' broken"):
        check_classifier(classifier(broken))


def test_a_wrong_parameter_declaration_breaks_the_declaration_rule():
    with pytest.raises(ContractError, match="rule 'declaration' broken.*num_filters"):
        check_classifier(classifier(Counting, [Param("num_filters", int, "100")]), rules=["declaration"])


def test_padding_that_leaks_into_a_neural_module_is_caught():
    """A module that averages over every position, padding included: its predictions change with
    the length of the longest text in the batch."""
    import torch
    from torch import nn

    from nlpzoo.neural import NeuralTextClassifier
    from nlpzoo.neural.params import NEURAL_PARAMS

    class MeanOverPadding(nn.Module):
        def __init__(self, vocab_size, n_classes, params):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 8)
            self.head = nn.Linear(8, n_classes)

        def forward(self, ids, lengths):
            return self.head(self.embedding(ids).mean(dim=1))

    component = classifier(lambda **p: NeuralTextClassifier(MeanOverPadding, **p), NEURAL_PARAMS)
    with pytest.raises(ContractError, match="rule 'batch_independence' broken"):
        check_classifier(component, params={"epochs": 2, "min_freq": 1, "lr": 0.05})


class BatchCounter:
    def transform(self, texts):
        return [f"{t} {len(texts)}".strip() for t in texts]


class DoubleSpaces:
    def transform(self, texts):
        return [t.replace(" ", "  ") for t in texts]


@pytest.mark.parametrize("broken, rule", [(BatchCounter, "batch_independence"), (DoubleSpaces, "single_spaces")])
def test_each_broken_preprocessor_breaks_its_rule(broken, rule):
    component = Component(name="broken", description="", factory=broken, kind="preprocessor")
    with pytest.raises(ContractError, match=f"rule '{rule}' broken"):
        check_preprocessor(component)


class Unigram:
    """A character unigram generator (correct)."""

    def __init__(self):
        self.p = {}

    def train(self, train_texts, validation_texts, settings):
        text = "".join(train_texts)
        self.p = {c: (text.count(c) + 1) / (len(text) + 100) for c in set(text)}
        return {"epochs": [], "interrupted": False, "train_tokens": len(text), "train_seconds": 0.1}

    def save(self, directory):
        Path(directory, "p.json").write_text(json.dumps(self.p), "utf-8")

    def load(self, directory, device="cpu"):
        self.p = json.loads(Path(directory, "p.json").read_text("utf-8"))

    def log_likelihood(self, texts):
        import math

        chars = [c for t in texts for c in t]
        return sum(math.log(self.p.get(c, 1e-4)) for c in chars), len(chars)

    def count_tokens(self, text):
        return len(text)

    def generate(self, prompt, max_new_tokens=50, seed=None, num_return_sequences=1, on_text=None, **settings):
        rng = np.random.default_rng(seed)
        chars, weights = list(self.p), np.array(list(self.p.values()))
        texts = ["".join(rng.choice(chars, size=max_new_tokens, p=weights / weights.sum()))
                 for _ in range(num_return_sequences)]
        if on_text and num_return_sequences == 1:
            on_text(texts[0])
        return texts


class ScoresTheTextsJoined(Unigram):
    def log_likelihood(self, texts):
        total, count = super().log_likelihood([" ".join(texts)])
        return total, count - 1 if len(texts) > 3 else count


class CountsBigrams(Unigram):
    def train(self, train_texts, validation_texts, settings):
        history = super().train(train_texts, validation_texts, settings)
        return {**history, "train_tokens": 3 * sum(len(t.encode("utf-8")) for t in train_texts)}


def test_a_correct_generator_passes_and_a_broken_one_fails():
    good = Component(name="unigram", description="", factory=Unigram, kind="generator")
    assert "log_likelihood" in check_generator(good)
    expands = Component(name="bytes", description="", factory=CountsBigrams, kind="generator")
    with pytest.raises(ContractError, match="rule 'train_returns_history' broken.*train_tokens="):
        check_generator(expands, rules=["train_returns_history"])
    broken = Component(name="joined", description="", factory=ScoresTheTextsJoined, kind="generator")
    with pytest.raises(ContractError, match="rule 'log_likelihood' broken"):
        check_generator(broken)


class FollowsEverything:
    """Fetches every link it sees, whatever its host: what allowed_domains exists to stop."""

    def scrape(self, site, output_path, log=print):
        from nlpzoo.data.scraping import ItemSink, extract

        sink = ItemSink(output_path)
        queue, seen = list(site.start_urls), set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                html = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            except OSError:
                continue
            item, _ = extract(html, url, site)
            if item:
                sink.add(item)
            base = re.match(r"https?://[^/]+", url).group(0)
            queue += [href if href.startswith("http") else base + href for href in re.findall(r'href="([^"]+)"', html)]
        sink.close()
        return sink.stats


def test_a_scraper_that_leaves_its_allowed_domains_is_caught():
    component = Component(name="greedy", description="", factory=FollowsEverything, kind="scraper")
    with pytest.raises(ContractError, match="rule 'stays_inside_allowed_domains' broken: fetched 1 page"):
        check_scraper(component)


def test_tiny_data_is_labelled_split_and_disjoint():
    data = tiny_classification_data()
    assert data.class_names == ["low", "medium", "high"]
    assert len(data.train) > len(data.test) > 10 and set(data.train.labels) == {0, 1, 2}
    assert not set(data.train.texts) & set(data.test.texts)


def test_the_kits_fixtures_work_in_a_test_suite(tiny_classification_data, tiny_texts, local_site):
    assert len(tiny_classification_data.train) > 100 and len(tiny_texts) == 200
    page = urllib.request.urlopen(local_site.base_url + "/review/0", timeout=5).read().decode("utf-8")
    assert "review-body" in page and local_site.site_file.is_file() and not local_site.offsite_hits
