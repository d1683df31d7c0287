"""``zoo scrape``: collect scored Arabic texts from a site into JSON Lines that ``zoo run --data`` reads."""
from __future__ import annotations

import json

import click

from . import main
from .output import print_table


@main.command("scrape")
@click.option("--scraper", default="scrapy", show_default=True, help="Scraper plugin (zoo list scrapers).")
@click.option("--site", "site_path", required=True, type=click.Path(dir_okay=False), help="The site file (TOML).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="JSON Lines output; an existing file is resumed (its pages are not fetched again).")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@click.pass_context
def scrape_command(ctx, scraper, site_path, output, as_json):
    """Scrape a site: zoo scrape --scraper scrapy --site site.toml -o data.jsonl."""
    from nlpzoo import api

    stats = api.scrape(site_path, output, scraper, ctx.obj.get("registry") if ctx.obj else None)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    rows = [["pages fetched", stats["pages_fetched"]], ["items kept", stats["items_kept"]],
            ["items already in the file", stats["resumed_items"]], ["duplicates dropped", stats["duplicates"]]]
    rows += [[f"error: {kind}", count] for kind, count in sorted(stats["errors"].items())]
    print_table(["", "count"], rows, title=f"{scraper}: {output}")
