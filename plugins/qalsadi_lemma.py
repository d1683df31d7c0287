"""`qalsadi-lemma`: offline Arabic lemmatisation with qalsadi, once per word type (it is slow per call)."""
from __future__ import annotations

from nlpzoo import ARABIC_WORD, Component, WordwiseStep, hookimpl


class QalsadiLemmatizer(WordwiseStep):
    def __init__(self):
        super().__init__()
        import qalsadi.lemmatizer

        self.lemmatizer = qalsadi.lemmatizer.Lemmatizer()

    def map_word(self, word: str) -> str:
        if not ARABIC_WORD.match(word):
            return word
        lemma = self.lemmatizer.lemmatize(word)
        return lemma if isinstance(lemma, str) and lemma else word


@hookimpl
def register_preprocessors(register):
    register(Component(name="qalsadi-lemma",
                       description="Offline Arabic lemmatiser (qalsadi); no download needed.",
                       factory=QalsadiLemmatizer, capabilities={"language": "ar", "needs_download": False}))
