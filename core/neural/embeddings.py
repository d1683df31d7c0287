"""Word vectors for the neural models: trained with gensim's FastText on unlabeled text (``zoo embed``),
or read from the standard files people download (fastText's ``cc.ar.300.vec``, AraVec in word2vec
format).

A vectors folder written by :func:`train_vectors` holds no pickles:

- ``vectors.vec`` (word2vec text format) or ``vectors.bin`` (word2vec binary format): one vector
  per word; any word2vec reader opens it (gensim's ``KeyedVectors.load_word2vec_format``);
- ``ngrams.safetensors``: FastText's subword n-gram buckets, so a word the corpus never had
  still gets a vector (the mean of its character n-grams' rows, as FastText computes it);
- ``embed.json``: dimensions, n-gram settings, the preprocessing chain and the corpus files.

:func:`load_vectors` reads such a folder or a plain ``.vec``/``.txt``/``.bin`` file, and
:func:`initialise_embedding` fills a model's embedding rows from them and reports the coverage.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data.tables import load_texts
from ..foundations.atomic import save_tensors, write_json
from ..foundations.errors import ZooError
from ..foundations.paths import inside


INFO_FILE = "embed.json"
NGRAMS_FILE = "ngrams.safetensors"


@dataclass
class WordVectors:
    """Vectors by word, and (for FastText) the n-gram buckets that give unknown words a vector."""

    words: dict[str, int]
    matrix: np.ndarray                       # (words, dim)
    ngrams: np.ndarray | None = None         # (buckets, dim)
    min_n: int = 3
    max_n: int = 6
    info: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def vector(self, word: str) -> tuple[np.ndarray | None, str]:
        """(vector, how): "word" when the word has its own, "ngrams" when built from its subwords,
        (None, "missing") otherwise."""
        index = self.words.get(word)
        if index is not None:
            return self.matrix[index], "word"
        if self.ngrams is not None:
            from gensim.models.fasttext import ft_ngram_hashes

            hashes = ft_ngram_hashes(word, self.min_n, self.max_n, len(self.ngrams))
            if hashes:
                return self.ngrams[hashes].mean(axis=0), "ngrams"
        return None, "missing"


def read_texts(paths: list[str], text_col: str | None = None, fmt: str | None = None) -> list[str]:
    """Every text of every file (a scrape's JSON Lines, a data set's CSV, ...), in order."""
    texts: list[str] = []
    for path in paths:
        texts.extend(load_texts(path, text_col, fmt).texts)
    return texts


def train_vectors(texts: list[str], out: str | Path, dim: int = 100, epochs: int = 5, min_count: int = 2,
                  window: int = 5, min_n: int = 3, max_n: int = 6, buckets: int = 200_000, seed: int = 13,
                  workers: int = 1, binary: bool = False, info: dict | None = None) -> Path:
    """Train FastText on ``texts`` (already preprocessed: tokens split on spaces) and write the folder."""
    from gensim.models import FastText

    sentences = [text.split() for text in texts if text.split()]
    if not sentences:
        raise ZooError("No words to train vectors on: the texts are empty after preprocessing.")
    model = FastText(vector_size=dim, window=window, min_count=min_count, min_n=min_n, max_n=max_n, bucket=buckets,
                     seed=seed, workers=workers, sg=1)
    model.build_vocab(corpus_iterable=sentences)
    if not model.wv.key_to_index:
        raise ZooError(f"No word occurs {min_count} times or more in the {len(sentences)} texts; lower --min-count.")
    model.train(corpus_iterable=sentences, total_examples=len(sentences), epochs=epochs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = "vectors.bin" if binary else "vectors.vec"
    model.wv.save_word2vec_format(str(out / name), binary=binary)
    save_tensors(out / NGRAMS_FILE, {"ngrams": __import__("torch").from_numpy(
        np.ascontiguousarray(model.wv.vectors_ngrams, dtype=np.float32))})
    write_json(out / INFO_FILE, {"format": "nlp-zoo/word-vectors", "vectors": name, "dim": dim, "words": len(
        model.wv.key_to_index), "min_n": min_n, "max_n": max_n, "buckets": buckets, "epochs": epochs,
        "min_count": min_count, "window": window, "texts": len(sentences),
        "tokens": sum(len(s) for s in sentences), **(info or {})})
    return out


MAX_DIM = 4096   # dimensions of a word vector (fastText's and AraVec's are 300)


def check_vectors_header(file: Path, binary: bool) -> None:
    """The word2vec header (word count, dimensions) checked against the file's size before gensim
    allocates count x dimensions floats: a header that claims more than the file can hold is refused."""
    if not file.is_file():
        raise ZooError(f"{file} is not a regular file; give a word2vec .vec/.bin file or a 'zoo embed' folder.")
    with open(file, "rb") as handle:
        first = handle.readline(200).split()
    try:
        count, dim = int(first[0]), int(first[1])
    except (IndexError, ValueError):
        raise ZooError(f"{file}: the first line must be the word count and the dimensions (word2vec format);"
                       " fastText's .vec files and word2vec .bin files are; gensim model files (.model, .mdl)"
                       " are pickles and are not read.") from None
    size = file.stat().st_size
    least = count * dim * (4 if binary else 2)  # a float is 4 bytes in .bin, "0 " at least 2 in .vec
    if count < 1 or not 1 <= dim <= MAX_DIM or least > size:
        raise ZooError(f"{file} declares {count:,} words of {dim:,} dimensions, which {size:,} bytes cannot hold"
                       f" (or past {MAX_DIM:,} dimensions); the file is truncated or its header is wrong.")


def load_vectors(path: str | Path) -> WordVectors:
    """A folder written by ``zoo embed``, or a word2vec text (``.vec``, ``.txt``) or binary (``.bin``) file."""
    from gensim.models import KeyedVectors

    path = Path(path).expanduser()
    if not path.exists():
        raise ZooError(f"No word vectors at {path}: give a folder written by 'zoo embed' or a .vec/.bin file.")
    info, ngrams = {}, None
    if path.is_dir():
        try:
            info = json.loads((path / INFO_FILE).read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise ZooError(f"{path} is not a vectors folder written by 'zoo embed' ({error}).") from None
        if not isinstance(info, dict):
            raise ZooError(f"{path / INFO_FILE} is not a 'zoo embed' record (a JSON object).")
        file = inside(path, info.get("vectors"), f"{INFO_FILE} 'vectors'")
        if (path / NGRAMS_FILE).is_file():
            from safetensors.numpy import load_file

            ngrams = load_file(str(path / NGRAMS_FILE))["ngrams"]
    else:
        file = path
    binary = file.suffix == ".bin"
    check_vectors_header(file, binary)
    try:
        vectors = KeyedVectors.load_word2vec_format(str(file), binary=binary, unicode_errors="replace")
    except (OSError, ValueError, UnicodeDecodeError, EOFError) as error:
        # the reason by its type only: gensim's own message quotes the file's lines
        reason = error.strerror if isinstance(error, OSError) and error.strerror else f"{type(error).__name__}"
        raise ZooError(f"{file} cannot be read as word2vec {'binary' if binary else 'text'} format ({reason}: its"
                       " header must be the word count and the dimension, then one word and its numbers a line)."
                       " fastText's .vec files and word2vec .bin files are; gensim model files (.model, .mdl) are"
                       " pickles and are not read.") from None
    return WordVectors(dict(vectors.key_to_index), np.asarray(vectors.vectors, dtype=np.float32), ngrams,
                       info.get("min_n", 3), info.get("max_n", 6), info)


def initialise_embedding(weight, tokens: list[str], vectors: WordVectors, skip: int = 0) -> dict:
    """Copy the vector of ``tokens[i]`` into row ``i`` of ``weight`` (a torch tensor) for every token
    after the first ``skip`` (padding, unknown); returns the coverage counts."""
    import torch

    if weight.shape[1] != vectors.dim:
        raise ZooError(f"The word vectors have {vectors.dim} dimensions and the model's embeddings"
                       f" {weight.shape[1]}: add --param embedding_dim={vectors.dim}.")
    counts = {"word": 0, "ngrams": 0, "missing": 0}
    with torch.no_grad():
        for row, token in enumerate(tokens):
            if row < skip:
                continue
            vector, how = vectors.vector(token)
            counts[how] += 1
            if vector is not None:
                weight[row] = torch.from_numpy(np.asarray(vector, dtype=np.float32))
    total = max(1, sum(counts.values()))
    return {"embedding_words": counts["word"], "embedding_ngram_words": counts["ngrams"],
            "embedding_missing_words": counts["missing"], "embedding_coverage": counts["word"] / total}
