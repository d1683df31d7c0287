"""zoo tune benchmarks: does a tuned recurrent model reach the TF-IDF baseline, and what do pruning
and worker processes buy?

    python benchmarks/tune.py quality --data restaurants --minutes 40    # tuned bigru vs tfidf-logreg
    python benchmarks/tune.py pruning --data products --minutes 6       # trials finished, median pruner vs none
    python benchmarks/tune.py jobs --data products --minutes 6          # trials finished, --jobs 2 vs --jobs 1

``--data`` is a registry name or a file; ``restaurants`` and ``products`` are read from
../shared/data when it is there (the same files as the registry's downloads). Every row of a
comparison uses the same split seed and space; the quality figure is on the test split, touched
once by the best trial; the baseline is trained with its defaults on the same split.
Results are printed as a Markdown table, then as one line of JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nlpzoo

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = {"restaurants": "restaurant_reviews_qaym.csv", "products": "product_reviews_souq.csv"}
CHAINS = ["normalize,tokenize", "normalize,tokenize,isri", "normalize,tokenize,stopwords,isri"]
SPACE = {"params": {"units": {"choices": ["word", "subword"]}, "max_len": 120}}


def data_path(name: str) -> str:
    local = SHARED / FILES.get(name, "")
    return str(local) if name in FILES and local.is_file() else name


def study(out: Path, name: str, data: str, minutes: float, pruner: str = "median", jobs: int = 1,
          threads: int | None = None, chains=CHAINS, model: str = "bigru", epochs: int = 8, trials=None):
    started = time.perf_counter()
    result = nlpzoo.tune(model, data_path(data), trials=trials, timeout=minutes * 60, space=SPACE,
                         preprocess=chains, params={"epochs": epochs}, pruner=pruner, jobs=jobs, threads=threads,
                         study=name, out=out, progress=False, log=lambda message: None)
    return result, (time.perf_counter() - started) / 60


def quality(args) -> dict:
    out = Path(tempfile.mkdtemp(prefix="zoo-tune-quality-"))
    baseline = nlpzoo.train("tfidf-logreg", data_path(args.data), progress=False, out=out / "tfidf-logreg",
                            threads=args.threads, log=lambda message: None)
    result, minutes = study(out, f"quality-{args.data}", args.data, args.minutes, threads=args.threads)
    counts = result.counts
    row = {"data": args.data, "tfidf_logreg_test_macro_f1": baseline.metrics["macro_f1"],
           "tuned_bigru_test_macro_f1": (result.test or {}).get("macro_f1"),
           "tuned_bigru_validation_macro_f1": (result.best or {}).get("value"),
           "best_params": (result.best or {}).get("params"), "best_preprocess": (result.best or {}).get("preprocess"),
           "trials_complete": counts["complete"], "trials_pruned": counts["pruned"], "trials_failed": counts["fail"],
           "minutes": round(minutes, 1), "threads": args.threads or os.cpu_count(), "cpu_count": os.cpu_count()}
    print("| data | tfidf-logreg test macro-F1 | tuned bigru test macro-F1 | difference | trials (complete/pruned)"
          " | minutes |")
    print("|---|---|---|---|---|---|")
    tuned, reference = row["tuned_bigru_test_macro_f1"], row["tfidf_logreg_test_macro_f1"]
    shown = ("-", "-") if tuned is None else (f"{tuned:.3f}", f"{tuned - reference:+.3f}")
    print(f"| {args.data} | {reference:.3f} | {shown[0]} | {shown[1]} | {counts['complete']}/{counts['pruned']} |"
          f" {row['minutes']} |")
    print(f"best: {row['best_preprocess']} {row['best_params']}")
    shutil.rmtree(out, ignore_errors=True)
    return row


def pruning(args) -> dict:
    out = Path(tempfile.mkdtemp(prefix="zoo-tune-pruning-"))
    finished = {}
    for pruner in ("none", "median"):
        result, minutes = study(out, f"pruning-{pruner}", args.data, args.minutes, pruner=pruner,
                                threads=args.threads, chains=CHAINS[:1])
        finished[pruner] = (result.counts["complete"] + result.counts["pruned"], result.counts, minutes,
                            (result.best or {}).get("value"))
    ratio = finished["median"][0] / max(finished["none"][0], 1)
    print("| pruner | trials finished | complete/pruned | best validation macro-F1 | minutes |")
    print("|---|---|---|---|---|")
    for pruner, (count, counts, minutes, best) in finished.items():
        print(f"| {pruner} | {count} | {counts['complete']}/{counts['pruned']} | {best:.3f} | {minutes:.1f} |")
    print(f"trials in the same wall-clock budget, median pruner / none: {ratio:.2f}x (target >= 2x)")
    shutil.rmtree(out, ignore_errors=True)
    return {"data": args.data, "minutes_budget": args.minutes, "ratio": ratio,
            "rows": {p: {"finished": v[0], **v[1], "minutes": v[2], "best": v[3]} for p, v in finished.items()}}


def jobs(args) -> dict:
    out = Path(tempfile.mkdtemp(prefix="zoo-tune-jobs-"))
    rates = {}
    for count in (1, 2):
        result, minutes = study(out, f"jobs-{count}", args.data, args.minutes, jobs=count, chains=CHAINS[:1])
        finished = result.counts["complete"] + result.counts["pruned"]
        rates[count] = (finished, minutes, finished / minutes * 60)
    ratio = rates[2][2] / max(rates[1][2], 1e-9)
    print("| jobs | threads each | trials finished | minutes | trials per hour |")
    print("|---|---|---|---|---|")
    for count, (finished, minutes, per_hour) in rates.items():
        print(f"| {count} | {max(1, (os.cpu_count() or 1) // count)} | {finished} | {minutes:.1f} | {per_hour:.0f} |")
    print(f"trials per hour, --jobs 2 / --jobs 1: {ratio:.2f}x")
    shutil.rmtree(out, ignore_errors=True)
    return {"data": args.data, "minutes_budget": args.minutes, "ratio": ratio,
            "rows": {str(k): {"finished": v[0], "minutes": v[1], "per_hour": v[2]} for k, v in rates.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("quality", "pruning", "jobs"))
    parser.add_argument("--data", default="restaurants")
    parser.add_argument("--minutes", type=float, default=40.0, help="Wall-clock budget of each study.")
    parser.add_argument("--threads", type=int, help="Torch threads (default: all cores).")
    args = parser.parse_args()
    if args.data in FILES and not (SHARED / FILES[args.data]).is_file():
        print(f"note: {SHARED} is not here; '{args.data}' is downloaded through the registry.", file=sys.stderr)
    row = {"quality": quality, "pruning": pruning, "jobs": jobs}[args.what](args)
    print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
