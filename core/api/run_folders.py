"""Run folders on disk: the runs under a folder (``zoo runs``), one run's record, ``latest``, and runs of one
kind side by side (``zoo runs compare``)."""
from __future__ import annotations

import json
from pathlib import Path

from ..foundations.errors import RunDirError, ZooError
from ..kinds import get_kind
from ..workflows.runs import read_record, resolve_run_dir


__all__ = ["compare_runs", "list_runs", "resolve_run", "run_record"]


def resolve_run(run_dir: str | Path, root: str | Path = "runs") -> Path:
    """``run_dir`` itself, or for ``"latest"`` the newest complete run under ``root``."""
    return resolve_run_dir(run_dir, root)


def run_record(run_dir: str | Path, complete: bool = True) -> dict:
    """A run's record (``zoo_run.json``), checked; ``complete=False`` also reads an unfinished or failed run."""
    return read_record(run_dir, require_complete=complete)


def _metrics(folder: Path) -> dict:
    if not (folder / "metrics.json").is_file():
        return {}
    try:
        return json.loads((folder / "metrics.json").read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def list_runs(root: str | Path = "runs") -> list[dict]:
    """One row per folder under ``root`` that holds a run record (complete, unfinished or failed): run, kind,
    component, data, the kind's key metric and its value, status, created, error."""
    root = Path(root)
    rows = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            record = read_record(folder, require_complete=False)
        except RunDirError:
            continue
        kind = get_kind(record.get("kind", "classifier"))
        data = record.get("data") or {}
        rows.append({"run": str(folder), "kind": kind.name, "component": record["component"]["name"],
                     "data": data.get("name") or Path(str(data.get("path", "?"))).name,
                     "metric": kind.primary_metric, "value": _metrics(folder).get(kind.primary_metric),
                     "status": record.get("status"), "created": record.get("created", ""),
                     "error": record.get("error")})
    return rows


def compare_runs(run_dirs: list[str | Path]) -> dict:
    """Complete runs of one kind side by side: ``{"kind", "runs": [{"run", "component", "metrics", "params",
    "data", "preprocess"}], "differing": parameter names whose values differ}``."""
    if len(run_dirs) < 2:
        raise ZooError("Give two or more run folders to compare, e.g. zoo runs compare runs/A runs/B.")
    runs = []
    for name in run_dirs:
        folder = resolve_run_dir(name)
        record = read_record(folder)
        runs.append((folder, record, json.loads((folder / "metrics.json").read_text("utf-8"))))
    kinds = {record.get("kind", "classifier") for _, record, _ in runs}
    if len(kinds) > 1:
        raise ZooError(f"These runs are of different kinds ({', '.join(sorted(kinds))}); compare runs of one kind.")
    kind = get_kind(kinds.pop())
    params = sorted({k for _, record, _ in runs for k in record.get("params", {})})
    differing = [k for k in params if len({json.dumps(r.get("params", {}).get(k)) for _, r, _ in runs}) > 1]
    return {"kind": kind.name, "differing": differing, "runs": [
        {"run": str(f), "component": r["component"]["name"], "metrics": {c.key: m.get(c.key) for c in kind.columns},
         "params": r.get("params", {}), "data": Path(str(r.get("data", {}).get("path", "?"))).name,
         "preprocess": list(r.get("preprocess") or [])} for f, r, m in runs]}
