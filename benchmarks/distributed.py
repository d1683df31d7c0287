"""Training samples/s of bigru with 2 processes x 1 thread (torchrun, gloo, DDP) against 1 process x
1 thread, on the same data in the same run (target: 1.6x or more).

Samples/s = training rows seen per epoch x epochs / training seconds (the training loop's own
clock, so process start-up and data preparation are not counted; both runs do the same work).
Usage: python benchmarks/distributed.py [--data restaurants] [--epochs 1]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def train(nproc: int, args, scratch: Path) -> float:
    zoo = shutil.which("zoo") or str(Path(sys.executable).with_name("zoo"))
    out = scratch / f"nproc{nproc}"
    command = [zoo, "run", "--classifier", "bigru", "--data", args.data, "--param", f"epochs={args.epochs}",
               "--param", "patience=100", *[a for p in args.param for a in ("--param", p)], "--threads", "1", "--out", str(out), "--no-progress", "--json"]
    if nproc > 1:
        command += ["--nproc", str(nproc)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "OMP_NUM_THREADS": "1"})
    metrics = json.loads((out / "metrics.json").read_text())
    history = json.loads((out / "history.json").read_text())
    rows = metrics["train_rows"] * len(history["epochs"])
    if "rank_rows" in history:  # the shards' tails are cut so every rank takes as many steps
        rows = sum(len(r) for r in history["rank_rows"].values()) * len(history["epochs"])
    return rows / metrics["train_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="restaurants")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE passed to both runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        single = train(1, args, Path(scratch))
        double = train(2, args, Path(scratch))
    print(f"bigru on {args.data}, {args.epochs} epoch(s): 1 process x 1 thread {single:.1f} samples/s,"
          f" 2 processes x 1 thread {double:.1f} samples/s; ratio {double / single:.2f}x (target >= 1.6x)")


if __name__ == "__main__":
    main()
