"""Training and evaluating generator runs (``zoo run --generator NAME``), and loading them back.

A generator's run directory is whatever the generator saves (for gpt2, a Hugging Face model
folder) plus ``zoo_run.json`` (component, parameters, data, split, status) and ``metrics.json``.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, distributed
from .atomic import write_json
from .classifier import FitSettings
from .data import load_texts
from .datasets import resolve
from .errors import RunDirError, ZooError
from .preprocessing import build_chain, parse_steps
from .split import stratified_split

RUN_FILE = "zoo_run.json"
FORMAT = "nlp-zoo/generator-run"


def train_generator(component, overrides: dict, data: str | None, text_col: str | None, fmt: str | None,
                    preprocess: str | None, run_dir: Path, settings: FitSettings, zoo) -> dict:
    source = resolve(data, zoo.registry)
    dataset = load_texts(source.path, text_col or source.text_col, fmt or source.fmt)
    if dataset.drop_summary():
        settings.log(f"Warning: {dataset.drop_summary()}")
    texts = build_chain(preprocess, zoo).transform(dataset.texts) if preprocess else list(dataset.texts)
    split = stratified_split([0] * len(texts), settings.seed, 0.1, 0.1, ["text"], dataset.source)
    params = component.resolve_params(overrides)
    record = {"format": FORMAT, "zoo_version": __version__, "status": "training",
              "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "component": {"name": component.name, "base": component.base or component.name,
                            "distribution": component.distribution, "version": component.version},
              "params": params, "preprocess": parse_steps(preprocess),
              "data": {"path": str(Path(source.path).resolve()), "text_col": dataset.text_col,
                       "rows_kept": len(dataset), "dropped": dataset.dropped},
              "split": {"seed": settings.seed, **{k: getattr(split, k) for k in ("train", "validation", "test")}}}
    main = distributed.is_main()
    if main:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_json(run_dir / RUN_FILE, record)
    generator = component.build(**overrides)
    history = generator.train([texts[i] for i in split.train], [texts[i] for i in split.validation], settings, run_dir)
    if not main:  # the other ranks trained their shards; rank 0 evaluates and writes
        return {"metrics": {}, "history": history, "run_dir": str(run_dir), "generator": generator, "test_texts": []}
    metrics = generator.evaluate([texts[i] for i in split.test], settings.seed) if hasattr(generator, "evaluate") else {}
    metrics.update({"train_seconds": history["train_seconds"],
                    "train_tokens_per_second": history["train_tokens"] / max(history["train_seconds"], 1e-9),
                    "parameters": history.get("parameters"), "epochs": history["epochs"],
                    "interrupted": history["interrupted"], "generator": component.name,
                    **({"rank_blocks": history["rank_blocks"]} if "rank_blocks" in history else {})})
    write_json(run_dir / "metrics.json", metrics)
    record["status"] = "complete"
    write_json(run_dir / RUN_FILE, record)
    return {"metrics": metrics, "history": history, "run_dir": str(run_dir), "generator": generator,
            "test_texts": [texts[i] for i in split.test]}


def check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences) -> None:
    problems = []
    if max_new_tokens < 1:
        problems.append(f"--max-new-tokens must be 1 or more (got {max_new_tokens})")
    if not temperature > 0:
        problems.append(f"--temperature must be above 0 (got {temperature}); lower means more predictable")
    if top_k < 0:
        problems.append(f"--top-k must be 0 (off) or more (got {top_k})")
    if not 0 < top_p <= 1:
        problems.append(f"--top-p must be in (0, 1] (got {top_p}); 1.0 turns nucleus sampling off")
    if not repetition_penalty > 0:
        problems.append(f"--repetition-penalty must be above 0 (got {repetition_penalty}); 1.0 is no penalty")
    if num_return_sequences < 1:
        problems.append(f"--num-return-sequences must be 1 or more (got {num_return_sequences})")
    if problems:
        raise ZooError("; ".join(problems) + ".")


def load_generator(run_dir: str | Path, zoo, device: str = "cpu"):
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunDirError(f"Run directory {run_dir} does not exist. Make one with 'zoo run --generator gpt2'.")
    try:
        record = json.loads((run_dir / RUN_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{run_dir} is not a generator run (no {RUN_FILE}).") from None
    except json.JSONDecodeError as error:
        raise RunDirError(f"{run_dir / RUN_FILE} is corrupted ({error}).") from None
    if record.get("format") != FORMAT:
        raise RunDirError(f"{run_dir} was not written by 'zoo run --generator'.")
    if record.get("status") != "complete":
        raise RunDirError(f"{run_dir} holds an unfinished run (status '{record.get('status')}'); train it again.")
    try:
        component = zoo.get("generator", record["component"]["base"])
    except ZooError as error:
        raise RunDirError(f"{run_dir} needs the generator '{record['component']['base']}': {error}") from None
    generator = component.build(**{k: v for k, v in record["params"].items() if component.param(k)})
    generator.load(run_dir, device=device)
    return generator, record
