"""`scrapy`: a real Scrapy spider run in-process with CrawlerProcess, for sites of any size.

Fetching, scheduling, concurrency, robots.txt, retries, timeouts, size caps, redirects and
AutoThrottle are Scrapy's; extraction is the zoo's (``nlpzoo.extract``), shared with the
`beautifulsoup` plugin so both give the same items. Twisted's reactor cannot be restarted inside
one process, so each scrape runs its CrawlerProcess in a fresh child process; items are written
and flushed one by one there, so Ctrl-C loses nothing already scraped.
"""
from __future__ import annotations

import json
import multiprocessing
import tempfile
from pathlib import Path

from nlpzoo import Component, hookimpl


class SiteFence:
    """Downloader middleware: every request, redirect hops included, must be allowed by the site
    file's allowed_domains, ports included (Scrapy's own offsite filter looks at host names only)."""

    site = None  # set in the crawling child process

    def process_request(self, request, spider=None):
        from scrapy.exceptions import IgnoreRequest

        if self.site is not None and not self.site.allowed(request.url):
            raise IgnoreRequest(f"offsite: {request.url} is outside allowed_domains")


def scrapy_settings(site) -> dict:
    polite = site.politeness
    return {
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "USER_AGENT": polite.user_agent,
        "DOWNLOAD_DELAY": polite.download_delay,
        "CONCURRENT_REQUESTS": max(polite.concurrency, 1) * 2,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": max(polite.concurrency / 2, 1.0),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": polite.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DOWNLOAD_TIMEOUT": polite.timeout,
        "DOWNLOAD_MAXSIZE": polite.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 5,
        "DEPTH_LIMIT": site.max_depth,
        "CLOSESPIDER_PAGECOUNT": site.max_pages,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": False,
        "DOWNLOADER_MIDDLEWARES": {f"{__name__}.SiteFence": 50},
    }


def _crawl(site, output_path: str, stats_path: str) -> None:
    """Child process: build the spider and run it to the end."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    from nlpzoo import ItemSink, decode_html, extract, is_html

    sink = ItemSink(output_path)
    SiteFence.site = site

    class SiteSpider(scrapy.Spider):
        name = "nlpzoo"
        allowed_domains = site.allowed_hosts

        async def start(self):
            for url in site.start_urls:
                if url not in sink.urls:
                    yield scrapy.Request(url, callback=self.parse, errback=self.failed)

        def parse(self, response):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            if not is_html(content_type):
                sink.error("not_html")
                return
            item, links = extract(decode_html(response.body, content_type), response.url, site)
            if item:
                sink.add(item)
            for link in links:
                if link not in sink.urls:
                    yield scrapy.Request(link, callback=self.parse, errback=self.failed)

        def failed(self, failure):
            if failure.check(HttpError):
                sink.error(f"http_{failure.value.response.status}")
            elif failure.check(IgnoreRequest):  # the zoo's names for Scrapy's reasons, as the other scraper uses
                message = str(failure.value).lower()
                sink.error("robots_disallowed" if "robots" in message else "offsite_redirect" if "offsite" in message
                           else "redirect_loop" if "redirect" in message else "ignored")
            elif type(failure.value).__name__ == "DownloadCancelledError":  # over DOWNLOAD_MAXSIZE
                sink.error("too_large")
            elif "timeout" in type(failure.value).__name__.lower():
                sink.error("timeout")
            else:
                sink.error(type(failure.value).__name__)

    process = CrawlerProcess(settings=scrapy_settings(site), install_root_handler=False)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler)
    try:
        process.start()
    finally:
        stats = crawler.stats.get_stats()
        sink.stats["pages_fetched"] = stats.get("downloader/response_count", 0)  # failed requests reach the errback
        if stats.get("robotstxt/forbidden"):
            sink.stats["errors"]["robots_disallowed"] = stats["robotstxt/forbidden"]
        if stats.get("offsite/filtered"):  # links were already kept inside the site file: these are redirects
            sink.stats["errors"]["offsite_redirect"] = (sink.stats["errors"].get("offsite_redirect", 0)
                                                        + stats["offsite/filtered"])
        if stats.get("retry/max_reached"):
            sink.stats["errors"]["retries_exhausted"] = stats["retry/max_reached"]
        sink.close()
        Path(stats_path).write_text(json.dumps(sink.stats), "utf-8")


class ScrapyScraper:
    def scrape(self, site, output_path, log=print) -> dict:
        with tempfile.TemporaryDirectory() as scratch:
            stats_path = Path(scratch) / "stats.json"
            child = multiprocessing.get_context("spawn").Process(target=_crawl, args=(site, str(output_path), str(stats_path)))
            child.start()
            try:
                child.join()
            except KeyboardInterrupt:  # the child got the same Ctrl-C and stops gracefully
                child.join()
                raise
            if not stats_path.exists():
                from nlpzoo import ZooError

                raise ZooError(f"The Scrapy crawl stopped abnormally (exit code {child.exitcode}); items written so far"
                               f" are in {output_path}; run the same command again to resume.")
            return json.loads(stats_path.read_text("utf-8"))


@hookimpl
def register_scrapers(register):
    register(Component(name="scrapy",
                       description="Scrapy spider (CrawlerProcess): concurrent, robots.txt, AutoThrottle, retries, size cap.",
                       factory=ScrapyScraper, capabilities={"concurrent": True, "needs_download": False}))
