"""Does `ensemble(bigru, tfidf-logreg)` beat `tfidf-logreg` alone?

    python benchmarks/ensemble.py                       # restaurants and products, seed 13
    python benchmarks/ensemble.py --data restaurants --seeds 13,14

Every row of a dataset uses the same split (seed), the classifiers' default preprocessing
(normalize,tokenize) and default parameters; the ensemble's members are trained inside it exactly
as `zoo run --classifier ensemble` trains them. Test-split macro-F1; target: the ensemble at least
0.01 above tfidf-logreg on both datasets.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nlpzoo

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = {"restaurants": "restaurant_reviews_qaym.csv", "products": "product_reviews_souq.csv"}
MODELS = [("tfidf-logreg", {}), ("bigru", {}), ("ensemble", {"method": "soft"}), ("ensemble", {"method": "stacking"})]


def data_path(name: str) -> str:
    local = SHARED / FILES.get(name, "")
    return str(local) if local.is_file() else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="restaurants,products")
    parser.add_argument("--seeds", default="13")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    out = Path(tempfile.mkdtemp(prefix="zoo-ensemble-"))
    print("| data | model | test macro-F1 | vs tfidf-logreg | train s |")
    print("|---|---|---|---|---|")
    for data in args.data.split(","):
        scores = {}
        for name, params in MODELS:
            label = name if not params else f"{name} ({params['method']})"
            values, seconds = [], []
            for seed in seeds:
                started = time.perf_counter()
                run = nlpzoo.train(name, data_path(data), params=params, seed=seed, progress=False,
                                   out=out / f"{data}-{label}-{seed}".replace(" ", "_"), log=lambda message: None)
                values.append(run.metrics["macro_f1"])
                seconds.append(time.perf_counter() - started)
            scores[label] = statistics.fmean(values)
            change = scores[label] - scores["tfidf-logreg"]
            print(f"| {data} | {label} | {scores[label]:.3f} | {change:+.3f} | {statistics.fmean(seconds):.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
