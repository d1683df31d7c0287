"""Deprecated: nlp-zoo 0.1's classifier contract module. Its names now come from ``nlpzoo``
(``nlpzoo.FitSettings``, ``nlpzoo.LabeledTexts``, ``nlpzoo.Classifier``); this module goes in 0.3.0."""
from .deprecation import deprecated_import, module_getattr

deprecated_import(__name__, "nlpzoo (FitSettings, LabeledTexts, Classifier)")
__getattr__ = module_getattr(__name__, {
    "FitSettings": "nlpzoo:FitSettings", "LabeledTexts": "nlpzoo:LabeledTexts", "Classifier": "nlpzoo:Classifier"})
