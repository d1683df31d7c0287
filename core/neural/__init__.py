"""The neural toolkit, public for plugins (docs/plugins.md): tokenizers, the neural text models, the one
training loop and its objectives, sentence vectors, and DistributedDataParallel helpers.

Its modules: ``tokenizers`` (TextEncoder and the built-in encoders), ``models`` (NeuralTextClassifier,
NeuralTextRegressor), ``training`` (``train_module`` and the objectives), ``params`` (the shared parameter
groups; no torch), ``distributed``, ``distillation``, ``embeddings`` (word vectors), ``sentence_vectors``
and ``convert_e5``. Each public name is looked up in its module on first use, so importing a torch-free
module of the toolkit (``nlpzoo.neural.params``) does not start torch.
"""
import importlib

# name -> the toolkit module that defines it
_PUBLIC = {
    **dict.fromkeys(["PAD_ID", "ClassificationObjective", "LanguageModelObjective", "LoopConfig", "Objective",
                     "RegressionObjective", "autocast", "collate", "predict_logits", "train_module", "train_one_epoch",
                     "uses_fp16", "validate"], "training"),
    **dict.fromkeys(["UNK_ID", "PretrainedTokenizer", "SubwordVocabulary", "TextEncoder", "WordVocabulary",
                     "encoder_from_json", "encoder_to_json", "safe_from_pretrained"], "tokenizers"),
    **dict.fromkeys(["NeuralTextClassifier", "NeuralTextRegressor"], "models"),
    "SentenceEncoder": "sentence_vectors",
    "distributed": None,   # the module itself
}
# The toolkit's public names (with nlpzoo's own __all__ and nlpzoo.testing, the whole plugin surface).
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        module = _PUBLIC[name]
        if module is None:
            return importlib.import_module(f"{__name__}.{name}")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module 'nlpzoo.neural' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
