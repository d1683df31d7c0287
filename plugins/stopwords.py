"""`stopwords`: drop spaCy's Arabic stop words (plus a user's list), matched after normalisation."""
from __future__ import annotations

from pathlib import Path

from nlpzoo import Component, Param, WordwiseStep, ZooError, hookimpl


class StopWordFilter(WordwiseStep):
    def __init__(self, extra_file: str = "", normalize: bool = True):
        super().__init__()
        from spacy.lang.ar.stop_words import STOP_WORDS

        words = set(STOP_WORDS)
        if extra_file:
            path = Path(extra_file).expanduser()
            if not path.is_file():
                raise ZooError(f"stopwords: extra_file {path} does not exist (one word per line, UTF-8).")
            words |= {line.strip() for line in path.read_text("utf-8-sig").splitlines() if line.strip()}
        if normalize:  # so that a text normalised by `normalize` still matches the list
            from nlpzoo import ArabicNormalizer as Normalizer

            normalizer = Normalizer()
            words |= {normalizer.normalize(w) for w in words}
        self.words = frozenset(w for w in words if w)

    def map_word(self, word: str) -> str:
        return "" if word in self.words else word


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="stopwords",
        description="Remove Arabic stop words (spaCy's list, normalised the same way as the text).",
        factory=StopWordFilter,
        params=[Param("extra_file", str, "", "A UTF-8 file with more stop words, one per line."),
                Param("normalize", bool, True, "Also match the normalised form of each stop word.")],
        capabilities={"language": "ar", "needs_download": False},
    ))
