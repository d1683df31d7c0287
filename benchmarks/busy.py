"""Training and inference throughput on a busy machine: the zoo's thread policy against the old one.

Each model is trained with the real `zoo run` in a fresh process, on a quiet machine and beside 1 and
2 competing processes that spin on a core each (started and stopped here), under three policies:

- `default`: what the zoo does now (threads = the usable cores that other processes leave free);
- `old`: what it did before (`--threads` = every usable core, torch's default);
- `old+passive`: the old count with `OMP_WAIT_POLICY=PASSIVE`, the other remedy usually suggested.

Figures are medians over `--repeats` runs of train tokens/s and inference texts/s from metrics.json,
and each is shown as a ratio to the old policy's quiet figure. Targets: beside one busy process, the
default's training throughput is at least 0.45x of its quiet figure; quiet, the default keeps at
least 0.97x of the old quiet figure.

The encoder is a BERT with random weights (hidden 256, 4 layers, a WordPiece vocabulary trained on
the texts; speed does not depend on what the weights know) built by benchmarks/encoder.py.

Usage: python benchmarks/busy.py [--models bigru,encoder] [--loads 0,1,2] [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICIES = {"default": ({}, []), "old": ({}, ["--threads", "CORES"]),
            "old+passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, ["--threads", "CORES"])}
MODELS = {"bigru": ["--classifier", "bigru"],
          "encoder": ["--classifier", "encoder", "--param", "epochs=2", "--param", "batch_size=16",
                      "--param", "max_length=64"]}
SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"


def spinners(count: int, seconds: float) -> list[subprocess.Popen]:
    """``count`` processes that each keep a core busy (and stop by themselves after ``seconds``)."""
    return [subprocess.Popen([sys.executable, "-c", SPIN.format(seconds=seconds)]) for _ in range(count)]


def one_run(zoo: str, args: list[str], env: dict, folder: Path) -> dict:
    subprocess.run([zoo, "run", *args, "--out", str(folder), "--no-progress", "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    metrics = json.loads((folder / "metrics.json").read_text("utf-8"))
    return {"train": metrics["train_tokens_per_second"], "infer": metrics["inference_texts_per_second"],
            "threads": metrics.get("threads")}


def encoder_folder(scratch: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    import encoder  # benchmarks/encoder.py

    import nlpzoo.data

    encoder.SIZES["small"] = {"hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4,
                              "intermediate_size": 1024}
    texts = (Path(nlpzoo.data.__file__).parent / "demo_reviews.csv").read_text("utf-8").splitlines()
    return encoder.random_bert(scratch / "bert-small", texts, "small")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="bigru,encoder")
    parser.add_argument("--loads", default="0,1,2", help="competing busy processes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--policies", default=",".join(POLICIES))
    args = parser.parse_args()
    zoo = shutil.which("zoo") or str(Path(sys.executable).with_name("zoo"))
    cores = len(os.sched_getaffinity(0))
    loads = [int(x) for x in args.loads.split(",")]
    results: dict[tuple, list[dict]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        models = {name: list(MODELS[name]) for name in args.models.split(",")}
        if "encoder" in models:
            models["encoder"] += ["--model", str(encoder_folder(scratch))]
        for load in loads:
            busy = spinners(load, seconds=1800)
            time.sleep(1.0)   # let them take their cores
            try:
                for repeat in range(args.repeats):   # policies alternate, so drift in the load hits each alike
                    for model, model_args in models.items():
                        for policy in args.policies.split(","):
                            extra_env, extra_args = POLICIES[policy]
                            run_args = model_args + [a.replace("CORES", str(cores)) for a in extra_args]
                            env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "NLPZOO_THREADS")}
                            figures = one_run(zoo, run_args, {**env, **extra_env},
                                              scratch / f"{model}-{policy}-{load}-{repeat}")
                            results.setdefault((model, policy, load), []).append(figures)
                            print(f"{model:8} {policy:12} busy {load}: train {figures['train']:9,.0f} tok/s,"
                                  f" infer {figures['infer']:8,.0f} texts/s, {figures['threads']} threads", flush=True)
            finally:
                for process in busy:
                    process.kill()
                    process.wait()
    print(f"\n{cores} usable cores; medians of {args.repeats}; ratio: to the old policy on a quiet machine\n")
    print("| model | policy | busy processes | threads | train tok/s | ratio | infer texts/s | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for (model, policy, load), runs in results.items():
        reference = results.get((model, "old", 0))
        train = statistics.median(r["train"] for r in runs)
        infer = statistics.median(r["infer"] for r in runs)
        ref_train = statistics.median(r["train"] for r in reference) if reference else None
        ref_infer = statistics.median(r["infer"] for r in reference) if reference else None
        threads = "/".join(str(t) for t in sorted({r["threads"] for r in runs}))
        print(f"| {model} | {policy} | {load} | {threads} | {train:,.0f} | "
              f"{train / ref_train:.2f}x | {infer:,.0f} | {infer / ref_infer:.2f}x |" if reference else
              f"| {model} | {policy} | {load} | {threads} | {train:,.0f} | - | {infer:,.0f} | - |")
    for model in models:
        quiet, loaded = results.get((model, "default", 0)), results.get((model, "default", 1))
        old_quiet = results.get((model, "old", 0))
        if quiet and loaded:
            ratio = statistics.median(r["train"] for r in loaded) / statistics.median(r["train"] for r in quiet)
            print(f"{model}: default beside 1 busy process / default quiet = {ratio:.2f}x (target >= 0.45x)")
        if quiet and old_quiet:
            ratio = statistics.median(r["train"] for r in quiet) / statistics.median(r["train"] for r in old_quiet)
            print(f"{model}: default quiet / old quiet = {ratio:.2f}x (target >= 0.97x)")


if __name__ == "__main__":
    main()
