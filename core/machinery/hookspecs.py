"""The whole plugin surface of nlp-zoo: one hook per kind of component.

A plugin is a Python module registered under the ``nlpzoo`` entry-point group. It implements one
or more of the hooks below with ``@nlpzoo.hookimpl``. Each hook receives a ``register`` callback and
calls it once per component it offers::

    from nlpzoo import Component, Param, hookimpl

    @hookimpl
    def register_classifiers(register):
        register(Component(
            name="toy",
            description="Predicts the majority class.",
            params=[Param("smoothing", float, 1.0, "Additive smoothing.", min=0.0)],
            factory="my_package.toy:build",   # "module:function", imported only when built
        ))

``register`` takes a :class:`nlpzoo.Component`. It checks the declaration at once: a parameter
whose default does not match its type, range or choices makes the whole plugin fail to load, with
the reason shown by ``zoo plugins``. The hooks are called once per process, when the zoo first
needs its component list (``zoo list``, ``zoo run``, ``nlpzoo.create``). They must be cheap:
declare components, do not import torch or load models here. Heavy work belongs in the factory,
which the core calls only when the component is built, with the resolved parameters as keyword
arguments.

What each factory returns is the contract of its kind, stated in one module each (and in
``docs/kinds/``):

- scraper: :class:`nlpzoo.kinds.scraper.Scraper` (``scrape(site, output_path, log)``);
- preprocessor: :class:`nlpzoo.kinds.preprocessor.Preprocessor` (``transform(texts)``);
- classifier: :class:`nlpzoo.kinds.classifier.Classifier` (``fit``, ``predict_proba``, ``save``, and
  ``load`` as an instance method on a freshly built object);
- regressor: :class:`nlpzoo.kinds.regressor.Regressor` (``fit``, ``predict``, ``save``, ``load``);
- generator: :class:`nlpzoo.kinds.generator.Generator` (``train``, ``save``, ``load``,
  ``log_likelihood``, ``count_tokens``, ``generate``).

:mod:`nlpzoo.testing` checks a component against its kind's contract.
"""
from __future__ import annotations

import pluggy


hookspec = pluggy.HookspecMarker("nlpzoo")
hookimpl = pluggy.HookimplMarker("nlpzoo")


@hookspec
def register_scrapers(register):
    """Register scrapers: components that collect (url, text, score) items from web sites.

    Call ``register(Component(...))`` once per scraper. The factory returns a
    :class:`nlpzoo.kinds.scraper.Scraper`, whose ``scrape(site, output_path, log)`` appends JSON Lines
    items that ``zoo run --data`` reads as they are.
    """


@hookspec
def register_preprocessors(register):
    """Register preprocessors: named text-cleaning steps that ``--preprocess a,b,c`` chains in order.

    Call ``register(Component(...))`` once per step. The factory returns a
    :class:`nlpzoo.kinds.preprocessor.Preprocessor`: ``transform(texts: list[str]) -> list[str]``
    (a batch in, a batch of the same length out, tokens separated by single spaces).
    """


@hookspec
def register_classifiers(register):
    """Register text classifiers, selected by ``zoo run --classifier NAME``.

    Call ``register(Component(...))`` once per classifier. The factory takes the component's
    parameters as keyword arguments and returns an untrained
    :class:`nlpzoo.kinds.classifier.Classifier`. Neural classifiers can be built on
    :class:`nlpzoo.neural.NeuralTextClassifier`, which brings tokenizers and the training loop.
    """


@hookspec
def register_regressors(register):
    """Register score regressors, selected by ``zoo run --regressor NAME``.

    Call ``register(Component(...))`` once per regressor. The factory takes the component's
    parameters as keyword arguments and returns an untrained
    :class:`nlpzoo.kinds.regressor.Regressor` (``fit``, ``predict`` giving one score per text,
    ``save``, ``load``). A regressor may share its name with a classifier: the kinds keep them apart.
    Neural regressors can be built on :class:`nlpzoo.neural.NeuralTextRegressor`.
    """


@hookspec
def register_generators(register):
    """Register text generators, selected by ``zoo run --generator NAME``.

    Call ``register(Component(...))`` once per generator. The factory takes the component's
    parameters as keyword arguments and returns an untrained
    :class:`nlpzoo.kinds.generator.Generator`. The core computes perplexity, BLEU and chrF for
    every generator from its ``log_likelihood``, ``generate`` and ``count_tokens``.
    """
