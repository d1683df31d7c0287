"""Wall time of `zoo bench --jobs 2` against `--jobs 1` over four classifiers, in the same run
(target: 1.6x or more on 2 cores). Each configuration runs the real console script in a fresh
process, alternating, and the medians are compared. The default data is the restaurant reviews
(../shared/data): on the 420-row demo set process start-up outweighs the training.

Usage: python benchmarks/bench_parallel.py [--repeats 2] [--data NAME_OR_PATH] [--epochs 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--classifiers", default="gru,bigru,lstm,bilstm")
    parser.add_argument("--data", default="restaurants", help="a registry name or path (demo is too small to measure)")
    parser.add_argument("--epochs", type=int, default=3, help="zoo bench's default budget")
    args = parser.parse_args()
    zoo = shutil.which("zoo") or str(Path(sys.executable).with_name("zoo"))
    times = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as scratch:
        for repeat in range(args.repeats):
            for jobs in (1, 2):
                command = [zoo, "bench", "--classifiers", args.classifiers, "--data", args.data, "--epochs",
                           str(args.epochs), "--jobs", str(jobs), "--out", f"{scratch}/j{jobs}-{repeat}", "--json"]
                started = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                times[jobs].append(time.perf_counter() - started)
                print(f"--jobs {jobs}: {times[jobs][-1]:.1f} s", flush=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"{args.classifiers} on {args.data}, {args.epochs} epochs: --jobs 1 median {one:.1f} s,"
          f" --jobs 2 median {two:.1f} s; speed-up {one / two:.2f}x (target >= 1.6x)")


if __name__ == "__main__":
    main()
