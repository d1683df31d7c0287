"""``zoo plugin new NAME --kind KIND``: a ready-to-install plugin distribution, like llm's template.

The skeleton is a working component (it passes ``nlpzoo.testing``), a pyproject.toml with its entry
point, a test that runs the kit, and a README; replace the model with your own.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

from . import main

PYPROJECT = '''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "zoo-{name}"
version = "0.1.0"
description = "{description}"
requires-python = ">=3.11"
dependencies = ["nlp-zoo>={zoo_version}"]   # the release whose plugin API this module declares

[project.optional-dependencies]
test = ["pytest"]

# What makes nlp-zoo find the plugin: one entry point in the `nlpzoo` group.
[project.entry-points.nlpzoo]
{name} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]
'''

TEST = '''"""`{name}` against the {kind} contract, with nlp-zoo's own checks (the zoo runs the same on its built-ins)."""
from nlpzoo.testing import check_{kind}


def test_{ident}_follows_the_{kind}_contract():
    check_{kind}("{name}"{params})
'''

README = '''# zoo-{name}

An nlp-zoo {kind} plugin: {description}

    pip install -e '.[test]'
    zoo plugins            # zoo-{name} is listed, status ok
    zoo info {name}
    pytest                 # runs nlpzoo.testing's check_{kind} on it

The contract it follows is in nlp-zoo's docs/kinds/{kind}.md.
'''

CLASSIFIER = '''"""`{name}`: a text classifier for nlp-zoo, built on the zoo's neural toolkit.

The toolkit (nlpzoo.neural) brings tokenisation, batching, the training loop, early stopping,
checkpoints and saving; this module only writes the torch module. Replace it with your own.
It imports only nlp-zoo's declared surface (nlpzoo, nlpzoo.neural, nlpzoo.testing).
"""
from nlpzoo import NEURAL_PARAMS, Component, Param, Search, hookimpl

NLPZOO_PLUGIN_API = {api}   # the plugin API this module is written for


def build(**params):
    import torch
    from torch import nn

    from nlpzoo.neural import NeuralTextClassifier

    class Model(nn.Module):
        """The mean of the word embeddings of each text, then a linear layer."""

        def __init__(self, vocab_size: int, n_classes: int, p: dict):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, p["embedding_dim"], padding_idx=0)
            self.classify = nn.Linear(p["embedding_dim"], n_classes)

        def forward(self, ids, lengths):
            mask = (torch.arange(ids.size(1), device=ids.device)[None, :] < lengths[:, None]).unsqueeze(-1)
            return self.classify((self.embedding(ids) * mask).sum(1) / lengths[:, None])

    return NeuralTextClassifier(Model, **params)


@hookimpl
def register_classifiers(register):
    register(Component(
        name="{name}",
        description="{description}",
        factory=build,
        params=[Param("embedding_dim", int, 64, "Size of the token embeddings.", min=1,
                      search=Search.range(32, 256, step=32)),  # how zoo tune searches it
                *NEURAL_PARAMS],
        capabilities={{"task": "text-classification", "needs_download": False}},
    ))
'''

PREPROCESSOR = '''"""`{name}`: a preprocessing step for nlp-zoo (``--preprocess normalize,{name},...``)."""
from nlpzoo import Component, Param, hookimpl

NLPZOO_PLUGIN_API = {api}   # the plugin API this module is written for


class Step:
    def __init__(self, lowercase: bool = True):
        self.lowercase = lowercase

    def transform(self, texts: list[str]) -> list[str]:
        """One text out per text in; tokens separated by single spaces."""
        return [" ".join((t.lower() if self.lowercase else t).split()) for t in texts]


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="{name}",
        description="{description}",
        factory=Step,
        params=[Param("lowercase", bool, True, "Lower-case Latin letters.")],
        capabilities={{"needs_download": False}},
    ))
'''

GENERATOR = '''"""`{name}`: a text generator for nlp-zoo: a character bigram language model to start from.

P(c | previous character) = (count(prev, c) + k * P(c)) / (count(prev) + k), P(c) = (count(c) + 1) /
(characters + alphabet): a proper distribution, so the perplexity the zoo computes is honest.
"""
import json
import math
import time
from collections import Counter, defaultdict
from pathlib import Path

from nlpzoo import Component, Param, Search, hookimpl

NLPZOO_PLUGIN_API = {api}   # the plugin API this module is written for

END = "\\x03"


class Bigram:
    def __init__(self, smoothing: float = 1.0):
        self.smoothing = smoothing
        self.unigrams, self.bigrams = {{}}, {{}}

    def train(self, train_texts, validation_texts, settings) -> dict:
        started = time.perf_counter()
        unigrams, bigrams = Counter(), defaultdict(Counter)
        for text in train_texts:
            for prev, char in zip(END + text, text + END):
                unigrams[char] += 1
                bigrams[prev][char] += 1
        self.unigrams, self.bigrams = dict(unigrams), {{p: dict(c) for p, c in bigrams.items()}}
        return {{"epochs": [], "interrupted": False, "train_tokens": sum(unigrams.values()),
                "train_seconds": time.perf_counter() - started, "parameters": len(self.unigrams)}}

    def save(self, directory) -> None:
        Path(directory, "bigram.json").write_text(json.dumps({{"unigrams": self.unigrams, "bigrams": self.bigrams}}))

    def load(self, directory, device: str = "cpu") -> None:
        state = json.loads(Path(directory, "bigram.json").read_text())
        self.unigrams, self.bigrams = state["unigrams"], state["bigrams"]

    def probability(self, prev: str, char: str) -> float:
        total = sum(self.unigrams.values())
        base = (self.unigrams.get(char, 0) + 1) / (total + len(self.unigrams) + 1)
        seen = self.bigrams.get(prev, {{}})
        return (seen.get(char, 0) + self.smoothing * base) / (sum(seen.values()) + self.smoothing)

    def log_likelihood(self, texts: list[str]) -> tuple[float, int]:
        pairs = [pair for text in texts for pair in zip(END + text, text + END)]
        return sum(math.log(self.probability(p, c)) for p, c in pairs), len(pairs)

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, prompt, max_new_tokens=50, temperature=1.0, top_k=50, top_p=1.0, repetition_penalty=1.0,
                 num_return_sequences=1, seed=None, do_sample=True, on_text=None) -> list[str]:
        import random

        rng, alphabet, outputs = random.Random(seed), sorted(self.unigrams), []
        for _ in range(num_return_sequences):
            prev, new = (prompt[-1:] or END), []
            for _ in range(max_new_tokens):
                weights = [self.probability(prev, c) ** (1 / temperature) for c in alphabet]
                char = rng.choices(alphabet, weights)[0] if do_sample else alphabet[weights.index(max(weights))]
                if char == END:
                    break
                new.append(char)
                prev = char
                if on_text and num_return_sequences == 1:
                    on_text(char)
            outputs.append("".join(new))
        return outputs


@hookimpl
def register_generators(register):
    register(Component(
        name="{name}",
        description="{description}",
        factory=Bigram,
        params=[Param("smoothing", float, 1.0, "Weight of the unigram distribution.", min=1e-6,
                      search=Search.range(0.01, 100.0, log=True))],  # how zoo tune searches it
        capabilities={{"task": "text-generation", "needs_download": False}},
    ))
'''

SCRAPER = '''"""`{name}`: a scraper for nlp-zoo (``zoo scrape --scraper {name} --site site.toml -o out.jsonl``).

Breadth-first over the site file's start URLs, following the links the site file allows (inside
allowed_domains, matching `follow`), obeying robots.txt, up to max_pages and max_depth, with the
zoo's shared extraction and JSON Lines sink.
"""
import re
import urllib.request
import urllib.robotparser
from urllib.parse import urljoin, urlparse

from nlpzoo import Component, hookimpl

NLPZOO_PLUGIN_API = {api}   # the plugin API this module is written for


class Scraper:
    def scrape(self, site, output_path, log=print) -> dict:
        from nlpzoo import ItemSink, extract

        sink, queue, seen, robots = ItemSink(output_path), [(u, 0) for u in site.start_urls], set(), {{}}
        while queue and sink.stats["pages_fetched"] < site.max_pages:
            url, depth = queue.pop(0)
            if url in seen or not site.allowed(url) or (depth and not site.should_follow(url)):
                continue
            if site.politeness.obey_robots and not self.robots(robots, url).can_fetch("*", url):
                sink.error("robots_disallowed")
                continue
            seen.add(url)
            try:
                with urllib.request.urlopen(url, timeout=site.politeness.timeout) as response:
                    html = response.read(site.politeness.max_bytes).decode("utf-8", "replace")
            except OSError as error:
                sink.error(type(error).__name__)
                continue
            sink.stats["pages_fetched"] += 1
            item, _ = extract(html, url, site)
            if item:
                sink.add(item)
            if depth < site.max_depth:
                queue += [(urljoin(url, href), depth + 1) for href in re.findall(r'href="([^"#]+)"', html)]
        sink.close()
        return sink.stats

    @staticmethod
    def robots(cache, url):
        root = "{{0.scheme}}://{{0.netloc}}".format(urlparse(url))
        if root not in cache:
            cache[root] = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            cache[root].read()
        return cache[root]


@hookimpl
def register_scrapers(register):
    register(Component(name="{name}", description="{description}", factory=Scraper,
                       capabilities={{"needs_download": False}}))
'''

# A score regressor is the classifier's template on the toolkit's regressor: one output, the regression
# parameter group, the regressor hook.
REGRESSOR = (CLASSIFIER.replace("a text classifier", "a score regressor").replace("NEURAL_PARAMS", "NEURAL_REGRESSION_PARAMS")
             .replace("NeuralTextClassifier", "NeuralTextRegressor").replace("register_classifiers", "register_regressors")
             .replace('"task": "text-classification"', '"task": "score-regression"'))

TEMPLATES = {"classifier": (CLASSIFIER, ', params={"epochs": 4, "min_freq": 1, "lr": 0.01}'),
             "regressor": (REGRESSOR, ', params={"epochs": 6, "min_freq": 1, "lr": 0.01}'),
             "preprocessor": (PREPROCESSOR, ""), "generator": (GENERATOR, ""), "scraper": (SCRAPER, "")}


@main.group("plugin")
def plugin_group():
    """Write plugins: zoo plugin new NAME --kind classifier."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--kind", type=click.Choice(sorted(TEMPLATES)), required=True, help="The kind of component.")
@click.option("--description", default="", help="One line for zoo list (default: a placeholder to replace).")
@click.option("--dir", "parent", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to create the zoo-NAME folder.")
def plugin_new_command(name, kind, description, parent):
    """Create zoo-NAME/: pyproject.toml with the entry point, the plugin module, a test, a README."""
    from nlpzoo import ZooError

    if not re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", name):
        raise ZooError(f"Plugin name {name!r}: use lower-case letters, digits and '-', e.g. 'text-cnn'.")
    ident = name.replace("-", "_")
    module = f"zoo_{ident}"
    if keyword.iskeyword(ident):
        raise ZooError(f"Plugin name {name!r} is a Python keyword; choose another.")
    folder = Path(parent) / f"zoo-{name}"
    if folder.exists():
        raise ZooError(f"{folder} exists already; choose another name or --dir.")
    description = (description or f"A {kind} plugin (describe it here).").replace('"', "'")
    source, params = TEMPLATES[kind]
    from nlpzoo import PLUGIN_API, __version__

    values = dict(name=name, kind=kind, ident=ident, module=module, description=description, params=params,
                  api=PLUGIN_API, zoo_version=__version__)
    (folder / "tests").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT.format(**values), "utf-8")
    (folder / f"{module}.py").write_text(source.format(**values), "utf-8")
    (folder / "tests" / f"test_{ident}.py").write_text(TEST.format(**values), "utf-8")
    (folder / "README.md").write_text(README.format(**values), "utf-8")
    click.echo(f"Wrote {folder}/ ({module}.py, pyproject.toml, tests/, README.md). Next:\n"
               f"  cd {folder} && pip install -e '.[test]' && pytest\n  zoo info {name}")
