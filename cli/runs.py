"""``zoo runs``: the run folders under runs/ (list, compare, clean), so nobody copies timestamps by hand."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from . import main
from .output import print_table


def collect(root: Path) -> list[dict]:
    from nlpzoo import api

    return api.list_runs(root)


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
    from nlpzoo import api

    compared = api.compare_runs(list(run_dirs))
    kind, runs = api.get_kind(compared["kind"]), compared["runs"]
    if as_json:
        click.echo(json.dumps([{key: r[key] for key in ("run", "component", "metrics", "params")} for r in runs],
                              ensure_ascii=False, indent=2))
        return
    header = ["", *[f"{Path(r['run']).name} ({r['component']})" for r in runs]]
    rows = [[c.title, *[c.format(r["metrics"].get(c.key)) for r in runs]] for c in kind.columns]
    rows += [[f"param {k}", *[str(r["params"].get(k, "-")) for r in runs]] for k in compared["differing"]]
    rows += [["data", *[r["data"] for r in runs]], ["preprocess", *[",".join(r["preprocess"]) or "none" for r in runs]]]
    print_table(header, rows, title=f"{len(runs)} {kind.plural}; parameters shown where they differ")


@runs_group.command("clean")
@click.option("--yes", is_flag=True, help="Remove without asking.")
@click.pass_context
def clean_command(ctx, yes):
    """Remove failed and unfinished run folders (after showing them and asking)."""
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
