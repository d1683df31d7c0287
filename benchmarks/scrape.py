"""Pages per second of the `scrapy` plugin against the local test site with 50 ms latency per page,
next to a sequential requests + BeautifulSoup loop in the same run (target: 8x or more, with the
default politeness settings for a local host).

Usage: python benchmarks/scrape.py [--pages 200] [--latency 0.05]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.plugins.site_server import start_site, site_file  # noqa: E402


def sequential_loop(start_url: str, max_depth: int = 2) -> int:
    """What a first scraper looks like: requests.get, BeautifulSoup, follow every same-site link."""
    import requests
    from bs4 import BeautifulSoup
    from urllib.parse import urljoin

    queue, seen, pages = deque([(start_url, 0)]), {start_url}, 0
    while queue:
        url, depth = queue.popleft()
        response = requests.get(url, timeout=10)
        pages += 1
        if "html" not in response.headers.get("Content-Type", "") or len(response.content) > 1_000_000:
            continue
        soup = BeautifulSoup(response.content, "html.parser")
        _ = soup.select_one("div.review-body")
        if depth < max_depth:
            for anchor in soup.find_all("a", href=True):
                link = urljoin(url, anchor["href"])
                if link.startswith(start_url.rsplit("/", 1)[0]) and link not in seen and "private" not in link \
                        and "loop" not in link and "away" not in link and "huge" not in link:
                    seen.add(link)
                    queue.append((link, depth + 1))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=500, help="review pages on the test site")
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.data.scraping import load_site

    server, base_url = start_site(reviews=args.pages, latency=args.latency)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        reference_pages = sequential_loop(f"{base_url}/index.html")
        reference = reference_pages / (time.perf_counter() - started)
        site = load_site(site_file(Path(scratch) / "site.toml", base_url))
        site.max_pages = 10_000
        started = time.perf_counter()
        stats = get_zoo().create("scraper", "scrapy").scrape(site, Path(scratch) / "out.jsonl")
        ours = stats["pages_fetched"] / (time.perf_counter() - started)
    server.shutdown()
    print(f"{args.pages} review pages, {args.latency * 1000:.0f} ms latency per page")
    print(f"sequential requests+BeautifulSoup: {reference:6.1f} pages/s ({reference_pages} pages)")
    print(f"scrapy plugin (default local politeness: concurrency {site.politeness.concurrency}, delay"
          f" {site.politeness.download_delay}, robots.txt obeyed): {ours:6.1f} pages/s ({stats['pages_fetched']} pages,"
          f" {stats['items_kept']} items; includes the crawler process start)")
    print(f"ratio: {ours / reference:.1f}x (target >= 8x)")


if __name__ == "__main__":
    main()
