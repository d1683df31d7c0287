"""Named datasets: resolving --data, and downloads from a local HTTP server (good, corrupted, interrupted)."""
from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from nlpzoo.data.datasets import download, resolve
from nlpzoo.foundations.errors import DataError, DownloadError
from nlpzoo.machinery.registry import DatasetEntry, load_registry

BODY = "text,score\nجيد,8\nسيء,2\n".encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    hits: dict = {}
    shared = None  # a folder of files served under /shared/

    def do_GET(self):  # noqa: N802
        type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        if self.path.startswith("/shared/") and self.shared is not None:
            body = (self.shared / self.path[len("/shared/"):]).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/good.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/cut.csv":  # announces more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) * 10))
            self.end_headers()
            self.wfile.write(BODY[:10])
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "datasets"


def entry(url, sha=hashlib.sha256(BODY).hexdigest()):
    return DatasetEntry(name="remote", source="test.toml", url=url, sha256=sha, format="csv")


def test_good_download_is_checked_and_cached(server, cache):
    Handler.hits.clear()
    path = download(entry(f"{server}/good.csv"))
    assert path.read_bytes() == BODY and path.parent == cache
    assert download(entry(f"{server}/good.csv")) == path
    assert Handler.hits == {"/good.csv": 1}  # the second call was served from the cache, not the server
    assert [p.name for p in cache.iterdir()] == [path.name]


def test_wrong_checksum_leaves_nothing(server, cache):
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(entry(f"{server}/good.csv", sha="0" * 64))
    assert not cache.exists() or list(cache.iterdir()) == []


def test_interrupted_download_leaves_nothing(server, cache):
    with pytest.raises(DownloadError):
        download(entry(f"{server}/cut.csv"))
    assert list(cache.iterdir()) == []


def test_missing_url_leaves_nothing(server, cache):
    with pytest.raises(DownloadError, match="cannot download"):
        download(entry(f"{server}/nothing.csv"))
    assert list(cache.iterdir()) == []


def test_registry_url_entry_resolves_to_the_download(server, cache, tmp_path):
    user = tmp_path / "user.toml"
    user.write_text(f'[datasets.remote]\nurl = "{server}/good.csv"\nsha256 = "{hashlib.sha256(BODY).hexdigest()}"\n'
                    'format = "csv"\nscore_col = "score"\n', "utf-8")
    source = resolve("remote", load_registry(user))
    assert source.path.read_bytes() == BODY and source.score_col == "score"


def test_default_is_the_builtin_demo_set():
    source = resolve(None, load_registry())
    assert source.name == "demo" and source.path.is_file() and source.discretize == "bins:0,4,7,10"


def test_unknown_name_suggests_named_datasets():
    with pytest.raises(DataError, match="Did you mean: demo"):
        resolve("dmeo", load_registry())


@pytest.mark.parametrize("name, file", [("restaurants", "restaurant_reviews_qaym.csv"),
                                        ("products", "product_reviews_souq.csv")])
def test_the_review_datasets_download_on_first_use_and_are_checked(name, file, shared_data, server, cache, tmp_path):
    """The built-in entries name the published files (one pinned commit) and their sha256; served
    from a local server here, the download is checked against that sha256 and cached."""
    builtin = load_registry().datasets[name]
    assert builtin.url.startswith("https://raw.githubusercontent.com/hadyelsahar/") and builtin.format == "csv"
    Handler.shared, Handler.hits = shared_data, {}
    registry = tmp_path / "registry.toml"
    registry.write_text(f'[datasets.{name}]\nurl = "{server}/shared/{file}"\nsha256 = "{builtin.sha256}"\n'
                        f'format = "csv"\ntext_col = "text"\nscore_col = "polarity"\n', "utf-8")
    source = resolve(name, load_registry(registry))
    assert source.path.read_bytes() == (shared_data / file).read_bytes() and source.path.parent == cache
    assert Handler.hits == {f"/shared/{file}": 1}
    assert resolve(name, load_registry(registry)).path == source.path and Handler.hits == {f"/shared/{file}": 1}


def test_an_unreachable_download_says_what_to_do(cache):
    with pytest.raises(DownloadError, match="zoo data get remote' again .* --data FILE"):
        download(entry("http://127.0.0.1:9/nothing.csv"))
