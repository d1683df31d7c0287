"""The shared recurrent module: masking and the backward direction never read padding."""
from __future__ import annotations

import pytest
import torch

from nlpzoo.plugins.recurrent_model import RecurrentClassifier, reverse_within_length


def test_reverse_within_length_keeps_padding_in_place():
    x = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    assert reverse_within_length(x, torch.tensor([3, 5])).tolist() == [[3, 2, 1, 0, 0], [8, 7, 6, 5, 4]]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["max", "mean", "max+mean"])
def test_prediction_does_not_depend_on_padding(cell, bidirectional, pooling):
    torch.manual_seed(0)
    model = RecurrentClassifier(50, 3, cell=cell, bidirectional=bidirectional, embedding_dim=8, hidden_size=8,
                                layers=2, dropout=0.0, pooling=pooling).eval()
    short = torch.tensor([[5, 6, 7]])
    alone = model(short, torch.tensor([3]))
    padded = torch.tensor([[5, 6, 7, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]])
    in_batch = model(padded, torch.tensor([3, 7]))
    assert torch.allclose(alone[0], in_batch[0], atol=1e-6)
