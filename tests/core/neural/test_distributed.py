"""Training under torchrun: 2 CPU processes (gloo on 127.0.0.1), rank 0 writes one run directory,
the model loads and predicts, and each rank trained on a disjoint shard."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


from nlpzoo.neural import distributed

ZOO = str(Path(sys.executable).with_name("zoo"))


def zoo(*args, cwd):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([ZOO, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_shard_gives_each_rank_an_equal_disjoint_share(monkeypatch):
    shares = []
    for rank in range(3):
        monkeypatch.setattr(distributed, "_WORLD", distributed.World(rank, 3, rank, "gloo"))
        shares.append(distributed.shard(list(range(10))))
    monkeypatch.setattr(distributed, "_WORLD", None)
    assert shares == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert distributed.shard([1, 2]) == [1, 2]


def test_classifier_trains_on_two_processes(tmp_path):
    result = zoo("run", "--classifier", "bigru", "--param", "epochs=2", "--param", "hidden_size=16", "--param",
                 "embedding_dim=16", "--nproc", "2", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1  # rank 0 alone wrote a run directory
    # the launcher chose the ranks' threads (OMP_NUM_THREADS=1 here) and handed them on
    assert "Torch threads: 1 per worker x 2 (set by OMP_NUM_THREADS)" in result.stderr
    plan = json.loads((runs[0] / "metrics.json").read_text())["thread_plan"]
    assert (plan["threads"], plan["source"]) == (1, "NLPZOO_THREADS")
    assert result.stdout.count("macro F1") == 1  # and printed the table once
    history = json.loads((runs[0] / "history.json").read_text())
    shards = {rank: set(rows) for rank, rows in history["rank_rows"].items()}
    assert set(shards) == {"0", "1"} and shards["0"] and shards["1"]
    assert not shards["0"] & shards["1"]
    sums = history["rank_weight_sums"]  # disjoint shards, yet one model: the gradients were synchronised
    assert set(sums) == {"0", "1"} and sums["0"] == pytest.approx(sums["1"], rel=1e-9, abs=1e-9)
    predicted = zoo("predict", str(runs[0]), "--json", "الطعام لذيذ جدا والخدمة ممتازة", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["label"] in ("low", "medium", "high")
    assert json.loads((runs[0] / "zoo_run.json").read_text())["status"] == "complete"


def test_gpt2_trains_on_two_processes(tmp_path):
    from transformers import AutoModelForCausalLM

    result = zoo("run", "--generator", "gpt2", "--param", "epochs=1", "--param", "n_layer=1", "--param", "n_embd=32",
                 "--param", "n_head=2", "--param", "vocab_size=500", "--param", "block_size=32",
                 "--eval-texts", "2", "--threads", "1", "--nproc", "2", "--no-progress", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    history = json.loads((runs[0] / "history.json").read_text())  # one run format for every kind
    blocks = {rank: set(b) for rank, b in history["rank_blocks"].items()}
    assert set(blocks) == {"0", "1"} and not blocks["0"] & blocks["1"]
    assert AutoModelForCausalLM.from_pretrained(runs[0]).config.n_embd == 32
    generated = zoo("generate", str(runs[0]), "--prompt", "الطعام", "--seed", "1", "--max-new-tokens", "5", "--json",
                    cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert len(json.loads(generated.stdout)["generations"]) == 1
