"""Both scrapers stay inside their fence, against real servers on 127.0.0.1 whose hits are counted:
a redirect to another port, a redirect into a path robots.txt disallows, and a server that drips
one byte at a time. Every server loop here is bounded and stops by itself."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from nlpzoo.discovery import get_zoo
from nlpzoo.scraping import load_site

SCRAPERS = ["beautifulsoup", "scrapy"]
PAGE = '<html><body><div class="review-body"><p>{}</p></div></body></html>'
TEXT = "زرت هذا المطعم والطعام لذيذ جدا والخدمة ممتازة"


def serve(routes: dict, hits: dict):
    """A server whose ``routes`` map a path to (status, headers, body or a drip count)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits[self.path] = hits.get(self.path, 0) + 1
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(key, value)
            if isinstance(body, int):  # drip: one byte every 0.3 s, at most `body` bytes
                self.send_header("Content-Length", str(body))
                self.end_headers()
                for _ in range(body):
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.3)
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def servers():
    started = []

    def start(routes, hits):
        server, url = serve(routes, hits)
        started.append(server)
        return url

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def site_file(tmp_path, start: str, timeout: float = 5.0):
    path = tmp_path / "site.toml"
    path.write_text(f'start_urls = ["{start}"]\nallowed_domains = ["127.0.0.1"]\ntext = "div.review-body"\n'
                    f'min_length = 5\n\n[score]\nkeywords = ["مطعم"]\n\n[politeness]\ntimeout = {timeout}\n'
                    "retries = 0\n", "utf-8")
    return path


def scrape(name, path, output):
    return get_zoo().create("scraper", name).scrape(load_site(path), output, log=lambda m: None)


@pytest.mark.parametrize("name", SCRAPERS)
def test_a_redirect_to_another_port_on_the_same_host_is_not_followed(name, servers, tmp_path):
    other_hits = {}
    other = servers({"/secret": (200, {}, PAGE.format(TEXT).encode())}, other_hits)
    base = servers({"/": (302, {"Location": f"{other}/secret"}, b"")}, {})
    stats = scrape(name, site_file(tmp_path, base + "/"), tmp_path / "out.jsonl")
    assert other_hits == {} and stats["items_kept"] == 0
    assert stats["errors"].get("offsite_redirect") == 1, stats


@pytest.mark.parametrize("name", SCRAPERS)
def test_a_redirect_into_a_disallowed_path_is_not_followed(name, servers, tmp_path):
    hits = {}
    base = servers({"/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
                    "/": (302, {"Location": "/private/page"}, b""),
                    "/private/page": (200, {}, PAGE.format(TEXT).encode())}, hits)
    stats = scrape(name, site_file(tmp_path, base + "/"), tmp_path / "out.jsonl")
    assert "/private/page" not in hits and stats["items_kept"] == 0
    assert stats["errors"].get("robots_disallowed") == 1, stats


@pytest.mark.parametrize("name", SCRAPERS)
def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(name, servers, tmp_path):
    base = servers({"/": (200, {}, 40)}, {})  # 40 bytes at 0.3 s each: 12 s if nothing stops it
    started = time.monotonic()
    stats = scrape(name, site_file(tmp_path, base + "/", timeout=1.0), tmp_path / "out.jsonl")
    elapsed = time.monotonic() - started
    assert elapsed < 6, f"{name} was held {elapsed:.1f} s by a 1 s timeout"
    assert stats["items_kept"] == 0 and any("timeout" in kind.lower() for kind in stats["errors"]), stats
