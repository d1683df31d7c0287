"""What a study writes (trials.csv, best.json, tuned.toml with the winner as a preset, PNG plots, the best trial
retrained) and the :class:`TuneResult` that ``nlpzoo.tune`` returns."""
from __future__ import annotations

import csv
import json
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...foundations.atomic import atomic_path, write_json, write_text
from ...foundations.errors import ZooError
from ...kinds import FitSettings, TrainableKind
from ...machinery.components import Component
from ..runs import read_record, train_run


def trial_row(trial) -> dict:
    """A trial as a dict: number, state, value, seconds, epochs, preprocess, params, error."""
    seconds = trial.user_attrs.get("seconds")
    if seconds is None and trial.datetime_start and trial.datetime_complete:
        seconds = round((trial.datetime_complete - trial.datetime_start).total_seconds(), 2)
    return {"number": trial.number, "state": trial.state.name.lower(), "value": trial.value,
            "seconds": seconds, "epochs": trial.user_attrs.get("epochs"),
            "preprocess": trial.user_attrs.get("preprocess"), "preprocess_searched": "preprocess" in trial.params,
            "params": {k: v for k, v in trial.params.items() if k != "preprocess"},
            "error": trial.user_attrs.get("error") or trial.system_attrs.get("fail_reason")}


def trial_rows(study) -> list[dict]:
    return [trial_row(trial) for trial in study.get_trials(deepcopy=False)]


def write_trials_csv(rows: list[dict], path: Path) -> None:
    names = sorted({k for row in rows for k in row["params"]})
    with atomic_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "state", "value", "seconds", "epochs", "preprocess", *names, "error"])
        for row in rows:
            writer.writerow([row["number"], row["state"], "" if row["value"] is None else row["value"],
                             row["seconds"] if row["seconds"] is not None else "", row["epochs"] or "",
                             row["preprocess"] or "", *[row["params"].get(n, "") for n in names], row["error"] or ""])


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def preset_text(kind: TrainableKind, component: Component, preset_name: str, params: dict, chain: str | None,
                study_name: str, trial: int, metric: str, value: float) -> str:
    """A registry file whose one preset is the best trial: ``zoo --registry FILE run --KIND NAME``."""
    lines = [f"# Written by zoo tune: study '{study_name}', best trial {trial} ({metric} {value:.4f}).",
             f"#   zoo --registry THIS_FILE run --{kind.name} {preset_name}",
             f"#   zoo --registry THIS_FILE bench --{kind.plural} {preset_name},{component.name}", "",
             f"[{kind.plural}.{preset_name}]", f"base = {toml_value(component.name)}",
             f"description = {toml_value(f'{component.name} tuned by zoo tune (study {study_name}, trial {trial})')}",
             f"preprocess = {toml_value(chain or 'none')}"]
    lines += [f"{name} = {toml_value(value)}" for name, value in sorted(params.items())]
    return "\n".join(lines) + "\n"


def write_plots(study, folder: Path, metric: str) -> list[str]:
    """Optimisation history, parameter importances and parallel coordinates as PNG (Optuna's
    matplotlib backend); a plot that cannot be drawn yet (too few finished trials) is left out."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as plots

    written = []
    for name, draw in (("optimization_history.png", plots.plot_optimization_history),
                       ("param_importances.png", plots.plot_param_importances),
                       ("parallel_coordinate.png", plots.plot_parallel_coordinate)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                axes = draw(study, target_name=metric)
            figure = (axes.flat[0] if hasattr(axes, "flat") else axes).figure
            figure.set_size_inches(9, 5.5)
            figure.tight_layout()
            figure.savefig(folder / name, dpi=110)
            plt.close(figure)
            written.append(name)
        except Exception:  # noqa: BLE001 - e.g. importances need two finished trials with varying params
            plt.close("all")
    return written


@dataclass
class TuneResult:
    """What a study gave: its folder, every trial, the best one and its test metrics."""

    folder: Path
    study: str
    storage: str
    metric: str                      # e.g. "validation macro-F1"
    direction: str                   # "maximize" or "minimize"
    trials: list[dict]
    best: dict | None                # number, value, params, preprocess
    test: dict | None                # the best trial's test-split metrics (None until the study ends)
    run_dir: Path | None             # the best trial retrained and tested (a run folder)
    preset: Path | None              # tuned.toml
    interrupted: bool = False
    files: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        counts = {"complete": 0, "pruned": 0, "fail": 0, "running": 0}
        for row in self.trials:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        return counts

    def to_dict(self) -> dict:
        return {"study": self.study, "folder": str(self.folder), "storage": self.storage, "metric": self.metric,
                "direction": self.direction, "trials": self.counts, "best": self.best, "test": self.test,
                "run_dir": str(self.run_dir) if self.run_dir else None,
                "preset": str(self.preset) if self.preset else None, "interrupted": self.interrupted,
                "files": self.files}

    def to_dataframe(self):
        """One row per trial (params as columns), as trials.csv holds them."""
        import pandas as pd

        return pd.DataFrame([{**{k: v for k, v in row.items() if k != "params"}, **row["params"]}
                             for row in self.trials])


def write_outputs(kind, component, study, spec, space, prepared, folder, name, storage, seeds, device, threads, log,
                  progress, interrupted) -> TuneResult:
    """trials.csv, plots, tuned.toml, and, once the study has ended, the best trial tested once."""
    import optuna

    rows = trial_rows(study)
    write_trials_csv(rows, folder / "trials.csv")
    files = ["trials.csv", *write_plots(study, folder, spec.metric)]
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    result = TuneResult(folder, name, storage, spec.metric, spec.direction, rows, None, None, None, None,
                        interrupted, files)
    if not complete:
        return result
    best_trial = study.best_trial
    chain = best_trial.user_attrs.get("preprocess", "none")
    params = {**space.fixed, **{k: component.param(k).convert(v, "trial") for k, v in best_trial.params.items()
                                if k != "preprocess"}}
    result.best = {"number": best_trial.number, "value": best_trial.value, "params": params, "preprocess": chain,
                   "seed_values": best_trial.user_attrs.get("seed_values")}
    preset_name = f"{component.name}-tuned"
    result.preset = folder / "tuned.toml"
    write_text(result.preset, preset_text(kind, component, preset_name, params, None if chain == "none" else chain,
                                          name, best_trial.number, spec.metric, best_trial.value))
    files.append("tuned.toml")
    if not interrupted:  # the test split, once: the best trial retrained with the study's first seed
        run_dir = folder / "best-run"
        try:
            record = read_record(run_dir)
            same = record.get("tune_trial") == best_trial.number and record.get("tune_study") == name
        except ZooError:
            same = False
        if not same:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            log(f"Training the best trial ({best_trial.number}) again and testing it once...")
            settings = FitSettings(seed=seeds[0], device=device, progress=progress, threads=threads, log=log)
            run = train_run(kind, component, params, prepared[chain], settings, out=run_dir)
            record = read_record(run.run_dir)
            record.update(tune_study=name, tune_trial=best_trial.number)
            write_json(run_dir / "zoo_run.json", record)
        result.run_dir = run_dir
        result.test = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    summary = result.to_dict()
    if result.test:
        summary["test"] = {c.key: result.test.get(c.key) for c in kind.columns if c.key in result.test}
        result.test = summary["test"]
    summary["preset_name"] = preset_name
    write_json(folder / "best.json", summary)
    files.append("best.json")
    return result
