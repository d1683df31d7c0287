"""`birnn`: A bidirectional Elman RNN text classifier and regressor."""
from nlpzoo import hookimpl
from nlpzoo.plugins.recurrent import recurrent_component


@hookimpl
def register_classifiers(register):
    register(recurrent_component("birnn", cell="rnn", bidirectional=True, description="A bidirectional Elman RNN text classifier."))


@hookimpl
def register_regressors(register):
    register(recurrent_component("birnn", cell="rnn", bidirectional=True, description="A bidirectional Elman RNN text classifier.", task="regression"))
