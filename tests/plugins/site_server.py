"""A local Arabic review site on 127.0.0.1 for the scraper tests and benchmark.

Pages: an index linking to review pages (title, body, a star rating, plus nav/script boilerplate),
a windows-1256 page, a robots.txt that disallows /private/, a 404, a page that fails with 500 once
and then succeeds, a redirect loop, a redirect off the domain, an off-domain link, a PDF and a
response larger than the site file's size cap. ``latency`` delays every response; the server's
``requested`` lists every path asked for.
"""
from __future__ import annotations

import http.server
import threading
import time

OPENINGS = ["زرت هذا المطعم", "طلبت العشاء من هذا المكان", "جربت المطعم مع عائلتي", "ذهبت مع أصدقائي"]
VERDICTS = {1: "الطعام سيء جدا والخدمة بطيئة ولن أعود", 2: "الطعام بارد والأسعار غالية",
            3: "التجربة متوسطة والطعام مقبول", 4: "الطعام لذيذ والخدمة جيدة", 5: "تجربة ممتازة والطعام رائع جدا"}


def review(n: int) -> tuple[str, int]:
    stars = n % 5 + 1
    return f"{OPENINGS[n % 4]} رقم {n}. {VERDICTS[stars]}. الطبق {n} كان {'رائعا' if stars > 3 else 'عاديا'}.", stars


def review_page(n: int, title: str | None = None) -> str:
    text, stars = review(n)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{n}</title>
<script>var tracking = "لا تأخذ هذا النص";</script><style>body {{color: red}}</style></head>
<body><nav>الرئيسية | المطاعم | اتصل بنا</nav><h1>{title or f"مراجعة {n}"}</h1>
<div class="review-body"><p>{text}</p></div><span class="stars">{stars} من 5</span>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


class SiteHandler(http.server.BaseHTTPRequestHandler):
    reviews = 30
    latency = 0.0
    flaky_failures = {}
    huge_bytes = 3_000_000

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.latency:
            time.sleep(self.latency)
        path = self.path
        self.server.requested.append(path)
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/index.html":
            links = [f'<a href="/reviews/{n}.html">{n}</a>' for n in range(1, self.reviews + 1)]
            links += ['<a href="/private/secret.html">x</a>', '<a href="/missing.html">x</a>', '<a href="/flaky.html">x</a>',
                      '<a href="/loop1">x</a>', '<a href="/away">x</a>', '<a href="http://offsite.invalid/r.html">x</a>',
                      '<a href="/file.pdf">x</a>', '<a href="/huge.html">x</a>', '<a href="/cp1256.html">x</a>',
                      '<a href="mailto:a@b.c">x</a>']
            return self.send(200, ("<html><body>" + " ".join(links) + "</body></html>").encode())
        if path.startswith("/reviews/"):
            return self.send(200, review_page(int(path.split("/")[-1].split(".")[0])).encode("utf-8"))
        if path == "/private/secret.html":
            return self.send(200, review_page(900).encode("utf-8"))
        if path == "/flaky.html":
            key = self.server.server_address
            SiteHandler.flaky_failures[key] = SiteHandler.flaky_failures.get(key, 0) + 1
            if SiteHandler.flaky_failures[key] == 1:
                return self.send(500, b"try again")
            return self.send(200, review_page(101, "صفحة عادت بعد خطأ").encode("utf-8"))
        if path == "/cp1256.html":
            page = review_page(102, "صفحة بترميز ويندوز").replace('charset="utf-8"', 'charset="windows-1256"')
            return self.send(200, page.encode("cp1256"), "text/html; charset=windows-1256")
        if path == "/loop1":
            return self.send(302, headers={"Location": "/loop2"})
        if path == "/loop2":
            return self.send(302, headers={"Location": "/loop1"})
        if path == "/away":
            return self.send(302, headers={"Location": "http://offsite.invalid/landing.html"})
        if path == "/file.pdf":
            return self.send(200, b"%PDF-1.4 not a page", "application/pdf")
        if path == "/huge.html":
            return self.send(200, b"<html><body><div class='review-body'>" + "نص ".encode() * (self.huge_bytes // 5)
                             + b"</div></body></html>")
        return self.send(404, b"not found")

    def log_message(self, *args):
        pass


def start_site(reviews: int = 30, latency: float = 0.0):
    handler = type("Handler", (SiteHandler,), {"reviews": reviews, "latency": latency})
    server_class = type("Server", (http.server.ThreadingHTTPServer,), {"request_queue_size": 128})  # not 5: no SYN retries
    server = server_class(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.requested = []  # every GET's path, in order: what a scraper really fetched
    server.handle_error = lambda request, address: None  # clients hanging up on /huge.html are expected
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def site_file(path, base_url: str, **extra) -> str:
    lines = [f'start_urls = ["{base_url}/index.html"]', 'allowed_domains = ["127.0.0.1"]', "max_depth = 2",
             'text = "div.review-body"', 'title = "h1"', "min_length = 20"]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    lines += ["", "[score]", 'selector = ".stars"', "range = [0, 5]", "", "[politeness]", "max_bytes = 1000000",
              "timeout = 5.0"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return str(path)
