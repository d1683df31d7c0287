"""The recurrent family: six plugins (rnn, birnn, gru, bigru, lstm, bilstm) from one table.

:data:`VARIANTS` names each variant's cell and direction; each is a :class:`RecurrentPlugin` object
here, which its entry point names (``bigru = "nlpzoo.plugins.recurrent:bigru"``), and registers a
classifier and a regressor of the same name. A new variant is a row and an entry point. The model
itself is :mod:`nlpzoo.plugins.recurrent_model` and the training loop is the core's
(:mod:`nlpzoo.neural`), imported only when a model is built.
"""
from __future__ import annotations

from functools import partial

from nlpzoo import NEURAL_PARAMS, NEURAL_REGRESSION_PARAMS, Component, Param, Search, hookimpl


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


# name: (cell, bidirectional, what the model is: "... text classifier" / "... text regressor" follows)
VARIANTS = {
    "rnn": ("rnn", False, "An Elman RNN (tanh)"),
    "birnn": ("rnn", True, "A bidirectional Elman RNN"),
    "gru": ("gru", False, "A GRU"),
    "bigru": ("gru", True, "A bidirectional GRU"),
    "lstm": ("lstm", False, "An LSTM"),
    "bilstm": ("lstm", True, "A bidirectional LSTM"),
}
DEFAULT = "bigru"   # the zoo's default model


class RecurrentPlugin:
    """One variant of the table as a plugin: its classifier and its regressor."""

    def __init__(self, name: str):
        self.name = name
        self.cell, self.bidirectional, self.what = VARIANTS[name]

    def component(self, task: str) -> Component:
        default = " (the zoo's default)" if self.name == DEFAULT else ""
        return recurrent_component(self.name, self.cell, self.bidirectional,
                                   f"{self.what} text classifier{default}.", task=task)

    @hookimpl
    def register_classifiers(self, register):
        register(self.component("classification"))

    @hookimpl
    def register_regressors(self, register):
        register(self.component("regression"))

    def __repr__(self) -> str:
        return f"<recurrent plugin {self.name}>"


rnn, birnn, gru, bigru, lstm, bilstm = (RecurrentPlugin(name) for name in VARIANTS)
