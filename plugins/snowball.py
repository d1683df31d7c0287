"""`snowball`: the Snowball Arabic light stemmer (NLTK), once per word type."""
from __future__ import annotations

from nlpzoo import ARABIC_WORD, Component, WordwiseStep, hookimpl


class SnowballArabicStemmer(WordwiseStep):
    def __init__(self):
        super().__init__()
        from nltk.stem.snowball import SnowballStemmer

        self.stemmer = SnowballStemmer("arabic")

    def map_word(self, word: str) -> str:
        return self.stemmer.stem(word) if ARABIC_WORD.match(word) else word


@hookimpl
def register_preprocessors(register):
    register(Component(name="snowball", description="Snowball Arabic light stemmer (NLTK): strips affixes.",
                       factory=SnowballArabicStemmer, capabilities={"language": "ar", "needs_download": False}))
