"""Words per second of the chain normalize,tokenize,stopwords,isri on the restaurant reviews,
next to a naive reference in the same run (target: 5x the reference or more).

The reference does the same work the way a first script would: one document at a time through
spaCy (`nlp(text)`, no batching), the same normalisation, and ISRI stemming word by word with no
cache. Usage: python benchmarks/preprocess.py [--limit N]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from nlpzoo.data.tables import load_dataset
from nlpzoo.data.preprocessing import build_chain

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"


def naive(texts: list[str]) -> list[str]:
    import spacy
    from nltk.stem.isri import ISRIStemmer
    from spacy.lang.ar.stop_words import STOP_WORDS

    from nlpzoo.plugins.normalize import Normalizer

    nlp, stemmer, normalizer = spacy.blank("ar"), ISRIStemmer(), Normalizer()
    stops = set(STOP_WORDS) | {normalizer.normalize(w) for w in STOP_WORDS}
    out = []
    for text in texts:
        doc = nlp(normalizer.normalize(text))
        out.append(" ".join(stemmer.stem(t.text) for t in doc if not t.is_space and t.text not in stops))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--limit", type=int, default=0, help="Use only the first N reviews.")
    args = parser.parse_args()
    texts = load_dataset(args.data, score_col="polarity").texts
    texts = texts[: args.limit] if args.limit else texts
    words = sum(len(t.split()) for t in texts)

    start = time.perf_counter()
    reference = naive(texts)
    naive_seconds = time.perf_counter() - start

    chain = build_chain("normalize,tokenize,stopwords,isri")  # built outside the timing, like the reference's setup
    start = time.perf_counter()
    ours = chain.transform(texts)
    zoo_seconds = time.perf_counter() - start

    agree = sum(a.split() == [w for w in b.split() if w] for a, b in zip(ours, reference)) / len(texts)
    print(f"{len(texts)} reviews, {words} words (whitespace), {args.data}")
    print(f"naive reference: {words / naive_seconds:10.0f} words/s ({naive_seconds:.2f} s)")
    print(f"zoo chain:       {words / zoo_seconds:10.0f} words/s ({zoo_seconds:.2f} s)")
    print(f"speed-up: {naive_seconds / zoo_seconds:.1f}x (target >= 5x); identical outputs: {agree:.1%}")


if __name__ == "__main__":
    main()
