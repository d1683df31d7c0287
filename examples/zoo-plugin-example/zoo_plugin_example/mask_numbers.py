"""`mask-numbers`: replace every number (Latin or Arabic-Indic digits) by one placeholder token.

Prices, years and counts rarely decide a review's class, and each distinct number would otherwise
be a rare word of its own.
"""
import re

from nlpzoo import Component, Param, hookimpl

NUMBER = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c][0-9\u0660-\u0669\u06f0-\u06f9]+)*")


class MaskNumbers:
    def __init__(self, token: str = "<عدد>"):
        self.token = f" {token} "

    def transform(self, texts: list[str]) -> list[str]:
        return [" ".join(NUMBER.sub(self.token, text).split()) for text in texts]


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="mask-numbers",
        description="Replace every number (Latin or Arabic-Indic digits) by one placeholder token.",
        factory=MaskNumbers,
        params=[Param("token", str, "<عدد>", "The placeholder (one token, no spaces).")],
        capabilities={"language": "ar", "needs_download": False},
    ))
