"""``zoo run``, ``zoo predict`` and ``zoo evaluate``: train a classifier, use and score a saved run."""
from __future__ import annotations

import inspect
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from . import main, zoo_from
from .output import print_table


def data_options(function):
    """Options shared by every command that reads a dataset."""
    options = [
        click.option("--data", help="A .csv/.tsv/.jsonl file or a registry dataset name (default: the built-in demo set)."),
        click.option("--text-col", help="Text column (default: auto-detect text/review/content ...)."),
        click.option("--score-col", help="Score column (default: auto-detect score/label/polarity/rating ...)."),
        click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "jsonl"]), help="File format (default: from the suffix)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _score_range(value: str | None):
    if not value:
        return None
    try:
        low, high = (float(x) for x in value.split(","))
    except ValueError:
        raise click.BadParameter("give LOW,HIGH, e.g. 0,10") from None
    return (low, high)


def print_metrics(kind, metrics: dict, title: str) -> None:
    print_table(["metric", "value"], kind.metrics_rows(metrics), title=title)
    if metrics.get("per_class"):
        print_table(["class", "precision", "recall", "f1", "support"],
                    [[name, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", v["support"]]
                     for name, v in metrics["per_class"].items()])


def trainable_kind_options(function):
    """--classifier NAME, --generator NAME, ...: one option per trainable kind."""
    from nlpzoo import api

    for kind in reversed(api.trainable_kinds()):
        function = click.option(f"--{kind.name}", kind.name, metavar="NAME",
                                help=f"Train a {kind.name} (zoo list {kind.plural}).")(function)
    return function


@main.command("run")
@trainable_kind_options
@click.option("--model", "model_id", help="The pre-trained model a component starts from (hub id or local folder);"
              " same as --param model=...")
@click.option("--base", hidden=True, help="Deprecated: use --model.")
@data_options
@click.option("--discretize", help="bins:0,4,7,10 | quantile:3 | threshold:5 | as-is (default: the dataset's, else as-is for categorical scores).")
@click.option("--score-range", help="Declared score range LOW,HIGH; scores outside it are errors.")
@click.option("--preprocess", help="Comma-separated preprocessors in order, or 'none' (default: the kind's:"
              " normalize,tokenize for classifiers, none for generators).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Override a parameter (zoo info NAME).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed for the split, initialisation and batches.")
@click.option("--test-fraction", type=float, default=0.2, show_default=True)
@click.option("--validation-fraction", type=float, default=0.1, show_default=True)
@click.option("--eval-texts", type=int, help="Generators: held-out texts continued for BLEU/chrF (default 50; 0 skips).")
@click.option("--out", type=click.Path(file_okay=False), help="Run directory (default: runs/<time>-<name>/).")
@click.option("--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda, cuda:N.")
@click.option("--threads", type=click.IntRange(min=1), help="Torch CPU threads (default: the free cores; also NLPZOO_THREADS).")
@click.option("--resume", "resume", type=click.Path(file_okay=False), help="Continue the run in RUN_DIR from its last checkpoint.")
@click.option("--progress/--no-progress", default=True, help="Progress bars (on by default).")
@click.option("--nproc", type=click.IntRange(min=1), default=1, show_default=True,
              help="Train with N processes on this machine (launches torchrun; DistributedDataParallel).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_context
def run_command(ctx, model_id, base, data, text_col, score_col, fmt, discretize, score_range, preprocess, params, seed,
                test_fraction, validation_fraction, eval_texts, out, device, threads, resume, progress, nproc, as_json,
                **names):
    """Train and evaluate a component: zoo run --classifier bigru, zoo run --generator gpt2 ..."""
    from nlpzoo import api
    from nlpzoo.neural import distributed

    chosen = {kind: name for kind, name in names.items() if name}
    if nproc > 1:
        _launch_torchrun(ctx, nproc, out, next(iter(chosen.values()), None), threads)
        return
    world = distributed.setup(device)
    if world and threads is None:  # the ranks share this machine's cores (they cannot tell each other from load)
        ranks = int(os.environ.get("LOCAL_WORLD_SIZE", world.size))
        threads = api.plan_threads(None, workers=ranks, measure=False)
    if world and not world.main:
        progress, as_json = False, True  # rank 0 alone talks to the user
    zoo = zoo_from(ctx)
    log = (lambda message: click.echo(message, err=True)) if not as_json else (lambda message: None)
    overrides = api.parse_params(params)
    if base:
        log("Warning: --base is deprecated; use --model (or --param model=...).")
    if model_id or base:
        overrides["model"] = model_id or base
    try:
        _run(ctx, zoo, log, chosen, overrides, data, text_col, score_col, fmt, discretize, score_range, preprocess,
             seed, test_fraction, validation_fraction, eval_texts, out, device, threads, resume, progress, as_json)
    finally:
        distributed.teardown()


def _launch_torchrun(ctx, nproc: int, out, name, threads: int | None) -> None:
    """zoo run ... --nproc N  ==  torchrun --standalone --nproc-per-node N -m nlpzoo run ... (no --nproc).
    The free cores are measured here, before the ranks start, and divided between them."""
    import subprocess

    from nlpzoo import api

    args = list(sys.argv[1:])
    for index, arg in enumerate(args):
        if arg == "--nproc":
            del args[index:index + 2]
            break
        if arg.startswith("--nproc="):
            del args[index]
            break
    if not out:  # every rank must agree on the run directory: choose it here
        args += ["--out", f"runs/{datetime.now().strftime('%Y%m%d-%H%M%S')}-{name or 'run'}"]
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
               "-m", "nlpzoo", *args]
    plan = api.plan_threads(threads, workers=nproc)
    click.echo(f"Torch threads: {plan.describe()}", err=True)
    ctx.exit(subprocess.call(command, env={**os.environ, api.THREADS_VARIABLE: str(plan.threads)}))


def _run(ctx, zoo, log, chosen, overrides, data, text_col, score_col, fmt, discretize, score_range, preprocess, seed,
         test_fraction, validation_fraction, eval_texts, out, device, threads, resume, progress, as_json):
    """zoo run is nlpzoo.train with the command line's options: the same engine, the same run folder."""
    from nlpzoo import api
    from nlpzoo.neural import distributed

    if len(chosen) > 1:
        raise click.UsageError(f"Name one model to train, not {len(chosen)}: " + ", ".join(f"--{k} {v}" for k, v in chosen.items()))
    if resume:
        kind_name = api.run_record(resume, complete=False).get("kind", "classifier")
        if chosen and list(chosen) != [kind_name]:
            raise click.UsageError(f"{resume} is a {kind_name} run; --resume continues it as it is: leave out"
                                   " --" + " --".join(f"{k} {v}" for k, v in chosen.items()) + ".")
        name = next(iter(chosen.values()), None)
    elif not chosen:
        raise click.UsageError("Name a model: zoo run --classifier bigru (see 'zoo list').")
    else:
        (kind_name, name), = chosen.items()
        component = zoo.get(kind_name, name)
        if "model" in overrides and not component.param("model"):
            raise click.UsageError(f"--model: the {kind_name} '{name}' has no 'model' parameter (zoo info {name}).")
    run = api.train(name, data, kind=kind_name, text_col=text_col, score_col=score_col, fmt=fmt,
                    discretize=discretize, score_range=_score_range(score_range),
                    preprocess="default" if preprocess is None else preprocess, params=overrides, seed=seed,
                    test_fraction=test_fraction, validation_fraction=validation_fraction, out=out, device=device,
                    threads=threads, progress=progress and not as_json, resume=resume, eval_texts=eval_texts,
                    registry=ctx.obj.get("registry") if ctx.obj else None, log=log)
    if not distributed.is_main():
        return
    kind, metrics = api.get_kind(run.kind), run.metrics
    if as_json:
        click.echo(json.dumps({"run_dir": str(run.dir), **{k: v for k, v in metrics.items()
                                                           if k not in ("rank_rows", "rank_blocks", "test_points")}},
                              ensure_ascii=False, indent=2))
    else:
        print_metrics(kind, metrics, f"{run.name} on the test split ({metrics.get('test_rows')} texts)")
        for key in ("bleu_signature", "chrf_signature"):
            if metrics.get(key):
                click.echo(f"{key.split('_')[0].replace('chrf', 'chrF').replace('bleu', 'BLEU')} {metrics[key]}")
        click.echo(kind.saved_message(run.dir, zoo.get(run.kind, run.record["component"]["base"],
                                                       distribution=run.record["component"].get("distribution"))))
    if run.interrupted:
        click.secho(f"Interrupted: the model as it was is saved. Continue with: zoo run --resume {run.dir}",
                    fg="yellow", err=True)
        ctx.exit(130)


def _load_for(ctx, run_dir: str, needs: str, command: str, device: str = "cpu"):
    """A saved run (an ``nlpzoo.Run``) whose model can do ``needs`` (predict, generate, evaluate), or a clear error."""
    from nlpzoo import ZooError, api

    run = api.load(run_dir, device=device, registry=ctx.obj.get("registry") if ctx.obj else None)
    if not hasattr(run.loaded, needs):
        raise ZooError(f"{run.dir} holds a {run.kind} run; 'zoo {command}' needs a run that can {needs}"
                       " (zoo predict/evaluate: classifiers, zoo generate: generators).")
    return run


@main.command("generate")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--prompt", default="", help="The text to continue.")
@click.option("--max-new-tokens", type=int, default=60, show_default=True)
@click.option("--min-new-tokens", type=click.IntRange(min=0), default=0, show_default=True,
              help="Do not let the text end before this many new tokens (generators that support it, e.g. gpt2).")
@click.option("--temperature", type=float, default=0.9, show_default=True)
@click.option("--top-k", type=int, default=50, show_default=True)
@click.option("--top-p", type=float, default=0.95, show_default=True)
@click.option("--repetition-penalty", type=float, default=1.1, show_default=True)
@click.option("--num-return-sequences", type=int, default=1, show_default=True)
@click.option("--seed", type=int, help="Seed: the same seed and settings give the same text.")
@click.option("--greedy", is_flag=True, help="Greedy decoding instead of sampling.")
@click.option("--device", default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of streaming text.")
@click.pass_context
def generate_command(ctx, run_dir, prompt, max_new_tokens, min_new_tokens, temperature, top_k, top_p,
                     repetition_penalty, num_return_sequences, seed, greedy, device, as_json):
    """Continue a prompt with a trained generator: zoo generate RUN_DIR --prompt "..."."""
    from nlpzoo import check_sampling

    check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences)
    generator = _load_for(ctx, run_dir, "generate", "generate", device=device).loaded
    extra = {}
    if min_new_tokens:
        from nlpzoo import ZooError

        if "min_new_tokens" not in inspect.signature(generator.generate).parameters:
            raise ZooError("--min-new-tokens: this run's generator has no such option; leave it out.")
        extra["min_new_tokens"] = min_new_tokens
    stream = not as_json and num_return_sequences == 1

    def on_text(piece):
        sys.stdout.write(piece)
        sys.stdout.flush()

    if stream:
        sys.stdout.write(prompt)
    texts = generator.generate(prompt, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                               repetition_penalty=repetition_penalty, num_return_sequences=num_return_sequences,
                               seed=seed, do_sample=not greedy, on_text=on_text if stream else None, **extra)
    if as_json:
        click.echo(json.dumps({"prompt": prompt, "generations": texts, "seed": seed,
                               "settings": {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_k": top_k,
                                            "top_p": top_p, "repetition_penalty": repetition_penalty, "greedy": greedy}},
                              ensure_ascii=False, indent=2))
    elif stream:
        sys.stdout.write("\n")
    else:
        for number, text in enumerate(texts, start=1):
            click.echo(f"[{number}] {prompt}{text}")
    if not as_json and not any(text.strip() for text in texts):
        click.secho("The model ended the text at once (its first new token was the end of text). Try"
                    " --min-new-tokens 10, another --seed or a longer --prompt, or train it longer.", fg="yellow", err=True)


@main.command("predict")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("texts", nargs=-1)
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="Texts to label: one per line, or a .csv/.tsv/.jsonl file.")
@click.option("--text-col", help="Text column of --input (default: auto-detect).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="Write JSON Lines here (default: stdout).")
@click.option("--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda, cuda:N.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines on stdout (one object per text, however many) instead of a table.")
@click.pass_context
def predict_command(ctx, run_dir, texts, input_path, text_col, output_path, device, as_json):
    """Label texts with a saved run: zoo predict RUN_DIR "النص"."""
    if output_path and input_path and Path(output_path).resolve() == Path(input_path).resolve():
        from nlpzoo import ZooError

        raise ZooError(f"--output {output_path} is the input file; predictions would replace the texts."
                       " Write them to another file, e.g. --output predictions.jsonl.")
    from nlpzoo import api

    texts = list(texts) + (api.read_inputs(input_path, text_col) if input_path else [])
    if not texts:
        raise click.UsageError("Give texts as arguments or --input FILE.")
    run = _load_for(ctx, run_dir, "predict", "predict", device=device)
    results = run.loaded.predict(texts)
    if output_path:
        from nlpzoo import atomic_path

        with atomic_path(output_path) as temporary:
            temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), "utf-8")
        click.echo(f"Wrote {len(results)} predictions to {output_path}", err=True)
    elif as_json:
        for r in results:
            click.echo(json.dumps(r, ensure_ascii=False))
    else:
        print_table(*prediction_table(results))


def prediction_table(results: list[dict]) -> tuple[list[str], list[list[str]]]:
    """(columns, rows) for people: text, then a label and its class probabilities, or a score."""
    names = list(results[0].get("probabilities", {})) if results else []
    columns = ["text", *(["label", *names] if "label" in (results[0] if results else {}) else ["score"])]
    rows = [[r["text"][:80], *([r["label"], *[f"{r['probabilities'][c]:.3f}" for c in names]] if "label" in r
                               else [f"{r['score']:.2f}"])] for r in results]
    return columns, rows


@main.command("evaluate")
@click.argument("run_dir", type=click.Path(file_okay=False))
@data_options
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_context
def evaluate_command(ctx, run_dir, data, text_col, score_col, fmt, as_json):
    """Score a saved run on new data (default: its own test split)."""
    from nlpzoo import api

    run = _load_for(ctx, run_dir, "evaluate", "evaluate")
    metrics = run.evaluate(data, text_col, score_col, fmt)
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        record = run.record
        print_metrics(api.get_kind(record["kind"]), metrics,
                      f"{record['component']['name']} on {metrics['data']} ({metrics['support']} texts)")
