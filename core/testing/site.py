"""A local test site on 127.0.0.1 (pages of Arabic reviews, an off-site link, robots.txt) for scrapers."""
from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from pathlib import Path


REVIEWS = ["زرت هذا المطعم والطعام لذيذ جدا والخدمة ممتازة", "الطعام بارد والأسعار غالية ولن أعود مرة أخرى",
           "تجربة متوسطة والطعام مقبول لكن المكان مزدحم"]


class _Site(http.server.BaseHTTPRequestHandler):
    hits: dict = {}
    offsite = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
            kind = "text/plain"
        elif self.path in ("/", "/index.html"):
            links = "".join(f'<a href="/review/{i}">{i}</a> ' for i in range(len(REVIEWS)))
            body = f'<html><body>{links}<a href="{self.offsite}/review/9">elsewhere</a></body></html>'.encode()
            kind = "text/html; charset=utf-8"
        elif self.path.startswith("/review/") and self.path[8:].isdigit() and int(self.path[8:]) < len(REVIEWS):
            n = int(self.path[8:])
            body = (f'<html><body><h1>مراجعة {n}</h1><div class="review-body"><p>{REVIEWS[n]}</p></div>'
                    f'<span class="stars">{n + 2} من 5</span></body></html>').encode()
            kind = "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@dataclass
class LocalSite:
    """A three-review site on 127.0.0.1 that links to an off-domain host (``localhost`` on another
    port) whose hits are counted: a scraper must never fetch from it."""

    base_url: str
    site_file: Path
    offsite_hits: dict
    servers: list

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def start_local_site(directory: str | Path) -> LocalSite:
    def serve(handler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    offsite = serve(type("Offsite", (_Site,), {"hits": {}}))
    site_handler = type("Site", (_Site,), {"hits": {}, "offsite": f"http://localhost:{offsite.server_address[1]}"})
    site = serve(site_handler)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    path = Path(directory) / "site.toml"
    path.write_text("\n".join([
        f'start_urls = ["{base}/index.html"]', 'allowed_domains = ["127.0.0.1"]', "max_depth = 2",
        'follow = ["/review/"]', 'text = "div.review-body"', 'title = "h1"', "min_length = 10", "",
        "[score]", 'selector = ".stars"', "range = [0, 5]", "", "[politeness]", "timeout = 5.0"]) + "\n", "utf-8")
    return LocalSite(base, path, offsite.RequestHandlerClass.hits, [site, offsite])
