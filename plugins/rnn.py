"""`rnn`: An Elman RNN (tanh) text classifier and regressor."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("rnn", cell="rnn", bidirectional=False, description="An Elman RNN (tanh) text classifier."))


@hookimpl
def register_regressors(register):
    register(recurrent_component("rnn", cell="rnn", bidirectional=False, description="An Elman RNN (tanh) text classifier.", task="regression"))
