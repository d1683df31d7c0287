"""`normalize`: Arabic orthographic normalisation and web-noise removal, each part switchable.

The normaliser itself is the core's :class:`nlpzoo.ArabicNormalizer` (scrapers use it too).
"""
from __future__ import annotations

from nlpzoo import ArabicNormalizer as Normalizer
from nlpzoo import Component, Param, hookimpl


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="normalize",
        description="Remove diacritics, tatweel, URLs, mentions, emoji, letter runs; unify alef/ya; digits to Latin.",
        factory=Normalizer,
        params=[Param("diacritics", bool, True, "Remove tashkeel (harakat, tanwin, shadda, sukun)."),
                Param("tatweel", bool, True, "Remove tatweel (ـ)."),
                Param("alef", bool, True, "أ إ آ ٱ -> ا"),
                Param("ya", bool, True, "ى -> ي"),
                Param("ta_marbuta", bool, False, "ة -> ه"),
                Param("urls", bool, True, "Remove URLs."),
                Param("mentions", bool, True, "Remove @mentions and #hashtags."),
                Param("emoji", bool, True, "Remove emoji."),
                Param("repeated", bool, True, "Collapse a letter repeated 3+ times (جميلللل -> جميل); digits and punctuation are kept."),
                Param("latin", bool, False, "Remove Latin-script words."),
                Param("digits", str, "latin", "Arabic-Indic digits to Latin, keep as they are, or remove all.",
                      choices=("latin", "keep", "remove"))],
        capabilities={"language": "ar", "needs_download": False},
    ))
