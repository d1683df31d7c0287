"""Tokenizers of the neural toolkit: what turns texts into token ids (:class:`TextEncoder`), the built-in
``word``, ``subword`` and ``pretrained`` encoders, and how an encoder is saved with a run and rebuilt from it."""
from __future__ import annotations

import importlib
import json
from collections import Counter
from typing import Protocol

from ..foundations.errors import ZooError
from .training import PAD_ID


UNK_ID = 1
SPECIALS = ["<pad>", "<unk>"]


class TextEncoder(Protocol):
    """What turns texts into token ids for a neural module."""

    pad_id: int

    @property
    def size(self) -> int:
        """Number of distinct ids (the embedding table's rows)."""

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Token ids of every text (possibly empty lists)."""

    def to_json(self) -> dict:
        """Everything needed to rebuild the encoder offline; read back by :func:`encoder_from_json`.
        A plugin's own encoder class also has a classmethod ``from_json(data)`` that rebuilds it."""


class WordVocabulary:
    """Whitespace tokens; the ``max_size`` most frequent training words seen ``min_freq`` times."""

    pad_id = PAD_ID

    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    @property
    def size(self) -> int:
        return len(self.words)

    @classmethod
    def build(cls, texts: list[str], max_size: int, min_freq: int) -> "WordVocabulary":
        counts = Counter(w for t in texts for w in t.split())
        ranked = sorted((w for w, n in counts.items() if n >= min_freq), key=lambda w: (-counts[w], w))
        return cls(SPECIALS + ranked[: max(0, max_size - len(SPECIALS))])

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        index = self.index
        return [[index.get(w, UNK_ID) for w in text.split()] for text in texts]

    def to_json(self) -> dict:
        return {"units": "word", "words": self.words}


class SubwordVocabulary:
    """BPE subwords trained with `tokenizers` on the training split only."""

    pad_id = PAD_ID

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    @property
    def size(self) -> int:
        return self.tokenizer.get_vocab_size()

    @classmethod
    def build(cls, texts: list[str], vocab_size: int, min_freq: int) -> "SubwordVocabulary":
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
        tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_freq, special_tokens=SPECIALS,
                                      show_progress=False)
        tokenizer.train_from_iterator(texts, trainer=trainer)
        if tokenizer.token_to_id("<pad>") != PAD_ID or tokenizer.token_to_id("<unk>") != UNK_ID:
            raise RuntimeError("BPE special tokens did not get ids 0 and 1")
        return cls(tokenizer)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def to_json(self) -> dict:
        return {"units": "subword", "tokenizer": json.loads(self.tokenizer.to_str())}


REMOTE_CODE = ("{source} asks to run Python code of its own (an auto_map in its config); nlp-zoo never runs code"
               " from a model folder. Use a model whose architecture transformers ships (BERT, RoBERTa, GPT-2,"
               " Llama, ...), or load it yourself where you trust it and save_pretrained a copy without custom code.")


def safe_from_pretrained(loader, source: str, **kwargs):
    """``loader.from_pretrained(source, **kwargs)`` that never runs code shipped with the model:
    ``trust_remote_code=False`` always (without it transformers asks on standard input whether to
    run a folder's own Python file, one keystroke from running it). Every transformers and peft
    load in the zoo goes through here; a folder that needs its own code is one clear ZooError."""
    try:
        return loader.from_pretrained(source, trust_remote_code=False, **kwargs)
    except ValueError as error:
        if "trust_remote_code" in str(error) or "custom code" in str(error):
            raise ZooError(REMOTE_CODE.format(source=source)) from None
        raise


class PretrainedTokenizer:
    """A pre-trained Hugging Face (fast) tokenizer: a hub id or a local folder, loaded with
    ``AutoTokenizer.from_pretrained``. Its whole definition is saved with the run, so loading the
    run needs neither the hub nor the original folder. Special tokens ([CLS], [SEP]) are added as
    the tokenizer's model expects."""

    def __init__(self, backend, pad_id: int, add_special_tokens: bool = True):
        self.backend, self.pad_id, self.add_special_tokens = backend, pad_id, add_special_tokens

    @property
    def size(self) -> int:
        return self.backend.get_vocab_size(with_added_tokens=True)

    @classmethod
    def from_pretrained(cls, name_or_path: str, add_special_tokens: bool = True) -> "PretrainedTokenizer":
        from transformers import AutoTokenizer

        try:
            tokenizer = safe_from_pretrained(AutoTokenizer, name_or_path)
        except (OSError, ValueError) as error:
            raise ZooError(f"Tokenizer '{name_or_path}' cannot be loaded ({str(error).splitlines()[0][:160]})."
                           " Give a local folder saved with save_pretrained, or a hub id while online.") from None
        if not getattr(tokenizer, "is_fast", False):
            raise ZooError(f"Tokenizer '{name_or_path}' has no fast (tokenizers) version; the zoo needs one.")
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        return cls(tokenizer.backend_tokenizer, pad, add_special_tokens)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.backend.encode_batch(list(texts), add_special_tokens=self.add_special_tokens)]

    def to_json(self) -> dict:
        return {"units": "pretrained", "tokenizer": json.loads(self.backend.to_str()), "pad_id": self.pad_id,
                "add_special_tokens": self.add_special_tokens}


BUILTIN_UNITS = ("word", "subword", "pretrained")
ENCODER_CLASS = "encoder_class"   # the key of a plugin encoder's import path in its saved JSON


def encoder_to_json(encoder: TextEncoder) -> dict:
    """What is saved of ``encoder``: its ``to_json()``, and for an encoder that is not built in, the import
    path of its class, whose ``from_json`` rebuilds it. A class without ``from_json`` is refused here, when
    the vocabulary is built, rather than when the saved run fails to load."""
    data = dict(encoder.to_json())
    if isinstance(encoder, (WordVocabulary, SubwordVocabulary, PretrainedTokenizer)):
        return data
    cls = type(encoder)
    if not callable(getattr(cls, "from_json", None)):
        raise TypeError(f"the TextEncoder {cls.__qualname__} has no classmethod from_json(data): the toolkit saves"
                        " to_json() with the run and rebuilds the encoder from it when the run is loaded")
    if "<locals>" in cls.__qualname__ or cls.__module__ == "__main__":
        raise TypeError(f"the TextEncoder {cls.__qualname__} must be a class at the top level of an importable module"
                        f" (it is defined in {cls.__module__}); a saved run finds it by its import path")
    return {**data, ENCODER_CLASS: f"{cls.__module__}:{cls.__qualname__}"}


def _top_package(module: str) -> str:
    return module.split(".", 1)[0]


def encoder_from_json(data: dict, packages: tuple[str, ...] = ()) -> TextEncoder:
    """Rebuild a saved :class:`TextEncoder`: word, subword or pretrained, or a plugin's own class (through its
    ``from_json``), which must live in one of ``packages`` (the top-level packages of the plugin's code), so a
    run file cannot make the zoo import any other installed module."""
    if ENCODER_CLASS in data:
        path = str(data[ENCODER_CLASS])
        module, _, qualname = path.partition(":")
        if _top_package(module) not in {*packages, "nlpzoo"}:
            raise ValueError(f"the saved encoder class {path} is outside the plugin's own packages"
                             f" ({', '.join(sorted(packages)) or 'none'}); nlp-zoo does not import it")
        try:
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"the saved encoder class {path} cannot be found ({error})") from None
        if not isinstance(cls, type) or not callable(getattr(cls, "from_json", None)):
            raise ValueError(f"the saved encoder class {path} is not a TextEncoder class with from_json")
        return cls.from_json(data)
    units = data.get("units")
    if units == "word":
        return WordVocabulary(data["words"])
    if units not in BUILTIN_UNITS:
        raise ValueError(f"the saved encoder has token units {units!r}, which no built-in encoder has, and names"
                         f" no {ENCODER_CLASS} to rebuild it")
    from tokenizers import Tokenizer

    backend = Tokenizer.from_str(json.dumps(data["tokenizer"]))
    if units == "subword":
        return SubwordVocabulary(backend)
    return PretrainedTokenizer(backend, int(data["pad_id"]), bool(data.get("add_special_tokens", True)))


def default_tokenizer(texts: list[str], params: dict) -> TextEncoder:
    """The ``units`` parameter's encoder: ``word`` or ``subword`` trained on ``texts``, or
    ``pretrained`` from the ``tokenizer`` parameter (a hub id or folder)."""
    units = params.get("units", "word")
    if units == "subword":
        return SubwordVocabulary.build(texts, params["vocab_size"], params["min_freq"])
    if units == "pretrained":
        if not params.get("tokenizer"):
            raise ZooError("units=pretrained needs --param tokenizer=HUB_ID_OR_FOLDER.")
        return PretrainedTokenizer.from_pretrained(params["tokenizer"])
    return WordVocabulary.build(texts, params["vocab_size"], params["min_freq"])


def vocabulary_tokens(encoder: TextEncoder) -> list[str]:
    """The token of every id, in id order."""
    if isinstance(encoder, WordVocabulary):
        return list(encoder.words)
    backend = getattr(encoder, "backend", None) or getattr(encoder, "tokenizer")
    return [backend.id_to_token(i) or "" for i in range(encoder.size)]

