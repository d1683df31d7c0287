"""`gru`: A GRU text classifier and regressor."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("gru", cell="gru", bidirectional=False, description="A GRU text classifier."))


@hookimpl
def register_regressors(register):
    register(recurrent_component("gru", cell="gru", bidirectional=False, description="A GRU text classifier.", task="regression"))
