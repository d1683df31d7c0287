"""`gru`: A GRU text classifier."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("gru", cell="gru", bidirectional=False, description="A GRU text classifier."))
