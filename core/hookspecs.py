"""The whole plugin surface of nlp-zoo: four hooks, one per kind of component.

A plugin is a Python module registered under the ``nlpzoo`` entry-point group. It implements one
or more of the hooks below with ``@nlpzoo.hookimpl``. Each hook receives a ``register`` callback and
calls it once per component it offers::

    from nlpzoo import Component, Param, hookimpl

    @hookimpl
    def register_classifiers(register):
        register(Component(
            name="toy",
            description="Predicts the majority class.",
            params=[Param("smoothing", float, 1.0, "Additive smoothing.")],
            factory="my_package.toy:build",   # "module:function", imported only when built
        ))

``register`` takes a :class:`nlpzoo.Component`. The hooks are called once per process, when the
zoo first needs its component list (``zoo list``, ``zoo run``, ``nlpzoo.create``). They must be
cheap: declare components, do not import torch or load models here. Heavy work belongs in the
factory, which the core calls only when the component is built.

What each factory returns is the contract of its kind (see ``docs/plugins.md``):

- scraper: an object with ``scrape(site, output_path, ...)``;
- preprocessor: an object with ``transform(texts: list[str]) -> list[str]``;
- classifier: an object following :class:`nlpzoo.classifier.Classifier`;
- generator: an object with ``train(train_texts, validation_texts, settings, run_dir)`` (saves into
  ``run_dir``), ``evaluate(test_texts, seed)``, ``load(run_dir, device)`` and
  ``generate(prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty,
  num_return_sequences, seed, do_sample, on_text)``.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("nlpzoo")
hookimpl = pluggy.HookimplMarker("nlpzoo")


@hookspec
def register_scrapers(register):
    """Register scrapers: components that collect (url, text, score) items from web sites.

    Call ``register(Component(...))`` once per scraper. The factory returns an object whose
    ``scrape(site, output_path)`` writes JSON Lines items that ``zoo run --data`` reads as they are.
    """


@hookspec
def register_preprocessors(register):
    """Register preprocessors: named text-cleaning steps that ``--preprocess a,b,c`` chains in order.

    Call ``register(Component(...))`` once per step. The factory returns an object with
    ``transform(texts: list[str]) -> list[str]`` (a batch in, a batch of the same length out).
    Tokens in the output are separated by single spaces.
    """


@hookspec
def register_classifiers(register):
    """Register text classifiers, selected by ``zoo run --classifier NAME``.

    Call ``register(Component(...))`` once per classifier. The factory takes the component's
    parameters as keyword arguments and returns an untrained :class:`nlpzoo.classifier.Classifier`
    (``fit``, ``predict_proba``, ``save``; ``load`` as a class method).
    """


@hookspec
def register_generators(register):
    """Register text generators, selected by ``zoo run --generator NAME``.

    Call ``register(Component(...))`` once per generator. The factory takes the component's
    parameters as keyword arguments and returns an untrained generator with ``train``,
    ``evaluate``, ``load`` and ``generate`` (see the module docstring for their arguments).
    """
