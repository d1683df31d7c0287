"""``zoo bench``: one fair table per kind across every registered component of that kind."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from . import main, zoo_from
from .output import print_table
from .run import data_options


def kind_selection_options(function):
    """--classifiers NAMES, --generators NAMES, ...: one option per trainable kind."""
    from nlpzoo import api

    for kind in reversed(api.trainable_kinds()):
        function = click.option(f"--{kind.plural}", kind.plural, default=kind.bench_default, show_default=True,
                                metavar="NAMES",
                                help=f"Comma-separated {kind.name} names, 'all' (presets included) or 'none'.")(function)
    return function


@main.command("bench")
@kind_selection_options
@data_options
@click.option("--discretize", help="As for zoo run.")
@click.option("--preprocess", help="As for zoo run; 'none' for raw text (default: each kind's own).")
@click.option("--epochs", type=int, default=3, show_default=True, help="Training budget: most epochs for neural models.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Override a parameter of every model that has it.")
@click.option("--seeds", default="13", show_default=True, help="Comma-separated seeds; the table shows mean ± std.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Models trained in parallel processes.")
@click.option("--threads", type=click.IntRange(min=1), help="Torch threads per job (default: the free cores / jobs; also NLPZOO_THREADS).")
@click.option("--device", default="cpu", show_default=True, help="auto, cpu, cuda.")
@click.option("--eval-texts", type=int, help="Generators: held-out texts continued for BLEU/chrF (default 50).")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: bench-out/<time>/).")
@click.option("--sort", "sort_key", help="Column to sort each table by (default: macro_f1 for classifiers,"
              " test_perplexity for generators).")
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False, exists=True), help="An earlier results.json to compare with.")
@click.option("--json", "as_json", is_flag=True, help="Print results.json's summaries as JSON.")
@click.pass_context
def bench_command(ctx, data, text_col, score_col, fmt, discretize, preprocess, epochs, params, seeds, jobs,
                  threads, device, eval_texts, out, sort_key, compare_path, as_json, **selections):
    """Train and evaluate components on the same data, split and seeds; print one table per kind."""
    from nlpzoo import ZooError, api

    zoo = zoo_from(ctx)
    kinds = api.trainable_kinds()
    wanted = {kind.name: spec.strip() if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
              for kind, spec in ((k, selections[k.plural]) for k in kinds) if spec.strip() != "none"}
    for name, spec in wanted.items():  # unknown names fail now, before the first line is printed
        api.select_components(zoo, name, spec)
    if not any(wanted.values()):
        raise ZooError("Nothing to benchmark: name --classifiers, --regressors or --generators (zoo list).")
    if sort_key:
        keys = {c.key for kind in kinds for c in kind.columns}
        if sort_key not in keys:
            raise click.BadParameter(f"{sort_key!r}; choose one of {', '.join(sorted(keys))}.", param_hint="--sort")
    seed_list = api.parse_seeds(seeds, "--seeds")
    out = Path(out or Path("bench-out") / datetime.now().strftime("%Y%m%d-%H%M%S"))
    threads = api.plan_threads(threads, workers=max(1, jobs))   # measured once, shown here and recorded
    sizes = {n: len(zoo.names(n)) if spec == "all" else len(spec) for n, spec in wanted.items()}
    counts = ", ".join(f"{size} {get_plural(n, size)}" for n, size in sizes.items())
    if not as_json:
        click.echo(f"Benchmarking {counts} x {len(seed_list)} seed(s) with {max(1, jobs)} job(s) -> {out}", err=True)
        click.echo(f"Torch threads: {threads.describe()}", err=True)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("bench"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[now]}"), TextColumn("{task.fields[last]}"), disable=as_json,
                  transient=True) as progress:
        task = progress.add_task("bench", total=sum(sizes.values()) * len(seed_list), last="", now="")

        def started(jobs):
            names = ", ".join(f"{job['name']} seed {job['seed']}" for job in jobs)
            progress.update(task, now=f"training {names}" + (" ..." if len(jobs) > 1 else ""))

        def finished(row):
            kind = api.get_kind(row["kind"])
            status = f"FAILED ({row['error']})" if row.get("error") else \
                f"{kind.columns[0].title} {api.bench_cell(row, kind.primary_metric, kind.name)}"
            progress.update(task, advance=1, last=f"| last: {row[kind.name]} seed {row['seed']}: {status}")

        result = api.bench(wanted, data, text_col=text_col, score_col=score_col, fmt=fmt, discretize=discretize,
                           preprocess="default" if preprocess is None else preprocess, epochs=epochs,
                           params=api.parse_params(params), seeds=seed_list, jobs=jobs, threads=threads,
                           device=device, eval_texts=eval_texts, out=out, sort=sort_key,
                           registry=ctx.obj.get("registry"), on_row=finished, on_start=started,
                           compare=compare_path)
    rows, summaries, interrupted, changes = result.rows, result.summaries, result.interrupted, result.changes
    if as_json:
        click.echo(json.dumps({"out": str(out), "summary": summaries.get("classifier", []), "summaries": summaries,
                               "changes": changes or []}, ensure_ascii=False, indent=2))
    else:
        for name, lines in summaries.items():
            print_table(*result.table(name),
                        title=f"{len(lines)} {get_plural(name, len(lines))}, seeds {','.join(map(str, seed_list))}")
        for name in dict.fromkeys(c["kind"] for c in changes):
            print_table(*result.change_table(name), title=f"{api.get_kind(name).plural}: change since {compare_path}")
        click.echo(f"Wrote table.md, results.csv, results.json and report.html to {out}")
    if interrupted:
        click.secho(f"Interrupted: {len(rows)} runs finished and were written.", fg="yellow", err=True)
        ctx.exit(130)
    if any(row.get("error") and not row["error"].startswith("LookupError: skipped") for row in rows):
        click.secho("Some models failed; see the error column.", fg="red", err=True)
        ctx.exit(1)


def get_plural(kind_name: str, count: int) -> str:
    from nlpzoo import api

    return kind_name if count == 1 else api.get_kind(kind_name).plural
