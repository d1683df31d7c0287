"""Frozen sentence vectors (nlpzoo.neural.sentence_vectors): the pooling is the one asked for, and each
text is encoded once per encoder, prefix and length limit, across calls and processes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nlpzoo.neural.sentence_vectors import SentenceEncoder
from nlpzoo.testing import tiny_classification_data
from tests.helpers import save_tiny_bert

TEXTS = ["الطعام لذيذ جدا", "الخدمة بطيئة والمكان مزدحم في المساء", "ممتاز"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp("bases") / "bert", tiny_classification_data().train.texts)


def by_hand(folder, texts, prefix, pooling):
    from transformers import AutoModel, AutoTokenizer

    tokenizer, network = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    rows = []
    with torch.no_grad():
        for text in texts:  # one at a time: no padding at all
            hidden = network(**tokenizer(prefix + text, return_tensors="pt")).last_hidden_state[0]
            vector = hidden.mean(0) if pooling == "mean" else hidden[0]
            rows.append((vector / vector.norm()).numpy())
    return np.stack(rows)


@pytest.mark.parametrize("pooling", ["mean", "first"])
def test_vectors_are_the_pooling_asked_for_padding_left_out(tiny_bert, pooling):
    encoder = SentenceEncoder(str(tiny_bert), pooling=pooling, text_prefix="query: ", cache=False)
    assert np.allclose(encoder.encode(TEXTS), by_hand(tiny_bert, TEXTS, "query: ", pooling), atol=1e-5)


def test_each_text_is_encoded_once_across_calls_and_processes(tiny_bert, monkeypatch):
    forwarded = []
    original = SentenceEncoder._forward
    monkeypatch.setattr(SentenceEncoder, "_forward", lambda self, texts: forwarded.extend(texts) or original(self, texts))
    first = SentenceEncoder(str(tiny_bert)).encode(TEXTS)
    again = SentenceEncoder(str(tiny_bert)).encode(TEXTS[::-1] + ["نص جديد"])  # a new object reads the cache files
    assert sorted(forwarded) == sorted(TEXTS + ["نص جديد"])
    assert np.array_equal(again[:3], first[::-1])
    SentenceEncoder(str(tiny_bert), text_prefix="passage: ").encode(TEXTS[:1])  # another prefix: other vectors
    assert forwarded[-1] == TEXTS[0]


def test_a_changed_encoder_or_a_damaged_cache_file_is_never_trusted(tiny_bert, tmp_path, monkeypatch):
    import shutil

    folder = shutil.copytree(tiny_bert, tmp_path / "bert")
    first = SentenceEncoder(str(folder))
    vectors = first.encode(TEXTS)
    for shard in first.cache.folder.glob("*.safetensors"):
        shard.write_bytes(b"not a safetensors file")
    assert np.allclose(SentenceEncoder(str(folder)).encode(TEXTS), vectors, atol=1e-6)  # recomputed
    from transformers import AutoModel

    network = AutoModel.from_pretrained(folder)
    with torch.no_grad():
        network.encoder.layer[0].output.dense.weight.mul_(3)
    network.save_pretrained(folder)
    assert not np.allclose(SentenceEncoder(str(folder)).encode(TEXTS), vectors, atol=1e-3)
