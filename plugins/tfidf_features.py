"""TF-IDF features shared by the `tfidf-logreg` classifier and the `tfidf-ridge` regressor (not a
plugin itself): character 2-5 n-grams (within words) and word 1-2 n-grams, sublinear tf, saved as
JSON vocabularies and safetensors IDF weights, never pickled."""
from __future__ import annotations

import json
from pathlib import Path


class TfidfFeatures:
    def __init__(self, max_features: int = 200000):
        self.max_features = max_features
        self.vectorizers = None

    def _new(self) -> dict:
        from sklearn.feature_extraction.text import TfidfVectorizer

        common = dict(sublinear_tf=True, max_features=self.max_features, token_pattern=None)
        return {"char": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, **common),
                "word": TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1,
                                        tokenizer=str.split, lowercase=False, **common)}

    def fit(self, texts: list[str]) -> "TfidfFeatures":
        self.vectorizers = self._new()
        for vectorizer in self.vectorizers.values():
            vectorizer.fit(texts)
        return self

    def transform(self, texts: list[str]):
        from scipy.sparse import hstack

        return hstack([v.transform(list(texts)) for v in self.vectorizers.values()]).tocsr()

    def state(self) -> tuple[dict, dict]:
        """(tensors, JSON-able vocabularies) to save."""
        tensors = {f"{name}.idf": v.idf_ for name, v in self.vectorizers.items()}
        vocabularies = {name: {term: int(i) for term, i in v.vocabulary_.items()} for name, v in self.vectorizers.items()}
        return tensors, vocabularies

    def restore(self, tensors: dict, vocabularies: dict) -> None:
        self.vectorizers = self._new()
        for name, vectorizer in self.vectorizers.items():
            vectorizer.vocabulary_ = vocabularies[name]
            vectorizer.idf_ = tensors[f"{name}.idf"]


def save_arrays(directory, tensors_file: str, json_file: str, tensors: dict, document: dict) -> None:
    """Arrays to a safetensors file (C-ordered) and a JSON document beside it, each written atomically."""
    import numpy as np
    from safetensors.numpy import save_file

    from nlpzoo import atomic_path, write_json

    write_json(Path(directory) / json_file, document)
    with atomic_path(Path(directory) / tensors_file) as temporary:
        # safetensors stores raw C-order buffers; scikit-learn's coef_ can be Fortran-ordered
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(temporary))


def load_arrays(directory, tensors_file: str, json_file: str, model_name: str) -> tuple[dict, dict]:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    from nlpzoo import RunDirError

    try:
        return (load_file(str(Path(directory) / tensors_file)),
                json.loads((Path(directory) / json_file).read_text("utf-8")))
    except (OSError, ValueError, SafetensorError) as error:
        raise RunDirError(f"{directory}: the saved {model_name} model cannot be loaded ({type(error).__name__}:"
                          f" {(str(error).splitlines() or [''])[0][:160]}). Train it again with 'zoo run'.") from None
