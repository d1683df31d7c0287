"""``zoo runs``: the run folders under runs/ (list, compare, clean), so nobody copies timestamps by hand."""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import main
from .output import print_table


def collect(root: Path) -> list[dict]:
    """One row per folder under ``root`` that holds a run record (complete, unfinished or failed)."""
    from nlpzoo.foundations.errors import RunDirError
    from nlpzoo.kinds import get_kind
    from nlpzoo.workflows.runs import read_record

    rows = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            record = read_record(folder, require_complete=False)
        except RunDirError:
            continue
        kind = get_kind(record.get("kind", "classifier"))
        metrics = {}
        if (folder / "metrics.json").is_file():
            try:
                metrics = json.loads((folder / "metrics.json").read_text("utf-8"))
            except (OSError, json.JSONDecodeError):
                metrics = {}
        data = record.get("data") or {}
        rows.append({"run": str(folder), "kind": kind.name, "component": record["component"]["name"],
                     "data": data.get("name") or Path(str(data.get("path", "?"))).name,
                     "metric": kind.primary_metric, "value": metrics.get(kind.primary_metric),
                     "status": record.get("status"), "created": record.get("created", ""),
                     "error": record.get("error")})
    return rows


@main.group("runs", invoke_without_command=True)
@click.option("--dir", "root", type=click.Path(file_okay=False), default="runs", show_default=True,
              help="The folder that holds run folders.")
@click.option("--sort", "sort_key", type=click.Choice(["created", "value", "component", "status"]), default="created",
              show_default=True, help="Order of the rows (value: the kind's key metric, best first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def runs_group(ctx, root, sort_key, as_json):
    """List run folders: kind, component, data, key metric, status, date (zoo runs compare / clean)."""
    ctx.obj["runs_root"] = Path(root)
    if ctx.invoked_subcommand:
        return
    rows = collect(Path(root))
    if sort_key == "value":
        rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0) if r["metric"] != "test_perplexity"
                                 else (r["value"] or 0)))
    else:
        rows.sort(key=lambda r: str(r[sort_key]), reverse=sort_key == "created")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"No runs under {root}/ yet. Train one: zoo run --classifier bigru")
        return
    print_table(["run", "kind", "component", "data", "metric", "status", "created"],
                [[Path(r["run"]).name, r["kind"], r["component"], r["data"],
                  f"{r['metric']} {r['value']:.4f}" if isinstance(r["value"], float) else "-", r["status"],
                  r["created"].replace("T", " ")[:16]] for r in rows],
                title=f"{len(rows)} run(s) in {root}/ (the newest complete one is 'latest')")


@runs_group.command("compare")
@click.argument("run_dirs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def compare_command(run_dirs, as_json):
    """Metrics and parameters of runs side by side: zoo runs compare RUN_A RUN_B [...]."""
    from nlpzoo.foundations.errors import ZooError
    from nlpzoo.kinds import get_kind
    from nlpzoo.kinds.base import format_value
    from nlpzoo.workflows.runs import read_record, resolve_run_dir

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
    if as_json:
        click.echo(json.dumps([{"run": str(f), "component": r["component"]["name"], "metrics":
                                {c.key: m.get(c.key) for c in kind.columns}, "params": r.get("params", {})}
                               for f, r, m in runs], ensure_ascii=False, indent=2))
        return
    header = ["", *[f"{f.name} ({r['component']['name']})" for f, r, _ in runs]]
    shown = lambda key, value: value / 1e6 if key == "model_size_bytes" and value is not None else value
    rows = [[c.title, *[format_value(shown(c.key, m.get(c.key)), c.digits) for _, _, m in runs]] for c in kind.columns]
    rows += [[f"param {k}", *[str(r.get("params", {}).get(k, "-")) for _, r, _ in runs]] for k in differing]
    rows += [["data", *[Path(str(r.get("data", {}).get("path", "?"))).name for _, r, _ in runs]],
             ["preprocess", *[",".join(r.get("preprocess") or []) or "none" for _, r, _ in runs]]]
    print_table(header, rows, title=f"{len(runs)} {kind.plural}; parameters shown where they differ")


@runs_group.command("clean")
@click.option("--yes", is_flag=True, help="Remove without asking.")
@click.pass_context
def clean_command(ctx, yes):
    """Remove failed and unfinished run folders (after showing them and asking)."""
    import shutil

    root = ctx.obj["runs_root"]
    doomed = [r for r in collect(root) if r["status"] != "complete"]
    if not doomed:
        click.echo(f"Nothing to clean: every run under {root}/ is complete.")
        return
    for r in doomed:
        click.echo(f"  {r['run']}  ({r['status']}{': ' + r['error'] if r.get('error') else ''})")
    if not yes and not click.confirm(f"Remove these {len(doomed)} run folder(s)?", default=False):
        click.echo("Nothing was removed.")
        return
    for r in doomed:
        shutil.rmtree(r["run"])
    click.echo(f"Removed {len(doomed)} run folder(s).")
