"""The recurrent family: one declaration shared by the rnn/birnn/gru/bigru/lstm/bilstm plugins.

Each of the six plugin modules is a few lines that call :func:`recurrent_component` with its cell
and direction, once as a classifier and once as a regressor (the same name for both kinds); the
model itself is :mod:`nlpzoo.plugins.recurrent_model` and the training loop is the core's
(:mod:`nlpzoo.neural`), imported only when a model is built.
"""
from __future__ import annotations

from functools import partial

from nlpzoo import NEURAL_PARAMS, NEURAL_REGRESSION_PARAMS, Component, Param, Search


def build(cell: str, bidirectional: bool, **params):
    from nlpzoo.neural import NeuralTextClassifier
    from nlpzoo.plugins.recurrent_model import RecurrentModuleBuilder

    return NeuralTextClassifier(RecurrentModuleBuilder(cell=cell, bidirectional=bidirectional), **params)


def build_regressor(cell: str, bidirectional: bool, **params):
    from nlpzoo.neural import NeuralTextRegressor
    from nlpzoo.plugins.recurrent_model import RecurrentModuleBuilder

    return NeuralTextRegressor(RecurrentModuleBuilder(cell=cell, bidirectional=bidirectional), **params)


def recurrent_component(name: str, cell: str, bidirectional: bool, description: str,
                        task: str = "classification") -> Component:
    """The classifier (``task="classification"``) or the regressor (``"regression"``) of one variant."""
    regression = task == "regression"
    return Component(
        name=name,
        description=description.replace("classifier", "regressor") if regression else description,
        factory=partial(build_regressor if regression else build, cell, bidirectional),
        params=[
            Param("embedding_dim", int, 128, "Size of the token embeddings.", min=1,
                  search=Search.range(64, 256, step=64)),
            Param("hidden_size", int, 128, "Hidden units per direction.", min=1,
                  search=Search.range(64, 256, step=64)),
            Param("layers", int, 1, "Stacked recurrent layers.", min=1),
            Param("dropout", float, 0.3, "Dropout on embeddings, between layers and before the output.",
                  min=0.0, max=0.95, search=Search.range(0.1, 0.6)),
            Param("pooling", str, "max", "Pooling over time, masked so padding never counts.",
                  choices=("max", "mean", "max+mean"), search=Search.among("max", "mean", "max+mean")),
            *(NEURAL_REGRESSION_PARAMS if regression else NEURAL_PARAMS),
        ],
        capabilities={"family": "recurrent", "cell": cell, "bidirectional": bidirectional,
                      "task": "text-regression" if regression else "text-classification", "language": "ar",
                      "needs_download": False},
    )
