"""Where a study lives: the Optuna storage (SQLite in the study folder, or a database URL), its pruner, and opening it."""
from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass

from ...foundations.errors import ZooError


PRUNERS = ("median", "hyperband", "none")
@dataclass
class StudySpec:
    """Everything that defines a study; stored with it, and compared when the study continues."""

    kind: str
    component: str
    data_options: dict
    space: dict
    seeds: list[int]
    metric: str
    direction: str
    pruner: str

    def differences(self, other: dict) -> list[str]:
        mine = json.loads(json.dumps(asdict(self)))
        return [f"{k}: {other.get(k)!r} -> {v!r}" for k, v in mine.items() if k != "pruner" and other.get(k) != v]


def open_storage(url: str):
    import optuna

    options = {"engine_kwargs": {"connect_args": {"timeout": 60}}} if url.startswith("sqlite:") else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeats are "experimental" in Optuna, and what marks dead workers' trials
            return optuna.storages.RDBStorage(url, heartbeat_interval=30, grace_period=120, **options)
    except Exception as error:  # noqa: BLE001 - any driver or connection failure is the URL's
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ZooError(f"Cannot open the study storage {url}: {reason}. Check the URL (sqlite:///PATH,"
                       " postgresql://USER:PASSWORD@HOST/DB, mysql+pymysql://...) and that its driver is installed"
                       " and the server reachable.") from None


def make_pruner(name: str):
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource="auto")
    return optuna.pruners.NopPruner()


def load_study(spec: StudySpec, name: str, storage_url: str, seed: int, worker: int = 0):
    """Create the study, or continue it when ``spec`` matches the one it was made with."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failed trials are in the table, with their error
    storage = open_storage(storage_url)
    direction = "maximize" if spec.direction == "maximize" else "minimize"
    study = optuna.create_study(study_name=name, storage=storage, direction=direction, load_if_exists=True,
                                sampler=optuna.samplers.TPESampler(seed=seed + 7919 * worker),
                                pruner=make_pruner(spec.pruner))
    saved = study.user_attrs.get("nlpzoo")
    if saved is None:
        if worker == 0:
            study.set_user_attr("nlpzoo", json.loads(json.dumps(asdict(spec))))
    elif spec.differences(saved):
        raise ZooError(f"Study '{name}' in {storage_url} was made with other settings ("
                       + "; ".join(spec.differences(saved)[:3])
                       + "). Continue it with the same command, or name a new study with --study NEW.")
    return study
