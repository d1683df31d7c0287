"""`isri`: NLTK's ISRI Arabic root stemmer, once per word type."""
from __future__ import annotations

from nlpzoo import ARABIC_WORD, Component, WordwiseStep, hookimpl


class IsriStemmer(WordwiseStep):
    def __init__(self):
        super().__init__()
        from nltk.stem.isri import ISRIStemmer

        self.stemmer = ISRIStemmer()

    def map_word(self, word: str) -> str:
        return self.stemmer.stem(word) if ARABIC_WORD.match(word) else word


@hookimpl
def register_preprocessors(register):
    register(Component(name="isri", description="ISRI Arabic stemmer (NLTK): reduces words to roots.",
                       factory=IsriStemmer, capabilities={"language": "ar", "needs_download": False}))
