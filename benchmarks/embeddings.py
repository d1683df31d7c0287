"""bigru with FastText vectors (zoo embed) against bigru without, same split and seed.

The vectors are trained on the *training* texts of every shared data set (restaurant and product
reviews, readability sentences; each split with the seed used below, so no test text is seen),
after the classifier's own preprocessing (normalize,tokenize). Then bigru is trained on each review
data set twice: from random embeddings, and from the vectors (embedding_dim = the vectors' size).
Test macro-F1 of both, and the difference, whatever it is; with several seeds, every seed gets
its own split, its own vectors (from that split's training texts) and its own two bigru runs, and
the last lines give the mean of each and the mean difference.

Usage: python benchmarks/embeddings.py [--dim 100] [--epochs 8] [--seeds 13,14,15,16] [--data restaurants products]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPORA = {"restaurants": (SHARED / "restaurant_reviews_qaym.csv", "polarity", "as-is"),
           "products": (SHARED / "product_reviews_souq.csv", "polarity", "as-is"),
           "readability": (SHARED / "readability_readmepp_ar.csv", "readability", "as-is")}


def training_texts(name: str, seed: int) -> list[str]:
    """The training split's texts of one data set, preprocessed as the classifier will see them."""
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import DataOptions
    from nlpzoo.kinds.classifier import prepare_classification_data

    path, score, discretize = CORPORA[name]
    text_col = "sentence" if name == "readability" else "text"
    prepared = prepare_classification_data(DataOptions(str(path), text_col, score, None, discretize, None,
                                                       "normalize,tokenize", seed), get_zoo(), log=lambda m: None)
    return [prepared.texts[i] for i in prepared.split.train]


def main() -> None:
    import nlpzoo
    from nlpzoo.neural.embeddings import train_vectors

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--vector-epochs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=8, help="bigru's most epochs (early stopping as usual)")
    parser.add_argument("--seeds", default="13", help="comma-separated split and training seeds")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--data", nargs="+", default=["restaurants", "products"])
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in args.data}
    for seed in seeds:
        texts = [t for name in CORPORA for t in training_texts(name, seed)]
        with tempfile.TemporaryDirectory() as scratch:
            vectors = train_vectors(texts, Path(scratch) / "vectors", dim=args.dim, epochs=args.vector_epochs,
                                    seed=seed, workers=1)
            info = json.loads((vectors / "embed.json").read_text())
            print(f"seed {seed}: vectors: {info['words']:,} words from {info['texts']:,} training texts"
                  f" ({info['tokens']:,} words)", flush=True)
            for name in args.data:
                path, score, discretize = CORPORA[name]
                scores = {}
                for label, extra in (("without", {}), ("with vectors", {"embeddings": str(vectors)})):
                    run = nlpzoo.train("bigru", data=str(path), score_col=score, discretize=discretize, seed=seed,
                                       params={"embedding_dim": args.dim, "epochs": args.epochs, **extra},
                                       out=Path(scratch) / f"{name}-{label.replace(' ', '-')}", progress=False,
                                       threads=args.threads)
                    scores[label] = run.metrics["macro_f1"]
                    coverage = run.metrics.get("embedding_coverage")
                    print(f"seed {seed}: {name}: bigru {label}: test macro-F1 {scores[label]:.3f}"
                          + (f" (vocabulary coverage {100 * coverage:.1f}%)" if coverage is not None else ""),
                          flush=True)
                results[name].append((scores["without"], scores["with vectors"]))
                print(f"seed {seed}: {name}: difference {scores['with vectors'] - scores['without']:+.3f} macro-F1",
                      flush=True)
    for name, pairs in results.items():
        without, with_vectors = (statistics.fmean(pair[i] for pair in pairs) for i in (0, 1))
        print(f"{name}, mean over seeds {args.seeds}: without {without:.3f}, with vectors {with_vectors:.3f},"
              f" difference {with_vectors - without:+.3f} (per seed: "
              + ", ".join(f"{b - a:+.3f}" for a, b in pairs) + ")", flush=True)


if __name__ == "__main__":
    main()
