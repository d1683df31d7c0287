"""Start-up cost of `zoo list` against `python -c "import torch"` (issue: target ratio <= 0.15).

Runs both commands alternately, several times, in fresh processes and prints the medians and
their ratio. Usage: python benchmarks/startup.py [--runs 9]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    zoo = shutil.which("zoo") or str(Path(sys.executable).with_name("zoo"))
    commands = {"zoo list": [zoo, "list"], "import torch": [sys.executable, "-c", "import torch"],
                "bare python": [sys.executable, "-c", "pass"]}
    for command in commands.values():  # warm the file cache once
        wall(command)
    times = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(wall(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:>14}: median {value * 1000:7.1f} ms over {args.runs} runs")
    ratio = medians["zoo list"] / medians["import torch"]
    print(f"ratio zoo list / import torch: {ratio:.3f} (target <= 0.15)")


if __name__ == "__main__":
    main()
