"""Does `ensemble(bigru, tfidf-logreg)` beat `tfidf-logreg` alone?

    python benchmarks/ensemble.py                       # restaurants and products, seeds 13 to 16
    python benchmarks/ensemble.py --data restaurants --seeds 13

For each dataset and seed, one `ensemble` run (method=stacking) is trained exactly as
`zoo run --classifier ensemble --param method=stacking` trains it: both members on the same split,
the classifiers' default preprocessing (normalize,tokenize) and default parameters. Every row is
then scored on that run's test split from the same trained members: each member alone (which is
what `zoo run --classifier bigru` / `tfidf-logreg` gives on that split and seed), soft voting, and
the stacker with and without class weights. Sharing the members takes the members' own
seed-to-seed noise out of the comparison between combination methods and trains bigru once, not
four times. Test-split macro-F1; target: the ensemble at least 0.01 above tfidf-logreg on both
datasets.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nlpzoo
from nlpzoo import DataOptions, get_zoo
from nlpzoo.kinds.classifier import prepare_classification_data

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = {"restaurants": "restaurant_reviews_qaym.csv", "products": "product_reviews_souq.csv"}
ROWS = ["tfidf-logreg", "bigru", "ensemble, soft voting", "ensemble, stacking (classes weighted, the default)",
        "ensemble, stacking (classes unweighted)"]


def data_path(name: str) -> str:
    local = SHARED / FILES.get(name, "")
    return str(local) if local.is_file() else name


def scores_of(run, data: str, seed: int) -> dict[str, float]:
    """Test macro-F1 of every row, from the one trained ensemble in ``run``."""
    ensemble = run.loaded.model
    members, names = list(ensemble.members), list(ensemble.names)
    scores = {ROWS[3]: run.evaluate()["macro_f1"]}
    try:
        for name, member in zip(names, members):   # a one-member soft vote is that member's probabilities
            ensemble.members, ensemble.method = [member], "soft"
            scores[name] = run.evaluate()["macro_f1"]
        ensemble.members = members
        scores[ROWS[2]] = run.evaluate()["macro_f1"]
        validation = prepare_classification_data(DataOptions(data=data, preprocess="normalize,tokenize", seed=seed),
                                                 get_zoo(), log=lambda message: None).part("validation")
        ensemble.method, ensemble.stacker_class_weight = "stacking", "none"
        ensemble._fit_stacker(validation, seed)
        scores[ROWS[4]] = run.evaluate()["macro_f1"]
    finally:
        run._loaded = None   # the next use reloads the saved run as it is
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="restaurants,products")
    parser.add_argument("--seeds", default="13,14,15,16")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    out = Path(tempfile.mkdtemp(prefix="zoo-ensemble-"))
    print(f"| data | model | test macro-F1 ({', '.join(f'seed {s}' for s in seeds)}) | mean | vs tfidf-logreg |")
    print("|---|---|---|---|---|")
    for data in args.data.split(","):
        per_seed = []
        for seed in seeds:
            started = time.perf_counter()
            run = nlpzoo.train("ensemble", data_path(data), params={"method": "stacking"}, seed=seed,
                               preprocess="normalize,tokenize", progress=False, out=out / f"{data}-{seed}",
                               log=lambda message: None)
            per_seed.append(scores_of(run, data_path(data), seed))
            print(f"  ({data}, seed {seed}: trained in {time.perf_counter() - started:.0f} s)", flush=True)
        baseline = statistics.fmean(s["tfidf-logreg"] for s in per_seed)
        for row in ROWS:
            values = [s[row] for s in per_seed]
            mean = statistics.fmean(values)
            print(f"| {data} | {row} | {' / '.join(f'{v:.3f}' for v in values)} | {mean:.3f} | {mean - baseline:+.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
