"""Both scrapers stay inside their fence, against real servers on 127.0.0.1 whose hits are counted:
a redirect to another port, a redirect into a path robots.txt disallows, and a server that drips
one byte at a time. Every server loop here is bounded and stops by itself."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.data.scraping import load_site

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


def endless(chunk: bytes, limit: int, sent: dict):
    """A handler body that streams ``chunk`` until the client hangs up or ``limit`` bytes went out."""
    return ("endless", chunk, limit, sent)


@pytest.fixture
def any_host_servers():
    """Servers on any loopback address, with bodies that may stream until the client hangs up."""
    started = []

    def start(host: str, routes: dict, hits: dict):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits[self.path] = hits.get(self.path, 0) + 1
                status, headers, body = routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(key, value)
                if isinstance(body, tuple):  # ("endless", chunk, limit, sent) or ("drip", n)
                    self.end_headers()
                    if body[0] == "drip":
                        for _ in range(body[1]):
                            try:
                                self.wfile.write(b"#")
                                self.wfile.flush()
                            except OSError:
                                return
                            time.sleep(0.3)
                        return
                    _, chunk, limit, sent = body
                    deadline = time.monotonic() + 30
                    while sent.get("bytes", 0) < limit and time.monotonic() < deadline:
                        try:
                            self.wfile.write(chunk)
                        except OSError:
                            return
                        sent["bytes"] = sent.get("bytes", 0) + len(chunk)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://{host}:{server.server_address[1]}"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def fenced_site(tmp_path, start: str, domains: str = '["127.0.0.1"]', timeout: float = 5.0):
    path = tmp_path / "site.toml"
    path.write_text(f'start_urls = ["{start}"]\nallowed_domains = {domains}\ntext = "div.review-body"\n'
                    f'min_length = 5\nmax_depth = 2\n\n[score]\nkeywords = ["مطعم"]\n\n[politeness]\n'
                    f"timeout = {timeout}\nretries = 0\n", "utf-8")
    return path


@pytest.mark.parametrize("domains", ['["127.0.0.1"]', "[]"])
@pytest.mark.parametrize("name", SCRAPERS)
def test_a_backslash_before_the_at_sign_does_not_carry_a_link_off_the_allowed_host(name, domains, any_host_servers,
                                                                                   tmp_path):
    """urllib.parse reads ``http://127.0.0.2:P\\@127.0.0.1:Q/x`` as host 127.0.0.1, requests/urllib3 as
    127.0.0.2: whichever scraper fetches, nothing may reach the other host, robots.txt included."""
    other_hits = {}
    other = any_host_servers("127.0.0.2", {"/robots.txt": (200, {"Content-Type": "text/plain"}, b""),
                                           "/": (200, {}, PAGE.format(TEXT).encode())}, other_hits)
    hits = {}
    routes = {"/x": (200, {}, PAGE.format(TEXT + " x").encode())}
    base = any_host_servers("127.0.0.1", routes, hits)
    trick = f"{other}\\@{base.removeprefix('http://')}/x"
    routes["/"] = (200, {}, f'<html><body><a href="{trick}">x</a>{PAGE.format(TEXT)}</body></html>'.encode())
    stats = scrape(name, fenced_site(tmp_path, base + "/", domains), tmp_path / "out.jsonl")
    assert other_hits == {}, f"{name} reached the other host: {other_hits}"
    items = [line for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines() if line.strip()]
    assert stats["items_kept"] == len(items) >= 1
    assert all("127.0.0.2" not in line for line in items)


@pytest.mark.parametrize("name", SCRAPERS)
def test_a_robots_txt_that_redirects_off_the_allowed_host_is_not_followed(name, any_host_servers, tmp_path):
    other_hits = {}
    other = any_host_servers("127.0.0.2", {"/robots.txt": (200, {"Content-Type": "text/plain"}, b"")}, other_hits)
    base = any_host_servers("127.0.0.1", {"/robots.txt": (302, {"Location": f"{other}/robots.txt"}, b""),
                                          "/": (200, {}, PAGE.format(TEXT).encode())}, {})
    scrape(name, fenced_site(tmp_path, base + "/"), tmp_path / "out.jsonl")
    assert other_hits == {}, f"{name} followed robots.txt off the host: {other_hits}"


@pytest.mark.parametrize("name", SCRAPERS)
def test_an_endless_robots_txt_is_read_only_up_to_the_cap(name, any_host_servers, tmp_path):
    sent = {}
    base = any_host_servers("127.0.0.1", {"/robots.txt": (200, {"Content-Type": "text/plain"},
                                                          endless(b"# comment line\n" * 4096, 400_000_000, sent)),
                                          "/": (200, {}, PAGE.format(TEXT).encode())}, {})
    started = time.monotonic()
    scrape(name, fenced_site(tmp_path, base + "/", timeout=10.0), tmp_path / "out.jsonl")
    assert time.monotonic() - started < 20
    assert sent.get("bytes", 0) < 50_000_000, f"{name} read {sent['bytes']:,} bytes of robots.txt"


@pytest.mark.parametrize("name", SCRAPERS)
def test_a_robots_txt_that_drips_is_cut_off_at_the_deadline(name, any_host_servers, tmp_path):
    base = any_host_servers("127.0.0.1", {"/robots.txt": (200, {"Content-Type": "text/plain"}, ("drip", 200)),
                                          "/": (200, {}, PAGE.format(TEXT).encode())}, {})
    started = time.monotonic()
    scrape(name, fenced_site(tmp_path, base + "/", timeout=1.0), tmp_path / "out.jsonl")
    elapsed = time.monotonic() - started
    assert elapsed < 8, f"{name} was held {elapsed:.1f} s by a robots.txt dripping under a 1 s timeout"
