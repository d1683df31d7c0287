"""Every component of this distribution against its kind's contract, with nlp-zoo's own kit.

Run with the distribution installed: pip install -e .[test] && pytest
"""
from nlpzoo.testing import check_classifier, check_generator, check_preprocessor

FAST = {"epochs": 3, "embedding_dim": 16, "num_filters": 8, "filter_sizes": [2, 3], "batch_size": 16, "lr": 0.01,
        "min_freq": 1, "patience": 10, "dropout": 0.1}


def test_naive_bayes():
    check_classifier("naive-bayes")


def test_text_cnn():
    check_classifier("text-cnn", params=FAST)


def test_mask_numbers():
    check_preprocessor("mask-numbers")


def test_char_ngram():
    check_generator("char-ngram", params={"order": 4})
