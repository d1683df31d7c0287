"""`legacy-mask-numbers`: a preprocessor as 0.1 documented them (``transform(texts) -> texts``)."""
import re

from nlpzoo import Component, hookimpl

NUMBER = re.compile(r"[0-9\u0660-\u0669]+")


class MaskNumbers:
    def transform(self, texts):
        return [" ".join(NUMBER.sub("<num>", text).split()) for text in texts]


@hookimpl
def register_preprocessors(register):
    register(Component(name="legacy-mask-numbers", description="Replace numbers with <num> (an nlp-zoo 0.1 plugin).",
                       factory=MaskNumbers))
