"""Training a run, loading it back, and generating with it: ``nlpzoo.train``, ``load`` and ``generate``."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..foundations.errors import ZooError
from ..foundations.threads import ThreadPlan, plan_threads
from ..kinds import DataOptions, FitSettings, get_kind
from ..kinds.base import log_info
from ..machinery.discovery import get_zoo
from ..neural import distributed
from ..workflows.runs import component_of_run, read_record, resolve_run_dir, train_run
from .inputs import DataLike, materialize
from .kinds import trainable_kinds
from .results import Run


def train(model: str, data: DataLike = None, *, kind: str = "classifier", text_col: str | None = None,
          score_col: str | None = None, fmt: str | None = None, discretize: str | None = None,
          score_range: tuple[float, float] | None = None, preprocess: str | None = "default",
          params: dict | None = None, seed: int = 13, test_fraction: float = 0.2, validation_fraction: float = 0.1,
          out: str | Path | None = None, device: str = "auto", threads: int | ThreadPlan | None = None,
          progress: bool = True,
          resume: str | Path | None = None, eval_texts: int | None = None,
          on_epoch: Callable[[dict], Any] | None = None, registry: str | None = None,
          log: Callable[[str], Any] = log_info) -> Run:
    """Train and test ``model`` (a component name of ``kind``) and save it in a run folder.

    ``data``: a file, a registry dataset name (``nlpzoo.list_datasets()``), a pandas DataFrame,
    ``(texts, scores)``, or a list of texts (generators); None is the built-in demo set.
    ``preprocess``: "normalize,tokenize", "none", or "default" (a preset's own chain, else the kind's). ``params``: the
    component's parameters (``nlpzoo.info(model)``). ``out``: the run folder (default
    ``runs/<time>-<model>``). ``resume``: continue an unfinished run folder instead. ``threads``:
    torch's threads (None: the free cores, see ``nlpzoo.api.plan_threads``). ``on_epoch`` is called
    with each finished epoch's record. Returns the :class:`Run`.
    """
    zoo = get_zoo(registry)
    overrides = dict(params or {})
    if resume:
        record = read_record(resume, require_complete=False)
        kind_object = get_kind(record.get("kind", "classifier"))
        component = component_of_run(Path(resume), record, zoo)
        recorded = record["component"]["name"]
        if model is not None and model not in (recorded, component.name):
            raise ZooError(f"{resume} is a run of the {kind_object.name} '{recorded}'; resume continues it as it is:"
                           f" leave out the other model.")
        saved = record["data_options"]
        if data is not None and data != saved.get("data"):
            raise ZooError(f"{resume} was trained on {saved.get('data') or 'the built-in demo set'}; resume continues"
                           f" it on the same data: leave out data={data!r}.")
        overrides = {**{k: v for k, v in record["params"].items() if component.param(k)}, **overrides}
        options = DataOptions(**{**saved, "score_range": tuple(saved["score_range"]) if saved.get("score_range") else None})
        seed = record["seed"]
    else:
        kind_object = get_kind(kind)
        if not kind_object.trainable:
            raise ZooError(f"A {kind_object.name} is not trained; kinds you can train: "
                           + ", ".join(k.name for k in trainable_kinds()) + ".")
        component = zoo.get(kind_object.name, model)
        component.resolve_params(overrides)  # a bad parameter fails before any work
        path, text_col, score_col = materialize(data, text_col, score_col)
        chain = (component.preprocess or kind_object.default_preprocess) if preprocess == "default" else preprocess
        options = DataOptions(path, text_col, score_col, fmt, discretize, tuple(score_range) if score_range else None,
                              None if not chain or chain.strip().lower() == "none" else chain, seed,
                              test_fraction, validation_fraction)
    prepared = kind_object.prepare(options, zoo, log=log, progress=progress)
    classes = f", classes {', '.join(prepared.class_names)}" if hasattr(prepared, "class_names") else ""
    log(f"{component.name}: {len(prepared.split.train)} train / {len(prepared.split.validation)} validation /"
        f" {len(prepared.split.test)} test texts{classes}")
    settings = FitSettings(seed=seed, device=device, progress=progress, log=log, eval_texts=eval_texts,
                           on_epoch=on_epoch)
    result = train_run(kind_object, component, overrides, prepared, settings, out=out, resume=resume,
                       threads=plan_threads(threads))

    if not distributed.is_main():
        return result  # the other ranks of a torchrun job have no run folder of their own
    return Run(result.run_dir, registry=registry, interrupted=result.interrupted)


def load(run_dir: str | Path = "latest", device: str = "cpu", registry: str | None = None) -> Run:
    """A saved run folder (``"latest"``: the newest complete run under ``runs/``)."""
    run = Run(resolve_run_dir(run_dir), device=device, registry=registry)
    run.loaded  # load now, so a broken folder is an error here rather than at the first predict()
    return run


def generate(run: Run | str | Path, prompt: str = "", **settings) -> list[str]:
    """Continue ``prompt`` with a generator run (see :meth:`Run.generate`)."""
    return (run if isinstance(run, Run) else load(run)).generate(prompt, **settings)
