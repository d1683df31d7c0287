"""The one recurrent text-classifier module behind rnn, birnn, gru, bigru, lstm and bilstm.

Embedding -> stacked RNN/GRU/LSTM layers (uni- or bidirectional) -> masked pooling over time ->
dropout -> linear. Batches are right-padded. The backward direction runs over each sequence
reversed *within its own length*, so it starts at the last real token and never reads padding;
pooling ignores padded positions. A text's prediction therefore does not depend on how much
padding its batch has (no pack_padded_sequence, which was about 2x slower on CPU here).
"""
from __future__ import annotations

import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse the first ``lengths[b]`` steps of each row of ``x`` (B, T, ...); padding stays put."""
    steps = torch.arange(x.size(1), device=x.device).unsqueeze(0)
    source = lengths.unsqueeze(1) - 1 - steps
    index = torch.where(source >= 0, source, steps)
    if x.dim() == 2:
        return x.gather(1, index)
    return x.gather(1, index.unsqueeze(-1).expand_as(x))


class RecurrentClassifier(nn.Module):
    def __init__(self, vocab_size: int, n_classes: int, cell: str = "gru", bidirectional: bool = True,
                 embedding_dim: int = 128, hidden_size: int = 128, layers: int = 1, dropout: float = 0.3,
                 pooling: str = "max", pad_id: int = 0):
        super().__init__()
        self.bidirectional, self.pooling = bidirectional, pooling
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        rnn = CELLS[cell]
        width = hidden_size * (2 if bidirectional else 1)
        inputs = [embedding_dim] + [width] * (layers - 1)
        self.forward_layers = nn.ModuleList(rnn(i, hidden_size, batch_first=True) for i in inputs)
        self.backward_layers = nn.ModuleList(rnn(i, hidden_size, batch_first=True) for i in inputs) \
            if bidirectional else None
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(width * (2 if pooling == "max+mean" else 1), n_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.arange(ids.size(1), device=ids.device).unsqueeze(0) < lengths.unsqueeze(1)
        states = self.dropout(self.embedding(ids))
        for depth, forward_rnn in enumerate(self.forward_layers):
            out, _ = forward_rnn(states)
            if self.backward_layers is not None:
                backward, _ = self.backward_layers[depth](reverse_within_length(states, lengths))
                out = torch.cat([out, reverse_within_length(backward, lengths)], dim=-1)
            states = self.dropout(out) if depth < len(self.forward_layers) - 1 else out
        return self.output(self.dropout(self.pool(states, mask)))

    def pool(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(-1)
        pooled = []
        if self.pooling in ("max", "max+mean"):
            pooled.append(states.masked_fill(~keep, float("-inf")).max(dim=1).values)
        if self.pooling in ("mean", "max+mean"):
            pooled.append((states * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1))
        return torch.cat(pooled, dim=-1)


class RecurrentModuleBuilder:
    """What a recurrent plugin hands to the core's NeuralTextClassifier: how to build the module."""

    def __init__(self, cell: str, bidirectional: bool):
        self.cell, self.bidirectional = cell, bidirectional

    def __call__(self, vocab_size: int, n_classes: int, params: dict) -> nn.Module:
        return RecurrentClassifier(vocab_size, n_classes, cell=self.cell, bidirectional=self.bidirectional,
                                   embedding_dim=params["embedding_dim"], hidden_size=params["hidden_size"],
                                   layers=params["layers"], dropout=params["dropout"], pooling=params["pooling"])
