"""Run directories: one format for every trainable kind, one way to train into them and load them.

A run directory holds::

    zoo_run.json      the record: kind, format version, the component and the plugin distribution and
                      version that made it, parameters, preprocessing, data (path + sha256), split seed,
                      the kind's own fields (e.g. class names); status "training" until the very end,
                      "failed" (with the error) when training failed, "complete" last
    split.json        the exact train/validation/test rows
    model files       written by the component's ``save`` (safetensors / JSON, never pickles)
    metrics.json      test-split metrics computed by the core for the kind, timings, size
    history.json      per-epoch records
    ...               the kind's plots (see its module in nlpzoo.kinds)
    README.md         the model card: data, parameters, metrics, plots, how to load it (Hugging Face Hub layout)
    checkpoint/       resumable training state, when the component keeps one

Every file is written atomically and the record is marked complete last, after the saved model
was loaded back into a fresh object and shown to predict exactly as the trained one; so a crashed
or broken run never looks like a finished model. A run is loaded through the plugin distribution
recorded in it, so installing another plugin with the same name never breaks an existing run.
"""
from __future__ import annotations

import json
import re
import shlex
import sys
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from ..data.preprocessing import parse_steps
from ..foundations.atomic import write_json, write_text
from ..foundations.errors import RunDirError, ZooError, caller_callback, plugin_code
from ..foundations.threads import LoadWatch, ThreadPlan, apply_threads, plan_threads
from ..foundations.versions import __version__
from ..kinds import FitSettings, RunResult, TrainableKind, get_kind
from ..kinds.base import train_tokens_per_second
from ..machinery.components import Component
from ..neural import distributed


RUN_FILE = "zoo_run.json"
RUN_FORMAT = "nlp-zoo/run"
RUN_FORMAT_VERSION = 2
# Runs written by nlp-zoo 0.1: classifiers kept config.json, generators zoo_run.json.
_LEGACY = {"nlp-zoo/classifier-run": ("config.json", "classifier"), "nlp-zoo/generator-run": (RUN_FILE, "generator")}
# a distilled student keeps its teacher's record and outputs beside its model (nlpzoo.neural.distillation)
TEACHER_FILES = ("distillation.json", "teacher_outputs.safetensors")
_NOT_MODEL_FILES = {RUN_FILE, "metrics.json", "history.json", "split.json", "README.md", *TEACHER_FILES}


def new_run_dir(name: str, out: str | Path | None) -> Path:
    """``out`` (which must be new or empty), or ``runs/<time>-<name>``; under torchrun every rank
    gets rank 0's choice."""
    if not distributed.is_main():
        return Path(distributed.gather(None)[0])
    if out:
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise ZooError(f"--out {path} exists and is not empty. Choose a new folder, or resume it with --resume {path}.")
        path.mkdir(parents=True, exist_ok=True)
    else:
        base = Path("runs") / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{name}"
        path, n = base, 1
        while path.exists():
            n += 1
            path = Path(f"{base}-{n}")
        path.mkdir(parents=True)
    if distributed.world() is not None:
        distributed.gather(str(path))  # pairs with the other ranks' gather above
    return path


def component_info(component: Component) -> dict:
    return {"name": component.name, "kind": component.kind, "base": component.base or component.name,
            "plugin": component.plugin, "distribution": component.distribution, "version": component.version}


# -- reading records --------------------------------------------------------------------------------
def read_record(run_dir: str | Path, require_complete: bool = True) -> dict:
    """The run's record, checked; runs of nlp-zoo 0.1 are read too."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunDirError(f"Run directory {run_dir} does not exist. Runs are made by 'zoo run'.")
    record = None
    for name in (RUN_FILE, "config.json"):
        path = run_dir / name
        if not path.is_file():
            continue
        try:
            candidate = json.loads(path.read_text("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise RunDirError(f"{path} is corrupted ({error}). Train again with 'zoo run'.") from None
        if isinstance(candidate, dict) and (candidate.get("format") == RUN_FORMAT
                                            or _LEGACY.get(candidate.get("format"), ("",))[0] == name):
            record = candidate
            break
    if record is None:
        raise RunDirError(f"{run_dir} is not a zoo run directory (no {RUN_FILE} written by 'zoo run').")
    if record.get("format") in _LEGACY:
        record = {**record, "kind": _LEGACY[record["format"]][1], "format_version": 1}
    if not isinstance(record.get("format_version", 0), int) or record.get("format_version", 0) > RUN_FORMAT_VERSION:
        raise RunDirError(f"{run_dir} was written by a newer nlp-zoo (format {record.get('format_version')});"
                          " upgrade nlp-zoo.")
    component = record.get("component")
    if not isinstance(component, dict) or not isinstance(component.get("base"), str):
        raise RunDirError(f"{run_dir}: {RUN_FILE} names no component. Train again with 'zoo run'.")
    if require_complete and record.get("status") != "complete":
        if record.get("status") == "failed":
            raise RunDirError(f"{run_dir} holds a failed run ({record.get('error', 'no error recorded')}).")
        raise RunDirError(f"{run_dir} holds an unfinished run (status '{record.get('status')}'). Continue it with"
                          f" 'zoo run --resume {run_dir}'.")
    return record


def resolve_run_dir(run_dir: str | Path, root: str | Path = "runs") -> Path:
    """``run_dir`` itself, or for ``"latest"`` the newest complete run under ``root``."""
    if str(run_dir) != "latest" or Path(run_dir).exists():
        return Path(run_dir)
    newest = None
    for folder in sorted(Path(root).glob("*/")) if Path(root).is_dir() else []:
        try:
            record = read_record(folder)
        except RunDirError:
            continue
        key = (record.get("created", ""), folder.stat().st_mtime)
        if newest is None or key > newest[0]:
            newest = (key, folder)
    if newest is None:
        raise RunDirError(f"No complete run under {root}/ yet: 'latest' names the newest one. Train one with 'zoo run'.")
    return newest[1]


def component_of_run(run_dir: Path, record: dict, zoo) -> Component:
    """The component that made the run, from the distribution recorded in it."""
    info = record["component"]
    kind = record.get("kind", "classifier")
    try:
        return zoo.get(kind, info["base"], distribution=info.get("distribution") or None)
    except ZooError as error:
        raise RunDirError(f"{run_dir} needs the {kind} '{info['base']}' from {info.get('distribution', '?')}"
                          f" {info.get('version', '')}, which is not available here: {error}") from None


def load_model(run_dir: str | Path, zoo, device: str = "cpu"):
    """(kind, record, the trained object) of a complete run."""
    run_dir = Path(run_dir)
    record = read_record(run_dir)
    kind = get_kind(record.get("kind", "classifier"))
    component = component_of_run(run_dir, record, zoo)
    params = record.get("params") or {}
    model = component.build(**{k: v for k, v in params.items() if component.param(k)})
    with plugin_code(component, "load"):
        model.load(run_dir, device=device)   # a 0.1 plugin's load(run_dir) was adapted when it was built
    return kind, record, model


def load_run(run_dir: str | Path, zoo, device: str = "cpu"):
    """A complete run, ready to use: for a classifier, an object with ``predict`` and ``evaluate``;
    for a generator, the generator itself."""
    kind, record, model = load_model(run_dir, zoo, device)
    return kind.loaded(Path(run_dir), record, model, zoo)


# -- training ---------------------------------------------------------------------------------------
def new_record(kind: TrainableKind, component: Component, params: dict, prepared, settings: FitSettings) -> dict:
    options = prepared.options
    return {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION, "kind": kind.name, "zoo_version": __version__,
            "status": "training", "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "component": component_info(component), "params": params,
            "preprocess": parse_steps(options.preprocess), "data": prepared.source,
            "data_options": asdict(options),
            "split": {"file": "split.json", "seed": prepared.split.seed, "test_fraction": prepared.split.test_fraction,
                      "validation_fraction": prepared.split.validation_fraction},
            "seed": settings.seed, "device": settings.device, **kind.record(prepared)}


def check_resume(run_dir: Path, record: dict, component: Component, params: dict, prepared) -> None:
    """A resume must continue the same thing: same component, parameters and data split."""
    info = record["component"]
    if (component.base or component.name) != info["base"] or component.name != info["name"]:
        raise ZooError(f"{run_dir} was trained with '{info['name']}', not '{component.name}'; resume it without"
                       " naming another model.")
    changed = sorted(k for k, v in params.items() if record["params"].get(k, v) != v
                     and not (component.param(k) and component.param(k).budget))
    if changed:
        budget = ", ".join(p.name for p in component.params if p.budget) or "none"
        raise ZooError(f"--resume continues {run_dir} with its own parameters; these differ: "
                       + ", ".join(f"{k}={params[k]!r} (run: {record['params'].get(k)!r})" for k in changed)
                       + f". A resume may change only the training budget ({budget}); start a new run to change"
                         " anything else.")
    try:
        saved = json.loads((run_dir / "split.json").read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RunDirError(f"Cannot resume {run_dir}: split.json is unreadable ({error}).") from None
    if saved.get("train") != prepared.split.train or saved.get("test") != prepared.split.test:
        raise ZooError(f"The data of {run_dir} changed since the run started; its split no longer matches.")


def train_run(kind: TrainableKind, component: Component, overrides: dict, prepared, settings: FitSettings,
              out: str | Path | None = None, resume: str | Path | None = None,
              threads: ThreadPlan | None = None) -> RunResult:
    """Build, train, test, save, reload-check and record one component. Every parameter is
    checked and the model built before any run directory exists. ``threads``: the plan of a caller
    that shares the cores between workers (bench jobs); None: planned here from ``settings.threads``."""
    params = component.resolve_params(overrides)
    model = component.build(**overrides)
    plan = plan_threads(threads or settings.threads)
    if "torch" in sys.modules:  # a torch model's plugin is loaded by now; a TF-IDF run never needs torch
        settings.threads = apply_threads(plan)
        settings.log(f"Torch threads: {plan.describe()}")
    else:
        settings.threads = plan.threads
    if resume:
        run_dir = Path(resume)
        record = read_record(run_dir, require_complete=False)
        check_resume(run_dir, record, component, params, prepared)
        record.update(status="training", params=params)
    else:
        run_dir = new_run_dir(component.name, out)
        record = new_record(kind, component, params, prepared, settings)
    main = distributed.is_main()
    settings.checkpoint_dir = run_dir / "checkpoint"
    settings.resume = bool(resume)
    settings.on_epoch = caller_callback(settings.on_epoch)
    try:
        if main:
            write_json(run_dir / RUN_FILE, record)
            if not resume:
                write_json(run_dir / "split.json", {**prepared.split.to_dict(), "rows": {
                    part: [prepared.dataset.rows[i] for i in getattr(prepared.split, part)]
                    for part in ("train", "validation", "test")}})
        with plugin_code(component, "training"), LoadWatch(plan) as watch:
            history = kind.fit(model, prepared, settings)
        if not main:  # the other ranks trained their shards; rank 0 tests and writes
            return RunResult(run_dir, {}, history, bool(history.get("interrupted")), model, prepared)
        with plugin_code(component, "evaluation"):
            metrics = kind.evaluate(model, prepared, settings)
        with plugin_code(component, "save"):
            model.save(run_dir)
        verify_reload(kind, component, params, model, prepared, run_dir)
    except BaseException as error:
        if main and not isinstance(error, KeyboardInterrupt):
            record.update(status="failed", error=f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}")
            write_json(run_dir / RUN_FILE, record)
        raise
    model_files = sorted(p for p in run_dir.iterdir() if p.is_file() and p.name not in _NOT_MODEL_FILES
                         and p.suffix in (".safetensors", ".json", ".txt", ".model"))
    train_seconds = history.get("train_seconds") or 0.0
    metrics.update({
        kind.name: component.name, "train_seconds": train_seconds,
        "train_tokens_per_second": train_tokens_per_second(history),
        "parameters": history.get("parameters"), "model_size_bytes": sum(p.stat().st_size for p in model_files),
        "epochs_run": len(history.get("epochs", [])), "best_epoch": history.get("best_epoch"),
        "interrupted": bool(history.get("interrupted")), "seed": settings.seed, "device": settings.device,
        "threads": settings.threads, "thread_plan": plan.record(), "thread_changes": watch.changes,
        "train_rows": len(prepared.split.train), "validation_rows": len(prepared.split.validation),
        "test_rows": len(prepared.split.test),
        **history.get("metrics", {})})  # what the kind measured while fitting (a generator's base perplexity)
    write_json(run_dir / "metrics.json", metrics)
    write_json(run_dir / "history.json", {"epochs": history.get("epochs", []),
                                          "interrupted": bool(history.get("interrupted")),
                                          "stopped_early": bool(history.get("stopped_early")),
                                          "global_step": history.get("global_step"),
                                          **{k: history[k] for k in ("rank_rows", "rank_blocks", "rank_weight_sums")
                                             if k in history}})
    kind.write_artifacts(run_dir, metrics, history, component.name)
    write_text(run_dir / "README.md", model_card(kind, component, record, metrics, run_dir,
                                                 getattr(model, "loads_with", component.capabilities.get("loads_with"))))
    record["status"] = "complete"
    record["model_files"] = [p.name for p in model_files]
    write_json(run_dir / RUN_FILE, record)
    return RunResult(run_dir, metrics, history, bool(history.get("interrupted")), model, prepared)


def verify_reload(kind: TrainableKind, component: Component, params: dict, model, prepared, run_dir: Path) -> None:
    """Load the saved files into a fresh object and check it predicts as the trained one does."""
    fresh = component.build(**params)
    with plugin_code(component, "load"):
        fresh.load(run_dir, device="cpu")
    with plugin_code(component, "prediction after loading"):
        before, after = kind.fingerprint(model, prepared), kind.fingerprint(fresh, prepared)
    if not kind.same_fingerprint(before, after):
        raise RunDirError(f"{component.name}: the model saved in {run_dir} does not predict as the trained one did"
                          f" after loading it back; its save/load loses state (plugin '{component.plugin}' from"
                          f" {component.distribution}). The run is not marked complete.")


_MARKDOWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;", "[": "&#91;",
                                    "]": "&#93;", "*": "&#42;", "_": "&#95;", "\\": "&#92;", "\n": " ", "\r": " "})


def markdown_text(value) -> str:
    """``value`` as literal text in Markdown: what the data or the user wrote (class names, columns,
    paths, parameter values) never becomes HTML, a link, emphasis or another table cell."""
    return str(value).translate(_MARKDOWN_ESCAPES)


def markdown_code(value) -> str:
    """``value`` in a monospace span: a backtick span (whose text is literal, HTML included) unless the
    value holds a backtick, a '|' or a line break; then an escaped <code> element."""
    text = str(value)
    if not any(c in text for c in "`|\n\r"):
        return f"`{text}`"
    return f"<code>{markdown_text(text)}</code>"


def model_card(kind: TrainableKind, component: Component, record: dict, metrics: dict, run_dir: Path,
               loads_with: str | None = "") -> str:
    """The run folder's README.md, in the layout the Hugging Face Hub renders (YAML metadata first).
    Every value that comes from the data or the command line is escaped (``markdown_text``)."""
    data = record.get("data") or {}
    if loads_with == "":  # not given: what the component declares (a model may know better: its `loads_with`)
        loads_with = component.capabilities.get("loads_with")
    tags = ["nlp-zoo", kind.name, component.base or component.name, "arabic"]
    front = ["---", "library_name: nlp-zoo", "language:", "- ar", "tags:", *[f"- {t}" if re.fullmatch(r"[\w.-]+", t) else f"- {json.dumps(t)}" for t in tags]]
    if loads_with and "transformers" in loads_with:
        front += [f"pipeline_tag: {kind.pipeline_tag}"]
    front.append("---")
    params = "\n".join(f"| {markdown_code(k)} | {markdown_code(v)} |"
                       for k, v in sorted((record.get("params") or {}).items()))
    rows = "\n".join(f"| {markdown_text(label)} | {markdown_text(value)} |" for label, value in kind.metrics_rows(metrics))
    plots = "\n".join(f"![{p.stem.replace('_', ' ')}]({p.name})" for p in sorted(run_dir.glob("*.png")))
    name, fence = run_dir.name, "~~~" if "`" in run_dir.name else "```"
    shell, python_name = shlex.quote(name), json.dumps(name, ensure_ascii=False)
    usage, python = kind.usage(shell, python_name)
    facts = kind.card_facts(record)
    facts = f"{markdown_text(facts)}\n\n" if facts else ""
    preprocess = ', '.join(markdown_text(p) for p in record.get('preprocess') or []) or 'none'
    sections = [
        "\n".join(front), "",
        f"# {markdown_text(component.name)} ({kind.name}), trained with nlp-zoo", "",
        f"{markdown_text(component.description)}", "",
        f"Component {markdown_code(component.name)}" + (f" (a preset of {markdown_code(component.base)})"
                                                       if component.base else "")
        + f" from {markdown_text(component.distribution)} {markdown_text(component.version)}".rstrip()
        + f"; nlp-zoo {record.get('zoo_version')}; trained {record.get('created', '')}, seed {record.get('seed')}.", "",
        "## Data", "",
        f"{markdown_code(data.get('path'))} (sha256 {markdown_code(data.get('sha256'))}), text column"
        f" {markdown_code(data.get('text_col'))}"
        + (f", score column {markdown_code(data.get('score_col'))}" if data.get("score_col") else "")
        + f"; {data.get('rows_kept')} rows used. Split {len(json.loads((run_dir / 'split.json').read_text('utf-8'))['train'])}"
        f" train / {metrics.get('validation_rows')} validation / {metrics.get('test_rows')} test (seed"
        f" {record.get('split', {}).get('seed')}). Preprocessing: {preprocess}.",
        "", f"{facts}## Metrics (test split)", "", "| metric | value |", "| --- | --- |", rows, "",
        plots, "", "## Parameters", "", "| parameter | value |", "| --- | --- |", params, "",
        "## How to use it", "", f"{fence}bash", *[u for u in usage if u], fence, "", f"{fence}python", "import nlpzoo", "",
        python, fence, ""]
    if loads_with:  # "transformers.AutoModelForCausalLM.from_pretrained" or "pipeline(..., model=RUN)"
        call = loads_with.replace("RUN", python_name) if "RUN" in loads_with else f'{loads_with}({python_name})'
        sections += [f"The folder also loads with {markdown_code(call)}.", ""]
    return "\n".join(sections)
