"""The offline lemmatiser (qalsadi-lemma): words per second with the per-word-type cache against
calling qalsadi once per word, on the first reviews of the restaurant set (same run).

Usage: python benchmarks/lemmatize.py [--reviews 300]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from nlpzoo.data.tables import load_dataset
from nlpzoo.data.preprocessing import build_chain

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=300)
    args = parser.parse_args()
    texts = build_chain("normalize,tokenize").transform(load_dataset(DATA, score_col="polarity").texts[: args.reviews])
    words = [w for t in texts for w in t.split()]
    plain, chain = build_chain("qalsadi-lemma").steps[0], build_chain("qalsadi-lemma")  # two fresh lemmatisers
    for warm in (plain.map_word, chain.steps[0].map_word):
        warm("كتاب")  # qalsadi loads its dictionaries on the first call: keep that out of both timings
    started = time.perf_counter()
    for word in words:
        plain.map_word(word)  # no cache: one qalsadi call per word
    uncached = time.perf_counter() - started
    started = time.perf_counter()
    chain.transform(texts)
    cached = time.perf_counter() - started
    print(f"{len(words)} words, {len(set(words))} word types in {args.reviews} reviews")
    print(f"qalsadi once per word:       {len(words) / uncached:8.0f} words/s")
    print(f"qalsadi-lemma (type cache):  {len(words) / cached:8.0f} words/s ({uncached / cached:.1f}x)")


if __name__ == "__main__":
    main()
