"""``zoo bench``: one fair table across every registered classifier."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import click

from . import main, zoo_from
from .output import print_table
from .run import DEFAULT_PREPROCESS, data_options


@main.command("bench")
@click.option("--classifiers", default="all", show_default=True, help="Comma-separated names, or 'all' (presets included).")
@data_options
@click.option("--discretize", help="As for zoo run.")
@click.option("--preprocess", default=DEFAULT_PREPROCESS, show_default=True, help="As for zoo run; 'none' for raw text.")
@click.option("--epochs", type=int, default=3, show_default=True, help="Training budget: most epochs for neural models.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Override a parameter of every model that has it.")
@click.option("--seeds", default="13", show_default=True, help="Comma-separated seeds; the table shows mean ± std.")
@click.option("--jobs", type=int, default=1, show_default=True, help="Models trained in parallel processes.")
@click.option("--threads", type=int, help="Torch threads per job (default: CPU cores / jobs).")
@click.option("--device", default="cpu", show_default=True, help="auto, cpu, cuda.")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: bench-out/<time>/).")
@click.option("--sort", "sort_key", default="macro_f1", show_default=True,
              type=click.Choice(["macro_f1", "accuracy", "train_seconds", "train_tokens_per_second",
                                 "inference_texts_per_second", "parameters"]))
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False, exists=True), help="An earlier results.json to compare with.")
@click.option("--json", "as_json", is_flag=True, help="Print results.json's summary as JSON.")
@click.pass_context
def bench_command(ctx, classifiers, data, text_col, score_col, fmt, discretize, preprocess, epochs, params, seeds, jobs,
                  threads, device, out, sort_key, compare_path, as_json):
    """Train and evaluate classifiers on the same data, split and seeds; print one table."""
    from nlpzoo.bench import environment, run_jobs, summarise
    from nlpzoo.bench_report import compare, sort_summary, write_reports
    from nlpzoo.components import parse_param_options
    from nlpzoo.errors import ZooError
    from nlpzoo.experiment import DataOptions

    zoo = zoo_from(ctx)
    names = zoo.names("classifier") if classifiers.strip() == "all" else [n.strip() for n in classifiers.split(",") if n.strip()]
    components = [zoo.get("classifier", name) for name in names]  # unknown names fail before any work
    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise ZooError(f"--seeds {seeds!r}: give integers separated by commas, e.g. 13,14,15.") from None
    overrides = {**parse_param_options(params), "epochs": str(epochs)}
    for component in components:  # bad values fail now, not after an hour of training
        component.resolve_params({k: v for k, v in overrides.items() if component.param(k)})
    jobs = max(1, jobs)
    threads = threads or max(1, (os.cpu_count() or 1) // jobs)
    out = Path(out or Path("bench-out") / datetime.now().strftime("%Y%m%d-%H%M%S"))
    options = DataOptions(data, text_col, score_col, fmt, discretize, None,
                          None if preprocess.strip().lower() == "none" else preprocess)
    job_list = [{"classifier": c.name, "seed": seed, "params": overrides, "threads": threads, "device": device,
                 "registry": ctx.obj.get("registry"), "run_dir": str(out / "runs" / f"{c.name}-seed{seed}"),
                 "data_options": {k: v for k, v in options.__dict__.items()}}
                for seed in seed_list for c in components]
    if not as_json:
        click.echo(f"Benchmarking {len(components)} classifiers x {len(seed_list)} seeds with {jobs} job(s),"
                   f" {threads} thread(s) each -> {out}", err=True)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("bench"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                  TimeElapsedColumn(), disable=as_json, transient=True) as progress:
        task = progress.add_task("bench", total=len(job_list), last="")

        def finished(row):
            status = f"FAILED ({row['error']})" if row.get("error") else f"macro-F1 {row['macro_f1']:.3f}"
            progress.update(task, advance=1, last=f"{row['classifier']} seed {row['seed']}: {status}")

        rows, interrupted = run_jobs(job_list, jobs, on_row=finished)

    summary = sort_summary(summarise(rows), sort_key)
    changes = compare(summary, Path(compare_path)) if compare_path else None
    write_reports(out, summary, rows, environment(device, threads, jobs), changes)
    if as_json:
        click.echo(json.dumps({"out": str(out), "summary": summary, "changes": changes or []}, ensure_ascii=False, indent=2))
    else:
        from nlpzoo.bench_report import COLUMNS, cell

        print_table([t for _, t in COLUMNS] + ["error"],
                    [[cell(s, k) for k, _ in COLUMNS] + [s.get("error") or ""] for s in summary],
                    title=f"{len(summary)} classifiers, seeds {','.join(map(str, seed_list))}")
        if changes:
            print_table(["model", "macro-F1 change", "accuracy change", "train s change"],
                        [[c["classifier"], f"{c.get('macro_f1_change', 0):+.3f}", f"{c.get('accuracy_change', 0):+.3f}",
                          f"{c.get('train_seconds_change', 0):+.1f}"] for c in changes])
        click.echo(f"Wrote table.md, results.csv, results.json and report.html to {out}")
    if interrupted:
        click.secho(f"Interrupted: {len(rows)} of {len(job_list)} runs finished and were written.", fg="yellow", err=True)
        ctx.exit(130)
    if any(row.get("error") for row in rows):
        click.secho("Some models failed; see the error column.", fg="red", err=True)
        ctx.exit(1)
