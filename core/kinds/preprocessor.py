"""The preprocessor kind: named text-cleaning steps that ``--preprocess a,b,c`` chains in order.

Contract (what a preprocessor factory returns)::

    step = component.build(**params)
    step.transform(texts: list[str]) -> list[str]     # same length, same order

- Each output text depends only on its own input text (batching never changes a result).
- Tokens in the output are separated by single spaces; an empty text may come out empty.
- Steps that map each word on its own can subclass :class:`nlpzoo.data.preprocessing.WordwiseStep`
  (``map_word(word) -> str``): the core then caches per word type and fuses neighbouring steps.

Registered with ``register_preprocessors(register)``; checked by
:func:`nlpzoo.testing.check_preprocessor`.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from .base import Kind


@runtime_checkable
class Preprocessor(Protocol):
    def transform(self, texts: list[str]) -> list[str]:
        """One output text per input text, in order."""


class PreprocessorKind(Kind):
    name = "preprocessor"
    plural = "preprocessors"
    hook = "register_preprocessors"
    protocol = Preprocessor
    order = 20


KIND = PreprocessorKind()
