"""The scraper core: the JSON Lines sink never damages a file it did not write, and the site file
fences every scraper (domains with ports, start URLs, politeness values)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.data.scraping import ItemSink, SiteError, load_site

ITEM = {"url": "http://127.0.0.1:1/review/1", "text": "الطعام لذيذ جدا والخدمة ممتازة"}


@pytest.mark.parametrize("name, content", [
    ("notes.txt", "my notes\nline two\nno newline at the end"),
    ("reviews.csv", "text,score\nالطعام لذيذ,9\nالخدمة بطيئة,2\n"),
    ("items.jsonl", json.dumps({"url": "http://x/1"}) + "\n"),              # no text
    ("items.jsonl", json.dumps({"text": "نص"}) + "\n"),                      # no url
    ("items.jsonl", "[1, 2, 3]\n"),
])
def test_an_existing_file_that_is_not_a_scrape_output_is_refused_untouched(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(SiteError, match="not the output of an earlier scrape"):
        ItemSink(path)
    assert path.read_text("utf-8") == content


def test_a_torn_last_line_of_a_real_output_is_repaired(tmp_path):
    path = tmp_path / "out.jsonl"
    good = json.dumps(ITEM, ensure_ascii=False) + "\n"
    path.write_text(good + '{"url": "http://127.0.0.1:1/review/2", "te', "utf-8")
    sink = ItemSink(path)
    sink.close()
    assert path.read_text("utf-8") == good and sink.stats["resumed_items"] == 1


def test_the_scrape_command_refuses_a_file_that_is_not_its_output(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me\n", "utf-8")
    site = tmp_path / "site.toml"
    site.write_text('start_urls = ["http://127.0.0.1:9/"]\ntext = "p"\n[score]\nkeywords = ["مطعم"]\n', "utf-8")
    result = CliRunner().invoke(main, ["scrape", "--scraper", "beautifulsoup", "--site", str(site), "-o", str(notes)])
    assert result.exit_code == 2 and "notes.txt" in result.output and "not the output of an earlier scrape" in result.output
    assert notes.read_text("utf-8") == "keep me\n"


def write_site(tmp_path, body: str):
    path = tmp_path / "site.toml"
    path.write_text(body + '\ntext = "p"\n[score]\nkeywords = ["مطعم"]\n', "utf-8")
    return path


def test_allowed_domains_take_ports_into_account(tmp_path):
    site = load_site(write_site(tmp_path, 'start_urls = ["http://127.0.0.1:8001/"]\nallowed_domains = ["127.0.0.1"]'))
    assert site.allowed("http://127.0.0.1:8001/page")
    assert not site.allowed("http://127.0.0.1:8002/page")      # another service on the same host
    explicit = load_site(write_site(tmp_path, 'start_urls = ["https://example.com/"]\n'
                                              'allowed_domains = ["example.com", "static.other.org:8443"]'))
    assert explicit.allowed("https://example.com/a") and explicit.allowed("http://www.example.com/a")
    assert not explicit.allowed("https://example.com:8080/a")
    assert explicit.allowed("https://static.other.org:8443/x") and not explicit.allowed("https://static.other.org/x")


def test_a_start_url_outside_the_allowed_domains_is_refused_when_the_site_file_loads(tmp_path):
    with pytest.raises(SiteError, match="start URL 'http://evil.example/' is outside allowed_domains"):
        load_site(write_site(tmp_path, 'start_urls = ["http://evil.example/"]\nallowed_domains = ["example.com"]'))


@pytest.mark.parametrize("key, value", [("concurrency", "0"), ("timeout", "-1.0"), ("max_bytes", "-5"),
                                        ("download_delay", "-0.5"), ("retries", "-1")])
def test_politeness_values_are_range_checked(tmp_path, key, value):
    path = write_site(tmp_path, 'start_urls = ["http://127.0.0.1:8001/"]')
    path.write_text(path.read_text("utf-8") + f"[politeness]\n{key} = {value}\n", "utf-8")
    with pytest.raises(SiteError, match=f"politeness.{key}' must be"):
        load_site(path)


@pytest.mark.parametrize("key, value", [("max_pages", "0"), ("max_pages", "-3"), ("max_depth", "-1"),
                                        ("min_length", "-1")])
def test_crawl_limits_are_range_checked(tmp_path, key, value):
    with pytest.raises(SiteError, match=f"key '{key}' must be"):
        load_site(write_site(tmp_path, f'start_urls = ["http://127.0.0.1:8001/"]\n{key} = {value}'))


def test_the_smallest_valid_limits_are_accepted(tmp_path):
    """The range checks' boundaries: each smallest allowed value loads (mutation testing found them untested)."""
    path = write_site(tmp_path, 'start_urls = ["http://127.0.0.1:8001/"]\nmax_pages = 1\nmax_depth = 0\nmin_length = 0')
    path.write_text(path.read_text("utf-8") + "[politeness]\nconcurrency = 1\ntimeout = 0.1\nmax_bytes = 1\n"
                    "retries = 0\ndownload_delay = 0.0\n", "utf-8")
    site = load_site(path)
    assert (site.max_pages, site.max_depth, site.min_length) == (1, 0, 0)
    polite = site.politeness
    assert (polite.concurrency, polite.timeout, polite.max_bytes, polite.retries, polite.download_delay) == (1, 0.1, 1, 0, 0.0)
    timeout_zero = write_site(tmp_path, 'start_urls = ["http://127.0.0.1:8001/"]')
    timeout_zero.write_text(timeout_zero.read_text("utf-8") + "[politeness]\ntimeout = 0.0\n", "utf-8")
    with pytest.raises(SiteError, match="'politeness.timeout' must be above 0.0"):
        load_site(timeout_zero)


def test_a_start_urls_port_opens_that_port_on_its_own_host_only(tmp_path):
    site = load_site(write_site(tmp_path, 'start_urls = ["http://127.0.0.1:8001/", "http://other.example:9000/"]\n'
                                          'allowed_domains = ["127.0.0.1", "other.example"]'))
    assert site.allowed("http://other.example:9000/a") and site.allowed("http://127.0.0.1:8001/a")
    assert not site.allowed("http://127.0.0.1:9000/a") and not site.allowed("http://other.example:8001/a")
    assert site.allowed_hosts == ["127.0.0.1", "other.example"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "mailto:someone@example.com",
                                 "javascript:alert(1)", "http:///no-host", "http://example.com:99999/",
                                 "http://example.com:port/"])
def test_only_http_urls_with_a_host_and_a_valid_port_are_fetched_or_followed(tmp_path, url):
    site = load_site(write_site(tmp_path, 'start_urls = ["https://example.com/"]\nallowed_domains = ["example.com"]'))
    assert not site.allowed(url) and not site.should_follow(url)


def test_links_are_followed_when_allowed_and_matching_a_follow_pattern(tmp_path):
    site = load_site(write_site(tmp_path, 'start_urls = ["https://example.com/"]\nallowed_domains = ["example.com"]\n'
                                          'follow = ["/review/", "/page/\\\\d+"]'))
    assert site.should_follow("https://example.com/review/1") and site.should_follow("https://example.com/page/2")
    assert not site.should_follow("https://example.com/about")            # allowed, but no pattern matches
    assert not site.should_follow("https://elsewhere.org/review/1")       # matches, but off the allowed domains
    every = load_site(write_site(tmp_path, 'start_urls = ["https://example.com/"]\nallowed_domains = ["example.com"]'))
    assert every.should_follow("https://example.com/about") and not every.should_follow("https://elsewhere.org/")


@pytest.mark.parametrize("start_urls, domains, local", [
    (["http://127.0.0.1:8000/"], ["127.0.0.1"], True), (["http://localhost:8000/a"], ["localhost"], True),
    (["https://example.com/"], ["example.com"], False), (["http://10.0.0.7/"], ["10.0.0.7"], False),
    (["http://127.0.0.1:8000/", "https://example.com/"], ["127.0.0.1", "example.com"], False),
])
def test_politeness_defaults_are_the_documented_ones_and_drop_the_delay_for_loopback_only(tmp_path, start_urls,
                                                                                          domains, local):
    """README: robots.txt obeyed, a download delay of 0.5 s (0 for loopback hosts), AutoThrottle."""
    from nlpzoo.data.scraping import USER_AGENT, Politeness

    site = load_site(write_site(tmp_path, f"start_urls = {json.dumps(start_urls)}\nallowed_domains = {json.dumps(domains)}"))
    assert site.local is local
    polite = site.politeness
    assert (polite.obey_robots, polite.retries, polite.max_bytes, polite.timeout) == (True, 2, 2_000_000, 20.0)
    assert polite.user_agent == USER_AGENT and USER_AGENT.startswith("nlp-zoo-scraper/")
    if local:
        assert (polite.download_delay, polite.autothrottle, polite.concurrency) == (0.0, False, 16)
    else:
        assert polite == Politeness() and (polite.download_delay, polite.autothrottle, polite.concurrency) == (0.5, True, 8)


@pytest.mark.parametrize("url", [
    "http://127.0.0.2:18002\\@127.0.0.1:18001/x",   # urllib.parse: 127.0.0.1; requests/urllib3: 127.0.0.2
    "http://127.0.0.1:18001\\x",
    "http://user@127.0.0.1:18001/x",                 # user info: a second host name can hide before '@'
    "http://127.0.0.2:18002@127.0.0.1:18001/x",
    "http://127.0.0.1:18001/x\ny",
    "http://127.0.0.1:99999/x",
])
def test_a_url_that_two_parsers_could_read_differently_is_neither_fetched_nor_followed(url):
    from nlpzoo.data.scraping import Site, canonical_url

    site = Site(start_urls=["http://127.0.0.1:18001/"], allowed_domains=["127.0.0.1"], text="p")
    assert canonical_url(url) is None
    assert not site.allowed(url) and not site.should_follow(url)


def test_a_start_url_with_two_readings_is_refused_when_the_site_file_loads(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('start_urls = ["http://127.0.0.2:1\\\\@127.0.0.1:2/"]\nallowed_domains = ["127.0.0.1"]\n'
                    'text = "p"\n[score]\nkeywords = ["a"]\n', "utf-8")
    with pytest.raises(SiteError, match="more than one address"):
        load_site(path)


@given(st.text(alphabet=st.sampled_from(list("htps:/\\@.%#?[]: 12709abcx%-_\t")), max_size=40))
@settings(max_examples=400, deadline=None)
def test_every_url_the_fence_accepts_has_one_host_for_both_parsers(tail):
    """Whatever the fence lets through, urllib.parse (the check's reading) and urllib3 (what requests
    connects to) agree on its scheme, host and port."""
    from urllib.parse import urlparse

    from urllib3.util import parse_url

    from nlpzoo.data.scraping import canonical_url

    for url in ("http://" + tail, "http://127.0.0.1" + tail, tail):
        canonical = canonical_url(url)
        if canonical is None:
            continue
        ours, theirs = urlparse(canonical), parse_url(canonical)
        assert (ours.scheme, ours.hostname, ours.port) == (theirs.scheme, theirs.host.strip("[]"), theirs.port)
        assert canonical_url(canonical) == canonical  # normalised once: the fetched form reads the same again
