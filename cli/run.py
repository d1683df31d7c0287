"""``zoo run``, ``zoo predict`` and ``zoo evaluate``: train a classifier, use and score a saved run."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import main, zoo_from
from .output import print_table

DEFAULT_PREPROCESS = "normalize,tokenize"


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


def print_metrics(metrics: dict, title: str) -> None:
    rows = [[name, f"{metrics[key]:.4f}"] for name, key in [
        ("accuracy", "accuracy"), ("macro precision", "macro_precision"), ("macro recall", "macro_recall"),
        ("macro F1", "macro_f1"), ("weighted precision", "weighted_precision"), ("weighted recall", "weighted_recall"),
        ("weighted F1", "weighted_f1")]]
    print_table(["metric", "value"], rows, title=title)
    print_table(["class", "precision", "recall", "f1", "support"],
                [[name, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1-score']:.3f}", int(v["support"])]
                 for name, v in metrics["per_class"].items()])


@main.command("run")
@click.option("--classifier", "classifier", help="Classifier name (zoo list classifiers), e.g. bigru.")
@click.option("--generator", "generator", help="Generator name (zoo list generators), e.g. gpt2.")
@click.option("--base", help="Generators: the pre-trained base (hub id, local folder or 'scratch'); same as --param base=...")
@data_options
@click.option("--discretize", help="bins:0,4,7,10 | quantile:3 | threshold:5 | as-is (default: the dataset's, else as-is for categorical scores).")
@click.option("--score-range", help="Declared score range LOW,HIGH; scores outside it are errors.")
@click.option("--preprocess", help=f"Comma-separated preprocessors in order, or 'none' (default: {DEFAULT_PREPROCESS}"
              " for classifiers, none for generators).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Override a parameter (zoo info NAME).")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed for the split, initialisation and batches.")
@click.option("--test-fraction", type=float, default=0.2, show_default=True)
@click.option("--validation-fraction", type=float, default=0.1, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="Run directory (default: runs/<time>-<name>/).")
@click.option("--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda, cuda:N.")
@click.option("--threads", type=int, help="Torch CPU threads (default: torch's choice).")
@click.option("--resume", "resume", type=click.Path(file_okay=False), help="Continue the run in RUN_DIR from its last checkpoint.")
@click.option("--progress/--no-progress", default=True, help="Progress bars (on by default).")
@click.option("--nproc", type=int, default=1, show_default=True,
              help="Train with N processes on this machine (launches torchrun; DistributedDataParallel).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_context
def run_command(ctx, classifier, generator, base, data, text_col, score_col, fmt, discretize, score_range, preprocess, params, seed,
                test_fraction, validation_fraction, out, device, threads, resume, progress, nproc, as_json):
    """Train and evaluate a classifier (zoo run --classifier bigru) or a generator (--generator gpt2)."""
    from nlpzoo import distributed
    from nlpzoo.components import parse_param_options

    if nproc > 1:
        _launch_torchrun(ctx, nproc, out, classifier or generator)
        return
    world = distributed.setup(device)
    if world and threads is None:  # share this machine's cores between its ranks
        import os

        threads = max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", world.size)))
    if world and not world.main:
        progress, as_json = False, True  # rank 0 alone talks to the user
    zoo = zoo_from(ctx)
    log = (lambda message: click.echo(message, err=True)) if not as_json else (lambda message: None)
    overrides = parse_param_options(params)
    try:
        _run(ctx, zoo, log, overrides, classifier, generator, base, data, text_col, score_col, fmt, discretize,
             score_range, preprocess, seed, test_fraction, validation_fraction, out, device, threads, resume, progress,
             as_json)
    finally:
        distributed.teardown()


def _launch_torchrun(ctx, nproc: int, out, name) -> None:
    """zoo run ... --nproc N  ==  torchrun --standalone --nproc-per-node N -m nlpzoo run ... (no --nproc)."""
    import subprocess
    from datetime import datetime

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
    ctx.exit(subprocess.call(command))


def _run(ctx, zoo, log, overrides, classifier, generator, base, data, text_col, score_col, fmt, discretize, score_range,
         preprocess, seed, test_fraction, validation_fraction, out, device, threads, resume, progress, as_json):
    from nlpzoo import distributed
    from nlpzoo.classifier import FitSettings
    from nlpzoo.errors import ZooError
    from nlpzoo.experiment import DataOptions, new_run_dir, prepare_data, read_run_config, train_and_evaluate

    if generator:
        if classifier:
            raise click.UsageError("Give --classifier or --generator, not both.")
        _run_generator(ctx, zoo, generator, base, overrides, data, text_col, fmt, preprocess, seed, out, device,
                       threads, progress, as_json, log)
        return
    preprocess = DEFAULT_PREPROCESS if preprocess is None else preprocess
    if resume:
        config = read_run_config(resume, require_complete=False)
        component = zoo.get("classifier", config["component"]["base"])
        overrides = {**{k: v for k, v in config["params"].items() if component.param(k)}, **overrides}
        options = DataOptions(**{**config["data_options"], "score_range": tuple(config["data_options"]["score_range"])
                                 if config["data_options"].get("score_range") else None})
        seed, run_dir, name = config["seed"], Path(resume), config["component"]["name"]
    else:
        if not classifier:
            raise click.UsageError("Name a model: zoo run --classifier bigru (see 'zoo list classifiers').")
        component = zoo.get("classifier", classifier)
        component.resolve_params(overrides)  # a bad --param fails before any work
        options = DataOptions(data, text_col, score_col, fmt, discretize, _score_range(score_range),
                              None if preprocess.strip().lower() == "none" else preprocess, seed,
                              test_fraction, validation_fraction)
        name, run_dir = component.name, None
    prepared = prepare_data(options, zoo, log=log, progress=progress and not as_json)
    if resume:
        saved = json.loads((run_dir / "split.json").read_text("utf-8"))
        if saved["train"] != prepared.split.train or saved["test"] != prepared.split.test:
            raise ZooError(f"The data of {run_dir} changed since the run started; its split no longer matches.")
    run_dir = run_dir or new_run_dir(name, out)
    log(f"{name}: {len(prepared.split.train)} train / {len(prepared.split.validation)} validation /"
        f" {len(prepared.split.test)} test texts, classes {', '.join(prepared.class_names)}; run directory {run_dir}")
    settings = FitSettings(seed=seed, device=device, progress=progress and not as_json, threads=threads, log=log)
    result = train_and_evaluate(component, overrides, prepared, run_dir, settings, resume=bool(resume))
    if not distributed.is_main():
        return
    if as_json:
        click.echo(json.dumps({"run_dir": str(run_dir), **result.metrics}, ensure_ascii=False, indent=2))
    else:
        print_metrics(result.metrics, f"{name} on the test split ({result.metrics['support']} texts)")
        click.echo(f"Saved to {run_dir}")
    if result.interrupted:
        click.secho(f"Interrupted: the best model so far is saved. Continue with: zoo run --resume {run_dir}",
                    fg="yellow", err=True)
        ctx.exit(130)


def _run_generator(ctx, zoo, name, base, overrides, data, text_col, fmt, preprocess, seed, out, device, threads,
                   progress, as_json, log):
    from nlpzoo.classifier import FitSettings
    from nlpzoo.experiment import new_run_dir
    from nlpzoo.generation import train_generator

    component = zoo.get("generator", name)
    if base:
        overrides["base"] = base
    component.resolve_params(overrides)
    run_dir = new_run_dir(name, out)
    log(f"{name}: training into {run_dir}")
    settings = FitSettings(seed=seed, device=device, progress=progress and not as_json, threads=threads, log=log)
    preprocess = None if not preprocess or preprocess.strip().lower() == "none" else preprocess
    result = train_generator(component, overrides, data, text_col, fmt, preprocess, run_dir, settings, zoo)
    from nlpzoo import distributed

    if not distributed.is_main():
        return
    metrics = result["metrics"]
    if as_json:
        click.echo(json.dumps({"run_dir": str(run_dir), **{k: v for k, v in metrics.items() if k != "rank_blocks"}},
                              ensure_ascii=False, indent=2))
    else:
        rows = [[k, f"{metrics[k]:.3f}" if isinstance(metrics.get(k), float) else str(metrics.get(k))]
                for k in ("test_loss", "test_perplexity", "bleu", "chrf", "train_tokens_per_second", "parameters")]
        print_table(["metric", "value"], rows, title=f"{name} on the test split")
        if metrics.get("bleu_signature"):
            click.echo(f"BLEU {metrics['bleu_signature']}\nchrF {metrics['chrf_signature']}")
        click.echo(f"Saved to {run_dir} (loads with AutoModelForCausalLM.from_pretrained)")
    if metrics.get("interrupted"):
        ctx.exit(130)


@main.command("generate")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--prompt", default="", help="The text to continue.")
@click.option("--max-new-tokens", type=int, default=60, show_default=True)
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
def generate_command(ctx, run_dir, prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty,
                     num_return_sequences, seed, greedy, device, as_json):
    """Continue a prompt with a trained generator: zoo generate RUN_DIR --prompt "..."."""

    from nlpzoo.generation import load_generator
    from nlpzoo.generation import check_sampling

    check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences)
    generator, record = load_generator(run_dir, zoo_from(ctx), device=device)
    stream = not as_json and num_return_sequences == 1

    def on_text(piece):
        sys.stdout.write(piece)
        sys.stdout.flush()

    if stream:
        sys.stdout.write(prompt)
    texts = generator.generate(prompt, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                               repetition_penalty=repetition_penalty, num_return_sequences=num_return_sequences,
                               seed=seed, do_sample=not greedy, on_text=on_text if stream else None)
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


@main.command("predict")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("texts", nargs=-1)
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="Texts to label: one per line, or a .csv/.tsv/.jsonl file.")
@click.option("--text-col", help="Text column of --input (default: auto-detect).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="Write JSON Lines here (default: stdout).")
@click.option("--device", default="cpu", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines on stdout instead of a table.")
@click.pass_context
def predict_command(ctx, run_dir, texts, input_path, text_col, output_path, device, as_json):
    """Label texts with a saved run: zoo predict RUN_DIR "النص"."""
    from nlpzoo.experiment import load_run

    texts = list(texts) + (_read_inputs(Path(input_path), text_col) if input_path else [])
    if not texts:
        raise click.UsageError("Give texts as arguments or --input FILE.")
    run = load_run(run_dir, zoo_from(ctx), device=device)
    results = run.predict(texts)
    if output_path:
        from nlpzoo.atomic import write_text

        write_text(output_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results))
        click.echo(f"Wrote {len(results)} predictions to {output_path}", err=True)
    elif as_json:
        for r in results:
            click.echo(json.dumps(r, ensure_ascii=False))
    else:
        print_table(["text", "label", *run.class_names],
                    [[r["text"][:80], r["label"], *[f"{r['probabilities'][c]:.3f}" for c in run.class_names]] for r in results])


def _read_inputs(path: Path, text_col: str | None) -> list[str]:
    from nlpzoo.data import FORMATS, TEXT_COLUMNS, _pick_column, read_records
    from nlpzoo.errors import DataError

    if path.suffix.lower() in FORMATS:
        columns, records = read_records(path, FORMATS[path.suffix.lower()])
        column = _pick_column(path, columns, text_col, TEXT_COLUMNS, "text", "--text-col")
        return [str(record.get(column) or "") for _, record in records]
    try:
        return [line for line in path.read_text("utf-8-sig").splitlines() if line.strip()]
    except FileNotFoundError:
        raise DataError(f"Input file {path} does not exist.") from None


@main.command("evaluate")
@click.argument("run_dir", type=click.Path(file_okay=False))
@data_options
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_context
def evaluate_command(ctx, run_dir, data, text_col, score_col, fmt, as_json):
    """Score a saved run on new data (default: its own test split)."""
    from nlpzoo.experiment import evaluate_loaded, load_run

    zoo = zoo_from(ctx)
    run = load_run(run_dir, zoo)
    metrics = evaluate_loaded(run, data, zoo, text_col, score_col, fmt)
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        print_metrics(metrics, f"{run.config['component']['name']} on {metrics['data']} ({metrics['support']} texts)")
