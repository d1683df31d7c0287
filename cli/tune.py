"""``zoo tune``: search a component's parameters and preprocessing with Optuna (``nlpzoo.tune``)."""
from __future__ import annotations

import json

import click

from . import main, zoo_from
from .output import print_table
from .run import data_options, trainable_kind_options


SPACE_EXAMPLE = """\b
Space file (--space space.toml): overrides or narrows the components' own spaces.
  preprocess = ["normalize,tokenize", "normalize,tokenize,isri"]
  [params]
  lr = {low = 3e-4, high = 1e-2, log = true}
  hidden_size = {low = 64, high = 256, step = 64}
  pooling = {choices = ["max", "mean"]}
  layers = 1                      # a plain value fixes it
"""


@main.command("tune", epilog=SPACE_EXAMPLE)
@trainable_kind_options
@data_options
@click.option("--discretize", help="As for zoo run.")
@click.option("--trials", type=click.IntRange(min=1), help="Finished trials the study should have (default 20 without"
              " --timeout); a continued study runs the missing ones.")
@click.option("--timeout", help="Stop starting trials after this long: 90s, 30m, 2h.")
@click.option("--space", "space_file", type=click.Path(dir_okay=False), help="A TOML search space (see below).")
@click.option("--preprocess", "chains", multiple=True, metavar="CHAIN",
              help="A candidate preprocessing chain; repeat to search among several ('none' for raw text).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Fix a parameter (it is not searched).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the split, fixed for the whole study.")
@click.option("--seeds", help="Comma-separated training seeds each trial is averaged over (default: --seed).")
@click.option("--pruner", type=click.Choice(["median", "hyperband", "none"]), default="median", show_default=True,
              help="Stop hopeless trials early from their per-epoch validation scores.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine, sharing the study (threads divided between them).")
@click.option("--threads", type=click.IntRange(min=1), help="Torch threads per worker (default: the free cores / jobs; also NLPZOO_THREADS).")
@click.option("--study", "study_name", help="Study name (default: NAME-DATA); the same name continues a study.")
@click.option("--storage", help="An Optuna database URL shared by several machines (default: SQLite in the study"
              " folder), e.g. postgresql://user:password@host/db.")
@click.option("--out", default="tune-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the study folders.")
@click.option("--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda.")
@click.option("--test-fraction", type=float, default=0.2, show_default=True)
@click.option("--validation-fraction", type=float, default=0.1, show_default=True)
@click.option("--progress/--no-progress", default=True, help="Progress bars while preparing data.")
@click.option("--json", "as_json", is_flag=True, help="Print the study's summary as JSON.")
@click.pass_context
def tune_command(ctx, data, text_col, score_col, fmt, discretize, trials, timeout, space_file, chains, params, seed,
                 seeds, pruner, jobs, threads, study_name, storage, out, device, test_fraction, validation_fraction,
                 progress, as_json, **names):
    """Search hyperparameters and preprocessing of one component with Optuna.

    zoo tune --classifier bigru --data restaurants --trials 40. Trials are scored on the validation
    split; the best is retrained and tested once; its preset is written to tune-out/STUDY/tuned.toml.
    Ctrl-C stops after the running trial (twice: at once); the same command continues the study.
    """
    from nlpzoo import ZooError, api

    chosen = {kind: name for kind, name in names.items() if name}
    if len(chosen) != 1:
        raise ZooError("Name one component to tune, e.g. zoo tune --classifier bigru (zoo list classifiers).")
    (kind, model), = chosen.items()
    seed_list = api.parse_seeds(seeds, "--seeds") if seeds is not None else None
    zoo_from(ctx)  # a broken registry fails here, before the data is read
    log = (lambda message: click.echo(message, err=True)) if not as_json else (lambda message: None)
    table = TrialTable(enabled=not as_json)
    result = api.tune(model, data, kind=kind, trials=trials, timeout=timeout, space=space_file,
                      preprocess=list(chains), params=api.parse_params(params), seed=seed, seeds=seed_list,
                      pruner=pruner, jobs=jobs, threads=threads, study=study_name, storage=storage, out=out,
                      device=device, text_col=text_col, score_col=score_col, fmt=fmt, discretize=discretize,
                      test_fraction=test_fraction, validation_fraction=validation_fraction,
                      registry=ctx.obj.get("registry"), progress=progress and not as_json, on_trial=table.add,
                      log=log)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        show_summary(result, kind, model)
    if result.interrupted:
        click.secho(f"Stopped. The study keeps {result.counts['complete'] + result.counts['pruned']} finished trials;"
                    f" run the same command again to continue it (--study {result.study}).", fg="yellow", err=True)
        ctx.exit(130)


class TrialTable:
    """The live table: one line per finished trial, as it finishes."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.header_shown = False

    def add(self, row: dict) -> None:
        if not self.enabled:
            return
        from rich.console import Console

        console = Console(highlight=False)
        if not self.header_shown:
            console.print(f"{'trial':>5}  {'state':<8} {'value':>7} {'epochs':>6} {'seconds':>8}  parameters",
                          style="bold", no_wrap=True, overflow="ellipsis")
            self.header_shown = True
        value = f"{row['value']:.4f}" if isinstance(row.get("value"), float) else "-"
        params = ", ".join(f"{k}={format_param(v)}" for k, v in row["params"].items())
        detail = f"{row['preprocess']} | {params}" if row.get("preprocess_searched") else params
        if row["state"] == "fail" and row.get("error"):
            detail = row["error"]
        style = {"complete": None, "pruned": "dim", "fail": "red"}.get(row["state"])
        console.print(f"{row['number']:>5}  {row['state']:<8} {value:>7} {row.get('epochs') or '-':>6}"
                      f" {row.get('seconds') or 0:>8.1f}  {detail}", style=style, no_wrap=True, overflow="ellipsis")


def format_param(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def show_summary(result, kind: str, model: str) -> None:
    counts = result.counts
    click.echo(f"\nStudy '{result.study}': {counts['complete']} complete, {counts['pruned']} pruned,"
               f" {counts['fail']} failed.")
    if not result.best:
        click.echo("No trial has finished yet; run the same command again to continue.")
        return
    best = result.best
    rows = [["trial", best["number"]], [result.metric, f"{best['value']:.4f}"], ["preprocess", best["preprocess"]]]
    rows += [[name, format_param(value)] for name, value in best["params"].items()]
    if result.test:
        rows += [[f"test {key}", f"{value:.4f}" if isinstance(value, float) else value]
                 for key, value in result.test.items() if key in ("macro_f1", "accuracy", "spearman", "test_perplexity")]
    print_table(["best", "value"], rows, title="Best trial (validation split; test split once, retrained)")
    from rich.console import Console

    console = Console(highlight=False)  # wraps to the terminal's width
    console.print(f"Wrote {', '.join(result.files)} to {result.folder}")
    if result.preset:
        console.print(f"Use it: zoo --registry {result.preset} run --{kind} {model}-tuned")
