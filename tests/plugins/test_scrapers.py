"""Both scrapers against a local Arabic site on 127.0.0.1: same items, politeness and safety,
resume without loss or duplicates, a malformed site file, and training on the output."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.data.scraping import SiteError, load_site, relevance_score
from tests.plugins.site_server import review, start_site, site_file

SCRAPERS = ["beautifulsoup", "scrapy"]


@pytest.fixture
def served(tmp_path):
    server, base_url = start_site()
    yield server, base_url, site_file(tmp_path / "site.toml", base_url)
    server.shutdown()


@pytest.fixture
def site(served):
    _, base_url, site_path = served
    return base_url, site_path


def items(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def scrape(name, site_path, output, **overrides):
    site = load_site(site_path)
    for key, value in overrides.items():
        setattr(site, key, value)
    return get_zoo().create("scraper", name).scrape(site, output)


@pytest.fixture
def scraped(site, tmp_path):
    base_url, site_path = site
    results = {}
    for name in SCRAPERS:
        stats = scrape(name, site_path, tmp_path / f"{name}.jsonl")
        results[name] = (stats, items(tmp_path / f"{name}.jsonl"))
    return base_url, results


def test_both_scrapers_produce_the_same_items(scraped):
    base_url, results = scraped
    keyed = {name: {i["url"]: (i["title"], i["text"], i["score"]) for i in found} for name, (_, found) in results.items()}
    assert keyed["beautifulsoup"] == keyed["scrapy"]
    urls = set(keyed["scrapy"])
    assert urls == {f"{base_url}/reviews/{n}.html" for n in range(1, 31)} | {f"{base_url}/flaky.html", f"{base_url}/cp1256.html"}


def test_items_are_clean_scored_and_complete(scraped):
    base_url, results = scraped
    for name, (stats, found) in results.items():
        by_url = {i["url"]: i for i in found}
        first = by_url[f"{base_url}/reviews/1.html"]
        text, stars = review(1)
        assert first["text"] == text and first["score"] == stars * 2.0 and first["title"] == "مراجعة 1"
        assert "tracking" not in first["text"] and "الرئيسية" not in first["text"]  # script and nav removed
        assert set(first) == {"url", "title", "date", "text", "score", "fetched_at"}
        assert by_url[f"{base_url}/cp1256.html"]["title"] == "صفحة بترميز ويندوز"  # windows-1256 decoded
        assert by_url[f"{base_url}/flaky.html"]["title"] == "صفحة عادت بعد خطأ"  # 500, then retried
        assert stats["items_kept"] == 32 and stats["duplicates"] == 0
        expected = {"robots_disallowed": 1, "http_404": 1, "not_html": 1, "too_large": 1, "offsite_redirect": 1,
                    "redirect_loop": 1}
        if name == "scrapy":  # Scrapy's duplicate filter drops a looping redirect without an error
            del expected["redirect_loop"]
        assert stats["errors"] == expected, (name, stats)  # every count, under the same names
        assert not any("private" in i["url"] or "offsite" in i["url"] for i in found)


def test_resume_skips_fetched_pages_and_never_duplicates(served, tmp_path):
    server, base_url, site_path = served
    for name in SCRAPERS:
        output = tmp_path / f"resume-{name}.jsonl"
        scrape(name, site_path, output, max_pages=3)
        # A run cut short: Scrapy finishes what is in flight (on a busy machine, all of it),
        # so keep exactly what a run stopped after two items leaves behind.
        lines = output.read_text("utf-8").splitlines(keepends=True)
        output.write_text("".join(lines[:2]), "utf-8")
        first = items(output)
        assert len(first) == 2
        before = len(server.requested)
        stats = scrape(name, site_path, output)
        final = items(output)
        assert stats["resumed_items"] == len(first)
        assert len(final) == 32 and len({i["url"] for i in final}) == 32
        assert [i["url"] for i in final[:len(first)]] == [i["url"] for i in first]  # nothing rewritten
        asked = server.requested[before:]   # what the server saw during the resumed run, exactly
        kept = {i["url"].removeprefix(base_url) for i in first}
        assert not kept & set(asked), (name, sorted(kept & set(asked)))  # no page already saved is fetched again
        missing = {i["url"].removeprefix(base_url) for i in final} - kept - {"/flaky.html"}  # flaky: a 500, retried
        assert all(asked.count(path) == 1 for path in missing), (name, asked)


def test_ctrl_c_loses_nothing_already_written(site, tmp_path, monkeypatch):
    from nlpzoo.data import scraping

    _, site_path = site
    output = tmp_path / "interrupted.jsonl"
    calls = {"n": 0}
    original = scraping.extract

    def interrupt_after_five_pages(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(scraping, "extract", interrupt_after_five_pages)
    with pytest.raises(KeyboardInterrupt):
        scrape("beautifulsoup", site_path, output)
    monkeypatch.undo()
    kept = items(output)
    assert len(kept) == 4  # the index page and four reviews were processed before the interrupt
    scrape("beautifulsoup", site_path, output)
    assert len({i["url"] for i in items(output)}) == len(items(output)) == 32


def test_torn_last_line_is_cut_on_resume(site, tmp_path):
    _, site_path = site
    output = tmp_path / "torn.jsonl"
    scrape("beautifulsoup", site_path, output, max_pages=5)
    with open(output, "a", encoding="utf-8") as handle:
        handle.write('{"url": "http://127.0.0.1/half')
    scrape("beautifulsoup", site_path, output)
    assert len(items(output)) == 32


def test_output_trains_a_classifier(scraped, tmp_path):
    data = tmp_path / "beautifulsoup.jsonl"
    result = CliRunner().invoke(main, ["run", "--classifier", "tfidf-logreg", "--data", str(data), "--discretize",
                                       "bins:0,5,8,10", "--out", str(tmp_path / "run"), "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["class_names"] == ["low", "medium", "high"]


def test_scrape_command_prints_stats(site, tmp_path):
    _, site_path = site
    result = CliRunner().invoke(main, ["scrape", "--scraper", "beautifulsoup", "--site", site_path, "-o",
                                       str(tmp_path / "cli.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items_kept"] == 32


def test_xpath_selectors_give_the_same_items_as_css(site, tmp_path, scraped):
    base_url, site_path = site
    text = open(site_path, encoding="utf-8").read()
    text = text.replace('text = "div.review-body"', 'text = "//div[@class=\'review-body\']"')
    text = text.replace('title = "h1"', 'title = "//h1"').replace('selector = ".stars"', 'selector = "//span[@class=\'stars\']"')
    xpath_site = tmp_path / "xpath.toml"
    xpath_site.write_text(text, "utf-8")
    scrape("beautifulsoup", xpath_site, tmp_path / "xpath.jsonl")
    css = {i["url"].replace(scraped[0], ""): (i["title"], i["text"], i["score"]) for i in scraped[1]["beautifulsoup"][1]}
    xpath = {i["url"].replace(base_url, ""): (i["title"], i["text"], i["score"]) for i in items(tmp_path / "xpath.jsonl")}
    assert xpath == css


@pytest.mark.parametrize("text, message", [
    ('start_urls = ["http://x/"]\ntext = "//div[@"\n[score]\nselector = ".s"\n', "key 'text'"),
    ('text = "p"\n[score]\nselector = ".s"\n', "key 'start_urls' is required"),
    ('start_urls = ["ftp://x/"]\ntext = "p"\n[score]\nselector = ".s"\n', "is not an http(s) URL"),
    ('start_urls = ["http://x/"]\n[score]\nselector = ".s"\n', "key 'text' is required"),
    ('start_urls = ["http://x/"]\ntext = "p"\n', "[score] needs exactly one"),
    ('start_urls = ["http://x/"]\ntext = "p"\nmax_depth = "deep"\n[score]\nselector = ".s"\n', "key 'max_depth' must be int"),
    ('start_urls = ["http://x/"]\ntext = "p"\nfollow = ["(("]\n[score]\nselector = ".s"\n', "key 'follow'"),
    ('start_urls = ["http://x/"]\ntext = "p"\n[score]\nselector = ".s"\nrange = [5, 1]\n', "key 'score.range'"),
    ('start_urls = ["http://x/"]\ntext = "p"\ncolour = 1\n[score]\nselector = ".s"\n', "unknown key 'colour'"),
    ('start_urls = ["http://x/"]\ntext = "p"\n[score]\nkeywords = ["a"]\n[politeness]\ndelay = 1\n', "politeness.delay"),
    ('start_urls = ["http://x/"\n', "invalid TOML"),
])
def test_malformed_site_files_name_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(SiteError) as caught:
        load_site(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_politeness_defaults_depend_on_the_host(tmp_path):
    path = tmp_path / "remote.toml"
    path.write_text('start_urls = ["https://example.com/"]\ntext = "p"\n[score]\nkeywords = ["مطعم"]\n', "utf-8")
    remote = load_site(path)
    assert remote.politeness.download_delay == 0.5 and remote.politeness.autothrottle and remote.politeness.obey_robots
    path.write_text('start_urls = ["http://127.0.0.1:8000/"]\ntext = "p"\n[score]\nkeywords = ["مطعم"]\n', "utf-8")
    assert load_site(path).politeness.download_delay == 0.0


def test_relevance_score_formula():
    keywords = ["مطعم", "طعام"]
    assert relevance_score("ذهبت إلى مطعم جديد والطعام كان طعام لذيذ", keywords) == pytest.approx(
        round(5 * 2 / 2 + 5 * min(1, 20 * 2 / 8), 1))
    assert relevance_score("كتاب عن التاريخ", keywords) == 0.0
    assert relevance_score("مطعم " + "كلمة " * 99, keywords) == pytest.approx(round(2.5 + 5 * 20 / 100, 1))
