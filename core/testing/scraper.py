"""The scraper contract check, against the local test site."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .rules import check_declaration, component_named, require, run_rules
from .site import REVIEWS, start_local_site


def check_scraper(name_or_component, params: dict | None = None, zoo=None, rules=None) -> list[str]:
    """Check a scraper against :mod:`nlpzoo.kinds.scraper`'s contract on a local test site."""
    from ..data.scraping import load_site

    component = component_named(name_or_component, "scraper", zoo)
    work = Path(tempfile.mkdtemp(prefix="nlpzoo-check-"))
    state: dict = {}

    def scraped():
        if "items" not in state:
            site = start_local_site(work)
            try:
                state["stats"] = component.build(**(params or {})).scrape(load_site(site.site_file), work / "out.jsonl",
                                                                          log=lambda m: None)
            finally:
                site.close()
            state["site"] = site
            with open(work / "out.jsonl", encoding="utf-8") as handle:
                state["items"] = [json.loads(line) for line in handle if line.strip()]
        return state["items"]

    def scrapes_items():
        items = scraped()
        require(sorted(i.get("text") for i in items) == sorted(REVIEWS), component, "scrapes_items",
                 f"expected the {len(REVIEWS)} review texts, got {len(items)} item(s)")
        require(all(i.get("url") and i.get("text") for i in items), component, "scrapes_items",
                 "every item needs 'url' and 'text'")

    def stays_inside_allowed_domains():
        items = scraped()
        site = state["site"]
        require(all(i["url"].startswith(site.base_url) for i in items), component, "stays_inside_allowed_domains",
                 "an item comes from outside allowed_domains")
        require(not site.offsite_hits, component, "stays_inside_allowed_domains",
                 f"fetched {sum(site.offsite_hits.values())} page(s) from an off-domain host")

    def returns_stats():
        scraped()
        stats = state["stats"]
        for key in ("pages_fetched", "items_kept", "errors"):
            require(isinstance(stats, dict) and key in stats, component, "returns_stats", f"stats need '{key}'")
        require(stats["items_kept"] == len(REVIEWS), component, "returns_stats",
                 f"items_kept {stats['items_kept']}, but {len(REVIEWS)} items were written")

    table = {"declaration": lambda: check_declaration(component), "scrapes_items": scrapes_items,
             "stays_inside_allowed_domains": stays_inside_allowed_domains, "returns_stats": returns_stats}
    return run_rules(component, table, rules)
