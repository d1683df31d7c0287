"""`tokenize`: spaCy's rule-based Arabic tokenizer (``spacy.blank("ar")``, offline), batched.

spaCy's tokenizer first splits on whitespace and then applies its prefix/suffix/infix rules and
special cases to each whitespace-separated chunk on its own, so tokenising is a pure function of
the chunk. This step therefore tokenises each distinct chunk once (new chunks of a batch go through
``nlp.tokenizer.pipe`` together) and reuses the result: the same tokens as ``nlp(text)``, without
building a Doc per text.
"""
from __future__ import annotations

import re

from nlpzoo import Component, Param, WordwiseStep, hookimpl

LETTERS_ONLY = re.compile(r"^[\u0621-\u063a\u0641-\u064a]+$")


class SpacyTokenizer(WordwiseStep):
    def __init__(self, batch_size: int = 1024):
        super().__init__()
        import spacy

        self.nlp = spacy.blank("ar")
        self.batch_size = batch_size
        # A chunk of Arabic letters alone matches no prefix, suffix or infix rule of spaCy's Arabic
        # tokenizer, so unless it is a special case it is its own token (the tests check this on
        # the real reviews): no Doc needs to be built for it.
        self.special_cases = frozenset(self.nlp.tokenizer.rules)

    def map_word(self, word: str) -> str:
        return " ".join(token.text for token in self.nlp.tokenizer(word) if not token.is_space)

    def prepare(self, unseen: list[str]) -> None:
        cache = self.cache
        plain = [w for w in unseen if LETTERS_ONLY.match(w) and w not in self.special_cases]
        cache.update(zip(plain, plain))
        unseen = [w for w in unseen if w not in cache]
        for word, doc in zip(unseen, self.nlp.tokenizer.pipe(unseen, batch_size=self.batch_size)):
            cache[word] = " ".join(token.text for token in doc if not token.is_space)


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="tokenize",
        description="spaCy's rule-based Arabic tokenizer: splits off punctuation, symbols and numbers.",
        factory=SpacyTokenizer,
        params=[Param("batch_size", int, 1024, "New word types per nlp.tokenizer.pipe batch.")],
        capabilities={"language": "ar", "needs_download": False},
    ))
