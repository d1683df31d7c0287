"""An example third-party nlp-zoo distribution: one plugin per module.

- ``naive_bayes``: a classifier written from scratch (fit / predict_proba / save / load);
- ``text_cnn``: a classifier on the zoo's neural toolkit (only the torch module is written);
- ``mask_numbers``: a preprocessor;
- ``char_ngram``: a generator that is not a transformer (a character n-gram language model).

Each is registered by its own entry point in pyproject.toml and checked by ``nlpzoo.testing``
(tests/test_contracts.py).
"""
