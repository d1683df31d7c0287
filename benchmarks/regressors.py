"""Every registered regressor on the ReadMe++ Arabic readability ratings (1-6), same split and seed.

Data: ../shared/data/readability_readmepp_ar.csv (1,739 sentences). Each regressor is trained with
`nlpzoo.workflows.runs.train_run`, exactly as `zoo run --regressor NAME --data readability` trains it: 20% test,
10% validation (early stopping for the neural models), split stratified on the rating, seed 13,
the kind's default preprocessing (tokenize), default parameters. Printed: Spearman, Pearson, MAE,
RMSE, R², within one point, train seconds.

Then the `tfidf-ridge` plugin on the reference protocol of the data's README (80/20 split
stratified on the rating with scikit-learn's train_test_split, seed 13, raw text): reference
Spearman 0.739, MAE 0.714, RMSE 0.873. Targets: the best zoo regressor's Spearman >= the baseline's
on the same split; the baseline plugin within 0.01 of 0.739 on the reference protocol.

Usage: python benchmarks/regressors.py [--models bigru,tfidf-ridge] [--threads 2]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "readability_readmepp_ar.csv"


def reference_protocol(zoo) -> dict:
    from sklearn.model_selection import train_test_split

    from nlpzoo.data.tables import load_dataset
    from nlpzoo.kinds import FitSettings
    from nlpzoo.kinds.regressor import ScoredTexts
    from nlpzoo.data.metrics import regression_metrics

    dataset = load_dataset(DATA, "sentence", "readability")
    scores = [float(s) for s in dataset.scores]
    train_x, test_x, train_y, test_y = train_test_split(dataset.texts, scores, test_size=0.2, stratify=scores,
                                                        random_state=13)
    model = zoo.create("regressor", "tfidf-ridge")
    model.fit(ScoredTexts(train_x, train_y), ScoredTexts([], []), FitSettings(progress=False, log=lambda m: None))
    return regression_metrics(test_y, model.predict(test_x).clip(1, 6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="Comma-separated regressors (default: every registered one).")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not DATA.is_file():
        raise SystemExit(f"{DATA} is not there: this benchmark needs the shared data sets beside the project.")
    import torch

    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import DataOptions, FitSettings, get_kind
    from nlpzoo.workflows.runs import train_run

    torch.set_num_threads(args.threads)
    zoo = get_zoo()
    kind = get_kind("regressor")
    names = args.models.split(",") if args.models else zoo.names("regressor")
    prepared = kind.prepare(DataOptions(data=str(DATA), text_col="sentence", score_col="readability",
                                        score_range=(1, 6), preprocess=kind.default_preprocess, seed=13), zoo)
    print(f"{DATA.name}: {len(prepared.split.train)} train / {len(prepared.split.validation)} validation /"
          f" {len(prepared.split.test)} test sentences; torch {torch.__version__}, {args.threads} threads")
    print(f"| model | Spearman | Pearson | MAE | RMSE | R² | within 1 | train s |\n|---|---|---|---|---|---|---|---|")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            started = time.perf_counter()
            settings = FitSettings(seed=13, device="cpu", progress=False, threads=args.threads, log=lambda m: None)
            result = train_run(kind, zoo.get("regressor", name), {}, prepared, settings, out=Path(scratch) / name)
            m = results[name] = result.metrics
            print(f"| {name} | {m['spearman']:.3f} | {m['pearson']:.3f} | {m['mae']:.3f} | {m['rmse']:.3f} |"
                  f" {m['r2']:.3f} | {m['within_1']:.3f} | {time.perf_counter() - started:.1f} |", flush=True)
    best = max(results, key=lambda n: results[n]["spearman"])
    if "tfidf-ridge" in results:
        baseline = results["tfidf-ridge"]["spearman"]
        print(f"best: {best} Spearman {results[best]['spearman']:.3f} vs tfidf-ridge {baseline:.3f} on the same split"
              f" ({'met' if results[best]['spearman'] >= baseline else 'NOT met'})")
    reference = reference_protocol(zoo)
    print(f"tfidf-ridge on the reference protocol (80/20, train_test_split seed 13, raw text): Spearman"
          f" {reference['spearman']:.3f}, MAE {reference['mae']:.3f}, RMSE {reference['rmse']:.3f}"
          f" (reference 0.739 / 0.714 / 0.873; within 0.01: {abs(reference['spearman'] - 0.739) <= 0.01})")


if __name__ == "__main__":
    main()
