"""``zoo embed``: word vectors (gensim FastText) trained on unlabeled text, for the neural models'
``--param embeddings=PATH``."""
from __future__ import annotations

import json

import click

from . import main, zoo_from


@main.command("embed")
@click.option("--data", "sources", multiple=True, required=True,
              help="A text file (CSV, TSV, JSON Lines: a scrape's output, any data set) or a registry dataset;"
                   " repeat for several.")
@click.option("--text-col", help="The text column (default: detected).")
@click.option("--preprocess", default="normalize,tokenize", show_default=True,
              help="The chain to run first: use the one the classifier will use, or 'none'.")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="The vectors folder to write.")
@click.option("--dim", type=click.IntRange(min=2, max=4096), default=100, show_default=True, help="Vector dimensions.")
@click.option("--epochs", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="Words seen fewer times get no vector of their own (their n-grams still count).")
@click.option("--window", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--min-n", type=click.IntRange(min=1), default=3, show_default=True, help="Shortest character n-gram.")
@click.option("--max-n", type=click.IntRange(min=1), default=6, show_default=True, help="Longest character n-gram.")
@click.option("--binary", is_flag=True, help="Write word2vec binary (vectors.bin) instead of text (vectors.vec).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=13, show_default=True)
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="gensim worker threads (1 is reproducible).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def embed_command(ctx, sources, text_col, preprocess, out, dim, epochs, min_count, window, min_n, max_n, binary,
                  seed, threads, as_json):
    """Train subword-aware word vectors on unlabeled text (gensim's FastText).

    \b
    zoo embed --data scrape.jsonl --data restaurants -o vectors/
    zoo run --classifier bigru --data restaurants
        --param embeddings=vectors/ --param embedding_dim=100
    """
    from pathlib import Path

    from nlpzoo.data.datasets import resolve, sha256_of
    from nlpzoo.neural.embeddings import read_texts, train_vectors
    from nlpzoo.foundations.errors import ZooError
    from nlpzoo.data.preprocessing import parse_steps, run_chain

    if min_n > max_n:
        raise ZooError(f"--min-n {min_n} is longer than --max-n {max_n}.")
    zoo = zoo_from(ctx)
    files = []
    for source in sources:
        resolved = resolve(source, zoo.registry)
        files.append((str(resolved.path), text_col or resolved.text_col, resolved.fmt))
    texts = []
    for path, column, fmt in files:
        texts.extend(read_texts([path], column, fmt))
    click.echo(f"Read {len(texts):,} texts from {len(files)} file(s); preprocessing with"
               f" {preprocess or 'none'}...", err=True)
    texts = run_chain(preprocess, texts, zoo, progress=True)
    click.echo(f"Training FastText ({dim} dimensions, {epochs} epochs)...", err=True)
    folder = train_vectors(texts, out, dim=dim, epochs=epochs, min_count=min_count, window=window, min_n=min_n,
                           max_n=max_n, seed=seed, workers=threads, binary=binary,
                           info={"preprocess": parse_steps(preprocess),
                                 "sources": [{"path": p, "sha256": sha256_of(Path(p))} for p, _, _ in files]})
    info = json.loads((folder / "embed.json").read_text("utf-8"))
    if as_json:
        click.echo(json.dumps({"out": str(folder), **info}, ensure_ascii=False))
        return
    click.echo(f"Wrote {info['words']:,} word vectors ({dim} dimensions, from {info['tokens']:,} words) and the"
               f" subword n-grams to {folder}.\nUse them with: zoo run --classifier bigru --param"
               f" embeddings={folder} --param embedding_dim={dim}")
