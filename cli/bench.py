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
@click.option("--classifiers", default="all", show_default=True,
              help="Comma-separated names, 'all' (presets included) or 'none'.")
@click.option("--generators", default="none", show_default=True, help="Comma-separated generator names, 'all' or 'none'.")
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
def bench_command(ctx, classifiers, generators, data, text_col, score_col, fmt, discretize, preprocess, epochs, params, seeds, jobs,
                  threads, device, out, sort_key, compare_path, as_json):
    """Train and evaluate classifiers on the same data, split and seeds; print one table."""
    from nlpzoo.bench import environment, estimated_cost, prepare_shared, run_jobs, summarise
    from nlpzoo.bench_report import compare, sort_summary, write_reports
    from nlpzoo.components import parse_param_options
    from nlpzoo.errors import ZooError
    from nlpzoo.experiment import DataOptions

    zoo = zoo_from(ctx)

    def chosen(kind: str, spec: str):  # unknown names fail before any work
        spec = spec.strip()
        names = zoo.names(kind) if spec == "all" else [] if spec == "none" else [n.strip() for n in spec.split(",") if n.strip()]
        return [zoo.get(kind, name) for name in names]

    components, generator_components = chosen("classifier", classifiers), chosen("generator", generators)
    if not components and not generator_components:
        raise ZooError("Nothing to benchmark: name --classifiers or --generators (zoo list).")
    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise ZooError(f"--seeds {seeds!r}: give integers separated by commas, e.g. 13,14,15.") from None
    overrides = {**parse_param_options(params), "epochs": str(epochs)}
    for component in [*components, *generator_components]:  # bad values fail now, not after an hour of training
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
    job_list += [{"generator": g.name, "seed": seed, "params": overrides, "threads": threads, "device": device,
                  "registry": ctx.obj.get("registry"), "run_dir": str(out / "runs" / f"{g.name}-seed{seed}"),
                  "data_options": {k: v for k, v in options.__dict__.items()}}
                 for seed in seed_list for g in generator_components]
    costs = {c.name: estimated_cost(c, overrides) for c in components}
    job_list.sort(key=lambda job: -costs.get(job.get("classifier"), 0))  # longest first; generators last
    shared = prepare_shared(job_list, zoo) if jobs > 1 else None  # once here, not once per worker
    if not as_json:
        click.echo(f"Benchmarking {len(components)} classifiers and {len(generator_components)} generators x"
                   f" {len(seed_list)} seeds with {jobs} job(s),"
                   f" {threads} thread(s) each -> {out}", err=True)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("bench"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                  TimeElapsedColumn(), disable=as_json, transient=True) as progress:
        task = progress.add_task("bench", total=len(job_list), last="")

        def finished(row):
            if row.get("error"):
                status = f"FAILED ({row['error']})"
            elif "classifier" in row:
                status = f"macro-F1 {row['macro_f1']:.3f}"
            else:
                status = f"chrF {row['chrf']:.2f}" if row.get("chrf") is not None else "done"
            progress.update(task, advance=1, last=f"{row.get('classifier') or row.get('generator')} seed {row['seed']}: {status}")

        rows, interrupted = run_jobs(job_list, jobs, on_row=finished, shared=shared)

    summary = sort_summary(summarise(rows), sort_key)
    generator_summary = summarise(rows, "generator")
    changes = compare(summary, Path(compare_path)) if compare_path else None
    write_reports(out, summary, rows, environment(device, threads, jobs), changes, generator_summary)
    if as_json:
        click.echo(json.dumps({"out": str(out), "summary": summary, "generator_summary": generator_summary,
                               "changes": changes or []}, ensure_ascii=False, indent=2))
    else:
        from nlpzoo.bench_report import COLUMNS, GENERATOR_COLUMNS, cell

        for lines, columns, what in ((summary, COLUMNS, "classifiers"), (generator_summary, GENERATOR_COLUMNS, "generators")):
            if lines:
                print_table([t for _, t in columns] + ["error"],
                            [[cell(s, k) for k, _ in columns] + [s.get("error") or ""] for s in lines],
                            title=f"{len(lines)} {what}, seeds {','.join(map(str, seed_list))}")
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
