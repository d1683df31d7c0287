"""``zoo data list|get`` and ``zoo preprocess``: named datasets and the preprocessing steps."""
from __future__ import annotations

import json

import click

from . import main
from .output import print_table


@main.group("data")
def data_group():
    """Named datasets from registry.toml."""


@data_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def data_list(ctx, as_json):
    """Named datasets: where they live, their columns and whether they are on this machine."""
    from nlpzoo import api

    rows = [{key: row[key] for key in ("name", "location", "format", "text_col", "score_col", "discretize", "available",
                                      "local_path", "description")} for row in api.list_datasets(ctx.obj.get("registry") if ctx.obj else None)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print_table(["name", "available", "location", "columns", "description"],
                [[r["name"], "yes" if r["available"] else "no", r["location"],
                  f"{r['text_col']} / {r['score_col']}", r["description"]] for r in rows])


@data_group.command("get")
@click.argument("name")
@click.pass_context
def data_get(ctx, name):
    """Download a named dataset into the cache (checked against its sha256) and print its path."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from nlpzoo import api

    entry = next((row for row in api.list_datasets(ctx.obj.get("registry") if ctx.obj else None) if row["name"] == name), None)
    if entry is None or not entry["url"]:
        click.echo(api.get_dataset(name, ctx.obj.get("registry") if ctx.obj else None))  # local entries: just check and show
        return
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as progress:
        task = progress.add_task(f"downloading {name}", total=None)
        path = api.get_dataset(name, ctx.obj.get("registry") if ctx.obj else None,
                               progress=lambda done, total: progress.update(task, completed=done, total=total or None))
    click.echo(path)


@main.command("preprocess")
@click.option("--steps", required=True, help="Comma-separated preprocessors, e.g. normalize,tokenize,stopwords,isri.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.argument("text")
@click.pass_context
def preprocess_command(ctx, steps, as_json, text):
    """Show each step's output for TEXT, one line per step."""
    from nlpzoo import api

    shown = api.preview_preprocessing(steps, text, ctx.obj.get("registry") if ctx.obj else None)
    if as_json:
        click.echo(json.dumps([{"step": s, "text": t} for s, t in shown], ensure_ascii=False, indent=2))
        return
    print_table(["step", "output"], [list(row) for row in shown])
