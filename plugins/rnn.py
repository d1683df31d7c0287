"""`rnn`: An Elman RNN (tanh) text classifier."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("rnn", cell="rnn", bidirectional=False, description="An Elman RNN (tanh) text classifier."))
