"""`text-cnn`: a Kim (2014) convolutional text classifier, written on the zoo's neural toolkit.

The toolkit (nlpzoo.neural) brings tokenisation, batching, the training loop, early stopping,
checkpoints and saving; this plugin only writes the torch module. Its layers may have any names.
"""
from nlpzoo import NEURAL_PARAMS, Component, Param, hookimpl


def build(**params):
    import torch
    from torch import nn

    from nlpzoo.neural import NeuralTextClassifier

    class TextCNN(nn.Module):
        def __init__(self, vocab_size: int, n_classes: int, p: dict):
            super().__init__()
            self.widths = p["filter_sizes"]
            self.embedding = nn.Embedding(vocab_size, p["embedding_dim"], padding_idx=0)
            self.convs = nn.ModuleList(nn.Conv1d(p["embedding_dim"], p["num_filters"], w) for w in self.widths)
            self.dropout = nn.Dropout(p["dropout"])
            self.classify = nn.Linear(p["num_filters"] * len(self.widths), n_classes)

        def forward(self, ids, lengths):
            if ids.size(1) < max(self.widths):  # every filter needs one full window
                ids = nn.functional.pad(ids, (0, max(self.widths) - ids.size(1)))
            x = self.dropout(self.embedding(ids)).transpose(1, 2)  # (batch, dim, time)
            pooled = []
            for width, conv in zip(self.widths, self.convs):
                out = torch.relu(conv(x))  # (batch, filters, windows)
                last = (lengths - width).clamp(min=0)  # windows starting inside the text (at least one)
                keep = torch.arange(out.size(2), device=ids.device)[None, :] <= last[:, None]
                pooled.append(out.masked_fill(~keep[:, None, :], float("-inf")).max(dim=2).values)
            return self.classify(self.dropout(torch.cat(pooled, dim=1)))

    return NeuralTextClassifier(TextCNN, **params)


@hookimpl
def register_classifiers(register):
    register(Component(
        name="text-cnn",
        description="Kim (2014) CNN: convolutions of several widths over word embeddings, max-pooled.",
        factory=build,
        params=[Param("embedding_dim", int, 128, "Size of the token embeddings.", min=1),
                Param("num_filters", int, 100, "Filters per width.", min=1),
                Param("filter_sizes", list[int], [3, 4, 5], "Convolution widths in tokens, e.g. 3,4,5.", min=1),
                Param("dropout", float, 0.5, "Dropout on embeddings and before the output.", min=0.0, max=0.95),
                *NEURAL_PARAMS],
        capabilities={"family": "cnn", "task": "text-classification", "needs_download": False},
    ))
