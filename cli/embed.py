"""``zoo embed``: word vectors (gensim FastText) trained on unlabeled text, for the neural models'
``--param embeddings=PATH``."""
from __future__ import annotations

import json

import click

from . import main


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
    from nlpzoo import api

    info = api.embed(list(sources), out, text_col=text_col, preprocess=preprocess, dim=dim, epochs=epochs,
                     min_count=min_count, window=window, min_n=min_n, max_n=max_n, binary=binary, seed=seed,
                     threads=threads, registry=ctx.obj.get("registry") if ctx.obj else None, log=lambda message: click.echo(message, err=True))
    folder = info["out"]
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Wrote {info['words']:,} word vectors ({dim} dimensions, from {info['tokens']:,} words) and the"
               f" subword n-grams to {folder}.\nUse them with: zoo run --classifier bigru --param"
               f" embeddings={folder} --param embedding_dim={dim}")
