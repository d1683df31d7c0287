"""Text before training: scrape a site into JSON Lines (``zoo scrape``) and train word vectors on unlabeled
text (``zoo embed``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

from ..data.datasets import resolve, sha256_of
from ..data.preprocessing import parse_steps, run_chain
from ..data.scraping import load_site, read_scrape_output
from ..foundations.errors import ZooError
from ..kinds.base import log_info
from ..machinery.discovery import get_zoo


__all__ = ["embed", "scrape"]


def scrape(site: str | Path, output: str | Path, scraper: str = "scrapy", registry: str | None = None) -> dict:
    """Scrape the site that the site file ``site`` (TOML) describes into ``output`` (JSON Lines, which
    ``nlpzoo.train`` and ``zoo run --data`` read). An existing ``output`` is resumed: its pages are not
    fetched again. Returns the scraper's stats (pages_fetched, items_kept, resumed_items, duplicates, errors)."""
    site_config = load_site(site)
    if Path(output).exists():  # checked here, before any scraper (or its child process) opens it
        read_scrape_output(output)
    return get_zoo(registry).create("scraper", scraper).scrape(site_config, str(output))


def embed(sources: Sequence[str], out: str | Path, *, text_col: str | None = None,
          preprocess: str | None = "normalize,tokenize", dim: int = 100, epochs: int = 5, min_count: int = 2,
          window: int = 5, min_n: int = 3, max_n: int = 6, binary: bool = False, seed: int = 13, threads: int = 1,
          registry: str | None = None, progress: bool = True, log: Callable[[str], Any] = log_info) -> dict:
    """Train subword-aware word vectors (gensim's FastText) on the texts of ``sources`` (files or registry
    dataset names), after the preprocessing chain the classifier will use, into the folder ``out``, for
    the neural models' ``embeddings`` parameter. Returns embed.json's contents with ``out``."""
    from ..neural.embeddings import read_texts, train_vectors  # numpy; gensim only once training starts

    if min_n > max_n:
        raise ZooError(f"--min-n {min_n} is longer than --max-n {max_n}.")
    zoo = get_zoo(registry)
    files = []
    for source in sources:
        resolved = resolve(source, zoo.registry)
        files.append((str(resolved.path), text_col or resolved.text_col, resolved.fmt))
    texts = []
    for path, column, fmt in files:
        texts.extend(read_texts([path], column, fmt))
    log(f"Read {len(texts):,} texts from {len(files)} file(s); preprocessing with {preprocess or 'none'}...")
    texts = run_chain(preprocess, texts, zoo, progress=progress)
    log(f"Training FastText ({dim} dimensions, {epochs} epochs)...")
    folder = train_vectors(texts, out, dim=dim, epochs=epochs, min_count=min_count, window=window, min_n=min_n,
                           max_n=max_n, seed=seed, workers=threads, binary=binary,
                           info={"preprocess": parse_steps(preprocess),
                                 "sources": [{"path": p, "sha256": sha256_of(Path(p))} for p, _, _ in files]})
    return {"out": str(folder), **json.loads((Path(folder) / "embed.json").read_text("utf-8"))}
