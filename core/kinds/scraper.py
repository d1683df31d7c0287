"""The scraper kind: components that collect (url, text, score) items from web sites.

Contract (what a scraper factory returns)::

    scraper = component.build(**params)
    stats = scraper.scrape(site: nlpzoo.data.scraping.Site, output_path: Path, log=print) -> dict

- ``site`` is the parsed site file (:func:`nlpzoo.data.scraping.load_site`): start URLs, the domains
  that may be fetched, selectors and politeness limits. A scraper fetches nothing outside
  ``site.allowed_domains``, obeys robots.txt and stops at ``site.max_pages``.
- Items are appended to ``output_path`` as JSON Lines through :class:`nlpzoo.data.scraping.ItemSink`
  (fields ``url``, ``text``, optional ``title``, ``date``, ``score``), which also resumes an
  earlier output and removes duplicates; ``zoo run --data`` reads the file as it is.
- The returned stats are the sink's: ``pages_fetched``, ``items_kept``, ``duplicates`` and ``errors`` (a dict of
  error kind -> count). ``log`` receives one-line messages for the user.

Registered with ``register_scrapers(register)``; checked by :func:`nlpzoo.testing.check_scraper`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from ..machinery.plugin_api import Change, dropping_keywords
from .base import Kind


@runtime_checkable
class Scraper(Protocol):
    def scrape(self, site, output_path: Path, log=print) -> dict:
        """Crawl ``site`` and append its items to ``output_path``; return the stats."""


class ScraperKind(Kind):
    name = "scraper"
    plural = "scrapers"
    hook = "register_scrapers"
    protocol = Scraper
    changes = (Change("scrape", "0.2.0", "the core passes log=, a function taking one-line messages for the user",
                      old="scrape(site, output_path)", adapt=dropping_keywords("log")),)
    order = 10


KIND = ScraperKind()
