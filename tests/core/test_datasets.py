"""Named datasets: resolving --data, and downloads from a local HTTP server (good, corrupted, interrupted)."""
from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from nlpzoo.datasets import download, resolve
from nlpzoo.errors import DataError, DownloadError
from nlpzoo.registry import DatasetEntry, load_registry

BODY = "text,score\nجيد,8\nسيء,2\n".encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/good.csv":
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
    path = download(entry(f"{server}/good.csv"))
    assert path.read_bytes() == BODY and path.parent == cache
    assert download(entry(f"{server}/good.csv")) == path  # second call uses the cache
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


def test_shared_data_entry_points_beside_the_project(shared_data):
    source = resolve("restaurants", load_registry())
    assert source.path.resolve() == (shared_data / "restaurant_reviews_qaym.csv").resolve()
