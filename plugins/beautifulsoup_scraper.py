"""`beautifulsoup`: a small, sequential scraper with requests + BeautifulSoup.

Same site file and the same extraction as the `scrapy` plugin (``nlpzoo.extract``), the
same politeness: robots.txt through ``urllib.robotparser`` (checked again at every redirect hop), a
delay between requests, retries on 5xx and timeouts, a response size cap, a deadline for each whole
response (requests' own timeout is per socket read, so a server dripping bytes could hold it for
ever), and redirects followed by hand only inside the allowed domains and ports. robots.txt is
fetched through the same fence, cap (its first 500 KiB, as RFC 9309 allows) and deadline. The URL
the fence checks is the URL requests sends: each request is prepared first and its own URL checked.
"""
from __future__ import annotations

import socket
import threading
import time
from collections import deque
from urllib.parse import urljoin, urlparse

from nlpzoo import Component, hookimpl


# RFC 9309 (robots.txt) 2.5: crawlers parse at least the first 500 KiB; what follows is ignored.
ROBOTS_MAX_BYTES = 500 * 1024


class SoupScraper:
    def __init__(self):
        import requests

        self.session = requests.Session()

    def _robots(self, url: str, site, sink, cache: dict):
        """The robots.txt rules of ``url``'s host, fetched once per host through the same fence,
        size cap and deadline as a page (its redirects too); an unreachable one allows everything,
        as browsers and Scrapy do."""
        from urllib.robotparser import RobotFileParser

        parsed = urlparse(url)
        root = f"{parsed.scheme}://{parsed.netloc}"
        if root not in cache:
            parser = RobotFileParser()
            result = self._get(root + "/robots.txt", site, sink, robots=None, limit=ROBOTS_MAX_BYTES, truncate=True)
            lines = []
            if result is not None and result[1] == 200:
                lines = result[3].decode("utf-8", errors="replace").splitlines()
            parser.parse(lines)
            cache[root] = parser
        return cache[root]

    def _fetch(self, url: str, site, sink, robots: dict):
        """(final url, content type, body) of a page, or None; counts errors by kind in the sink."""
        result = self._get(url, site, sink, robots=robots, limit=site.politeness.max_bytes)
        if result is None:
            return None
        final, status, content_type, body = result
        if status >= 400:
            sink.error(f"http_{status}")
            return None
        return final, content_type, body

    def _get(self, url: str, site, sink, robots: dict | None, limit: int, truncate: bool = False):
        """(final url, status, content type, body) or None (counted in the sink). Every hop is sent
        as the exact URL requests prepares, after the fence has checked that very URL; redirects are
        followed by hand inside the fence (and robots.txt, unless this is robots.txt itself); the
        body is read up to ``limit`` bytes (cut there when ``truncate``, else refused) before the
        deadline; 5xx and network errors are retried."""
        import requests

        polite = site.politeness
        seen_redirects = []
        for attempt in range(polite.retries + 1):
            try:
                current = url
                for _ in range(6):
                    prepared = self.session.prepare_request(requests.Request(
                        "GET", current, headers={"User-Agent": polite.user_agent}))
                    if not site.allowed(prepared.url):
                        sink.error("offsite_redirect" if seen_redirects else "offsite")
                        return None
                    response = self.session.send(prepared, timeout=polite.timeout, allow_redirects=False,
                                                 stream=True)
                    if response.is_redirect:
                        target = urljoin(prepared.url, response.headers.get("Location", ""))
                        response.close()
                        if not site.allowed(target):
                            sink.error("offsite_redirect")
                            return None
                        if target in seen_redirects:
                            sink.error("redirect_loop")
                            return None
                        if robots is not None and polite.obey_robots and not self._robots(
                                target, site, sink, robots).can_fetch(polite.user_agent, target):
                            sink.error("robots_disallowed")
                            return None
                        seen_redirects.append(target)
                        current = target
                        continue
                    break
                else:
                    sink.error("too_many_redirects")
                    return None
                if response.status_code >= 500 and attempt < polite.retries:
                    response.close()
                    time.sleep(min(0.5 * 2 ** attempt, 4))
                    continue
                if response.status_code >= 400:
                    response.close()
                    return prepared.url, response.status_code, response.headers.get("Content-Type"), b""
                body = self._read_before_deadline(response, polite, sink, limit, truncate)
                if body is None:
                    return None
                return prepared.url, response.status_code, response.headers.get("Content-Type"), body
            except (requests.Timeout, requests.ConnectionError):
                if attempt == polite.retries:
                    sink.error("network")
                    return None
                time.sleep(min(0.5 * 2 ** attempt, 4))
        return None

    @staticmethod
    def _read_before_deadline(response, polite, sink, limit: int, truncate: bool = False) -> bytes | None:
        """The body, or None (counted) when it is over ``limit`` bytes (its first ``limit`` bytes
        with ``truncate``) or not complete within the timeout: a timer closes the connection at the
        deadline, which ends a read blocked on it."""
        deadline = time.monotonic() + polite.timeout
        timer = threading.Timer(polite.timeout, SoupScraper._cut_connection, (response,))
        timer.start()
        body = b""
        try:
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    if truncate:
                        return body[:limit]
                    sink.error("too_large")
                    return None
        except Exception:  # noqa: BLE001 - whatever the closed connection raises
            if time.monotonic() >= deadline:
                sink.error("timeout")
                return None
            raise
        finally:
            timer.cancel()
            response.close()
        if time.monotonic() >= deadline:
            sink.error("timeout")
            return None
        return body

    @staticmethod
    def _cut_connection(response) -> None:
        """Shut the response's socket down: unlike close(), this wakes a read blocked on it."""
        connection = getattr(response.raw, "_connection", None)
        sock = getattr(connection, "sock", None)
        if sock is None:  # urllib3 kept the socket inside the file object
            sock = getattr(getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        response.close()

    def scrape(self, site, output_path, log=print) -> dict:
        from nlpzoo import ItemSink, decode_html, extract, is_html

        sink = ItemSink(output_path)
        robots: dict = {}
        queue = deque((url, 0) for url in site.start_urls)
        queued = set(site.start_urls)
        fetched = 0
        try:
            while queue and fetched < site.max_pages:
                url, depth = queue.popleft()
                if url in sink.urls:  # already in the output: resume without fetching again
                    continue
                if site.politeness.obey_robots and not self._robots(url, site, sink, robots).can_fetch(
                        site.politeness.user_agent, url):
                    sink.error("robots_disallowed")
                    continue
                if fetched and site.politeness.download_delay:
                    time.sleep(site.politeness.download_delay)
                result = self._fetch(url, site, sink, robots)
                fetched += 1
                sink.stats["pages_fetched"] = fetched
                if result is None:
                    continue
                final_url, content_type, body = result
                if not is_html(content_type):
                    sink.error("not_html")
                    continue
                item, links = extract(decode_html(body, content_type), final_url, site)
                if item:
                    sink.add(item)
                if depth < site.max_depth:
                    for link in links:
                        if link not in queued:
                            queued.add(link)
                            queue.append((link, depth + 1))
        finally:
            sink.close()
        return sink.stats


@hookimpl
def register_scrapers(register):
    register(Component(name="beautifulsoup",
                       description="Sequential requests + BeautifulSoup scraper (robots.txt, delay, retries, size cap).",
                       factory=SoupScraper, capabilities={"concurrent": False, "needs_download": False}))
