"""`bigru`: A bidirectional GRU text classifier and regressor (the zoo's default)."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("bigru", cell="gru", bidirectional=True, description="A bidirectional GRU text classifier (the zoo's default)."))


@hookimpl
def register_regressors(register):
    register(recurrent_component("bigru", cell="gru", bidirectional=True, description="A bidirectional GRU text classifier (the zoo's default).", task="regression"))
