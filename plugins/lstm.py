"""`lstm`: An LSTM text classifier and regressor."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("lstm", cell="lstm", bidirectional=False, description="An LSTM text classifier."))


@hookimpl
def register_regressors(register):
    register(recurrent_component("lstm", cell="lstm", bidirectional=False, description="An LSTM text classifier.", task="regression"))
