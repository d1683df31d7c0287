"""Arabic text helpers that the core and several plugins share (no plugin imports another).

- :data:`ARABIC_WORD`: a word made of Arabic letters only (what the stemmers touch).
- :class:`ArabicNormalizer`: orthographic normalisation and web-noise removal, each part
  switchable; the ``normalize`` preprocessor is this class, and scrapers use it to match keywords.
"""
from __future__ import annotations

import re


ARABIC_WORD = re.compile(r"^[\u0621-\u064a]+$")
DIACRITIC_RANGES = ((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC), (0x06DF, 0x06E8),
                    (0x06EA, 0x06ED))
DIACRITIC_CODEPOINTS = [c for low, high in DIACRITIC_RANGES for c in range(low, high + 1)]
TATWEEL = "\u0640"
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION = re.compile(r"[@#][\w\u0600-\u06ff_]+")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d\U0001F1E6-\U0001F1FF]")
REPEATED = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "1000" and "!!!" stay as they are
LATIN_WORD = re.compile(r"\b[A-Za-z]+\b")
ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
YA = str.maketrans({"ى": "ي"})
TA_MARBUTA = str.maketrans({"ة": "ه"})
ARABIC_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")


class ArabicNormalizer:
    """The `normalize` step's rules, each one switchable: diacritics, tatweel, alef/ya/ta marbuta forms,
    URLs, mentions, emoji, letters repeated three times or more, Latin words and digit forms."""

    def __init__(self, diacritics=True, tatweel=True, alef=True, ya=True, ta_marbuta=False, urls=True,
                 mentions=True, emoji=True, repeated=True, latin=False, digits="latin"):
        self.options = dict(diacritics=diacritics, tatweel=tatweel, alef=alef, ya=ya, ta_marbuta=ta_marbuta,
                            urls=urls, mentions=mentions, emoji=emoji, repeated=repeated, latin=latin, digits=digits)
        table = {}
        if diacritics:
            table.update(dict.fromkeys(DIACRITIC_CODEPOINTS))
        for enabled, part in ((alef, ALEF), (ya, YA), (ta_marbuta, TA_MARBUTA)):
            if enabled:
                table.update(part)
        if digits == "latin":
            table.update(ARABIC_INDIC_DIGITS)
        if tatweel:
            table[ord(TATWEEL)] = None
        self.table = table
        noise = [p.pattern for p, on in ((URL, urls), (MENTION, mentions), (EMOJI, emoji)) if on]
        self.noise = re.compile("|".join(noise), re.IGNORECASE) if noise else None

    def normalize(self, text: str) -> str:
        o = self.options
        if self.noise is not None:
            text = self.noise.sub(" ", text)
        text = text.translate(self.table)
        if o["repeated"]:
            text = REPEATED.sub(r"\1", text)
        if o["latin"]:
            text = LATIN_WORD.sub(" ", text)
        if o["digits"] == "remove":
            text = DIGITS.sub(" ", text)
        return " ".join(text.split())

    def transform(self, texts: list[str]) -> list[str]:
        return [self.normalize(t) for t in texts]
