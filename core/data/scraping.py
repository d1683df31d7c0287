"""What both scraper plugins share: the site file, page decoding and extraction, scoring, and the
JSON Lines output that resumes and never duplicates.

A site file (TOML) says where to start, what to follow, what to extract and where the score
comes from::

    start_urls = ["https://example.com/reviews/"]
    allowed_domains = ["example.com"]
    follow = ['/reviews/\\d+']         # regexes on absolute URLs (or follow_css = "a.review")
    max_depth = 2
    max_pages = 500
    text = "div.review-body"          # CSS selector of the text, or XPath ("//div[@class='body']")
    title = "h1"                      # optional, CSS or XPath
    date = "time"                     # optional, CSS or XPath
    min_length = 20                   # characters; shorter texts are skipped

    [score]                           # either a selector, mapped from `range` onto 0-10 ...
    selector = ".stars"               # the element's text, or `attribute = "data-rating"`
    range = [0, 5]
    # ... or a relevance score against topic keywords (formula below)
    # keywords = ["مطعم", "طعام"]

    [politeness]                      # defaults shown; loopback hosts: delay 0, no AutoThrottle, concurrency 16
    obey_robots = true
    download_delay = 0.5
    concurrency = 8
    autothrottle = true
    timeout = 20
    retries = 2
    max_bytes = 2000000
    user_agent = "nlp-zoo-scraper/0.1 (+https://github.com/nlp-zoo)"

Relevance score (keywords): with K keywords, P of them present in the normalised text and N
keyword occurrences in W words, score = 5 * P / K + 5 * min(1, 20 * N / W), rounded to 0.1:
half for topic coverage, half for density (one keyword in 20 words counts as full density).
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

from ..foundations.errors import ZooError
from ..foundations.text import ArabicNormalizer


USER_AGENT = "nlp-zoo-scraper/0.1 (+https://github.com/nlp-zoo)"
BOILERPLATE = ["script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe", "svg"]
HTML_TYPES = ("text/html", "application/xhtml+xml")
META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
try:  # lxml (a Scrapy dependency) parses several times faster than Python's html.parser
    import lxml  # noqa: F401

    PARSER = "lxml"
except ImportError:  # pragma: no cover
    PARSER = "html.parser"


class SiteError(ZooError):
    """The site file is invalid; the message names the file and the key."""


@dataclass
class Politeness:
    obey_robots: bool = True
    download_delay: float = 0.5
    concurrency: int = 8
    autothrottle: bool = True
    timeout: float = 20.0
    retries: int = 2
    max_bytes: int = 2_000_000
    user_agent: str = USER_AGENT


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Site:
    start_urls: list[str]
    allowed_domains: list[str]
    text: str
    follow: list[str] = field(default_factory=list)
    follow_css: str | None = None
    max_depth: int = 2
    max_pages: int = 500
    title: str | None = None
    date: str | None = None
    min_length: int = 20
    score_selector: str | None = None
    score_attribute: str | None = None
    score_range: tuple[float, float] = (0.0, 10.0)
    keywords: list[str] = field(default_factory=list)
    politeness: Politeness = field(default_factory=Politeness)
    source: str = ""

    def allowed(self, url: str) -> bool:
        """Whether ``url`` may be fetched: it has one reading (``canonical_url``), its host is an
        allowed domain (or below one) and its port is one that domain allows: the port an entry
        names (``host:8443``), else the scheme's default port or a port the start URLs use on that
        host. Another port on an allowed host is another service, and is refused."""
        canonical = canonical_url(url)
        if canonical is None:
            return False
        parsed = urlparse(canonical)
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        host = parsed.hostname.lower()
        for entry in self.allowed_domains:
            domain, _, named = entry.partition(":")
            if not (host == domain or host.endswith("." + domain)):
                continue
            if named:
                if port == int(named):
                    return True
            elif port in DEFAULT_PORTS.values() or port in self._start_ports(domain):
                return True
        return False

    def _start_ports(self, domain: str) -> set[int]:
        ports = set()
        for url in self.start_urls:
            parsed = urlparse(url)
            host = (parsed.hostname or "").lower()
            if parsed.port and (host == domain or host.endswith("." + domain)):
                ports.add(parsed.port)
        return ports

    @property
    def allowed_hosts(self) -> list[str]:
        """The allowed domains without ports (what Scrapy's offsite filter takes)."""
        return sorted({entry.partition(":")[0] for entry in self.allowed_domains})

    def should_follow(self, url: str) -> bool:
        return self.allowed(url) and (not self.follow or any(re.search(p, url) for p in self.follow))

    @property
    def local(self) -> bool:
        """Every start host is loopback: politeness defaults then need no delay."""
        for url in self.start_urls:
            host = urlparse(url).hostname or ""
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    return False
            except ValueError:
                if host != "localhost":
                    return False
        return True


def canonical_url(url: str) -> str | None:
    """The one spelling of ``url`` that the fence checks and the scraper fetches, or None for a URL
    that is not http(s) with a host and a valid port, or that two URL parsers could read as two
    different places: a backslash (``http://a:1\\@b/``: urllib.parse sees host b, requests and
    urllib3 host a), user info before an ``@``, or control characters. The URL is parsed by urllib3,
    the parser requests fetches with, rebuilt from its parts, and parsed again by urllib.parse,
    which must find the same scheme, host and port."""
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    if not isinstance(url, str) or "\\" in url or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parsed = parse_url(url)
        if parsed.scheme not in ("http", "https") or not parsed.host or parsed.auth is not None:
            return None
        canonical = parsed.url
        again = urlparse(canonical)
        same = (again.scheme, again.hostname, again.port, again.username) == \
            (parsed.scheme, parsed.host.lower().strip("[]"), parsed.port, None)
    except (LocationParseError, ValueError):
        return None
    return canonical if same else None


POLITENESS_MINIMUM = {"download_delay": 0.0, "concurrency": 1, "timeout": 0.0, "retries": 0, "max_bytes": 1}


def load_site(path: str | os.PathLike) -> Site:
    """Read and check a site file (TOML): every key, URL and limit, with errors naming the file and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SiteError(f"Site file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{path}: invalid TOML: {error}.") from None

    def need(key, kind, default=None, required=False):
        if key not in data:
            if required:
                raise SiteError(f"{path}: key '{key}' is required ({kind.__name__ if isinstance(kind, type) else kind}).")
            return default
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise SiteError(f"{path}: key '{key}' must be {kind.__name__}, got {type(value).__name__}.")
        return value

    known = {"start_urls", "allowed_domains", "follow", "follow_css", "max_depth", "max_pages", "text", "title", "date",
             "min_length", "score", "politeness"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SiteError(f"{path}: unknown key '{unknown[0]}'. Known keys: {', '.join(sorted(known))}.")
    start_urls = need("start_urls", list, required=True)
    for url in start_urls:
        if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
            raise SiteError(f"{path}: key 'start_urls': {url!r} is not an http(s) URL.")
        if canonical_url(url) is None:
            raise SiteError(f"{path}: key 'start_urls': {url!r} can be read as more than one address (a backslash,"
                            " user info before '@', a control character or a bad port); write it plainly.")
    start_urls = [canonical_url(url) for url in start_urls]
    domains = need("allowed_domains", list) or sorted({urlparse(u).netloc for u in start_urls})
    for domain in domains:
        if not isinstance(domain, str) or not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?", domain):
            raise SiteError(f"{path}: key 'allowed_domains': {domain!r} is not a host name (optionally host:port).")
    follow = need("follow", list, [])
    for pattern in follow:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as error:
            raise SiteError(f"{path}: key 'follow': {pattern!r} is not a regular expression ({error}).") from None
    site = Site(start_urls=start_urls, allowed_domains=[d.lower() for d in domains], text=need("text", str, required=True),
                follow=follow, follow_css=need("follow_css", str), max_depth=need("max_depth", int, 2),
                max_pages=need("max_pages", int, 500), title=need("title", str), date=need("date", str),
                min_length=need("min_length", int, 20), source=str(path))
    for key, low in (("max_pages", 1), ("max_depth", 0), ("min_length", 0)):
        if getattr(site, key) < low:
            raise SiteError(f"{path}: key '{key}' must be {low} or more, got {getattr(site, key)}.")
    for url in start_urls:
        if not site.allowed(url):
            raise SiteError(f"{path}: start URL {url!r} is outside allowed_domains ({', '.join(site.allowed_domains)});"
                            " add its host to allowed_domains or remove it. Nothing was fetched.")
    score = need("score", dict, {})
    unknown = sorted(set(score) - {"selector", "attribute", "range", "keywords"})
    if unknown:
        raise SiteError(f"{path}: unknown key 'score.{unknown[0]}'. Known: selector, attribute, range, keywords.")
    if bool(score.get("selector")) == bool(score.get("keywords")):
        raise SiteError(f"{path}: [score] needs exactly one of 'selector' (with 'range') or 'keywords'.")
    if score.get("selector"):
        bounds = score.get("range", [0, 10])
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, (int, float)) for b in bounds)
                and bounds[1] > bounds[0]):
            raise SiteError(f"{path}: key 'score.range' must be [low, high] with low < high.")
        site.score_selector, site.score_attribute = score["selector"], score.get("attribute")
        site.score_range = (float(bounds[0]), float(bounds[1]))
    else:
        if not isinstance(score["keywords"], list) or not all(isinstance(k, str) and k for k in score["keywords"]):
            raise SiteError(f"{path}: key 'score.keywords' must be a list of words.")
        site.keywords = score["keywords"]
    for key, selector in (("text", site.text), ("title", site.title), ("date", site.date),
                          ("score.selector", site.score_selector)):
        if selector and is_xpath(selector):
            from lxml import etree

            try:
                etree.XPath(selector)
            except etree.XPathSyntaxError as error:
                raise SiteError(f"{path}: key '{key}': {selector!r} is not valid XPath ({error}).") from None
    polite = need("politeness", dict, {})
    defaults = Politeness(download_delay=0.0, autothrottle=False, concurrency=16) if site.local else Politeness()
    for key, value in polite.items():
        if not hasattr(defaults, key):
            raise SiteError(f"{path}: unknown key 'politeness.{key}'. Known: {', '.join(Politeness.__dataclass_fields__)}.")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise SiteError(f"{path}: key 'politeness.{key}' must be {expected.__name__}.")
        low = POLITENESS_MINIMUM.get(key)
        if low is not None and (value < low if key not in ("timeout",) else value <= low):
            relation = f"above {low}" if key == "timeout" else f"{low} or more"
            raise SiteError(f"{path}: key 'politeness.{key}' must be {relation}, got {value}.")
        setattr(defaults, key, value)
    site.politeness = defaults
    return site


# -- pages ------------------------------------------------------------------------------------------
def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of an HTML page: charset from the HTTP header, else from <meta>, else UTF-8, else windows-1256."""
    candidates = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=")[-1].split(";")[0].strip().strip('"'))
    match = META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore").lower())
    candidates += ["utf-8", "windows-1256"]
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def is_html(content_type: str | None) -> bool:
    """Whether a response's Content-Type is HTML (a missing one counts as HTML)."""
    return not content_type or content_type.split(";")[0].strip().lower() in HTML_TYPES


def clean_text(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _normalizer():
    return ArabicNormalizer()


def relevance_score(text: str, keywords: list[str]) -> float:
    normalizer = _normalizer()
    words = normalizer.normalize(text).split()
    wanted = [normalizer.normalize(k) for k in keywords]
    present = sum(1 for k in wanted if k in words)
    hits = sum(1 for w in words if w in wanted)
    density = min(1.0, 20 * hits / len(words)) if words else 0.0
    return round(5 * present / len(wanted) + 5 * density, 1)


def parse_number(text: str) -> float | None:
    match = NUMBER.search(text.translate(ARABIC_DIGITS))
    return float(match.group(0).replace(",", ".")) if match else None


def is_xpath(selector: str) -> bool:
    """Selectors starting with / or ./ or ( are XPath, anything else is CSS."""
    return selector.startswith(("/", "./", "("))


def _select_texts(soup, selector: str) -> list[str]:
    """The cleaned texts of every node a CSS or XPath selector picks (attributes and text() results too)."""
    if not is_xpath(selector):
        return [clean_text(node.get_text(" ")) for node in soup.select(selector)]
    import lxml.html

    tree = lxml.html.fromstring(str(soup) or "<html></html>")
    found = tree.xpath(selector)
    found = found if isinstance(found, list) else [found]
    return [clean_text(node.text_content() if hasattr(node, "text_content") else str(node)) for node in found]


def extract(html: str, url: str, site: Site) -> tuple[dict | None, list[str]]:
    """(item or None, links to follow) from one decoded page; both scrapers call this."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, PARSER)
    links = []
    anchors = soup.select(site.follow_css) if site.follow_css else soup.find_all("a", href=True)
    for anchor in anchors:
        href = anchor.get("href")
        if isinstance(href, str) and href.strip():
            absolute = canonical_url(urldefrag(urljoin(url, href.strip()))[0])
            if absolute is not None and site.should_follow(absolute):
                links.append(absolute)
    title = next(iter(_select_texts(soup, site.title)), "") if site.title else ""
    date = next(iter(_select_texts(soup, site.date)), "") if site.date else ""
    score_value = None
    if site.score_selector:
        if is_xpath(site.score_selector):
            raw = next(iter(_select_texts(soup, site.score_selector)), None)
        else:
            element = soup.select_one(site.score_selector)
            raw = None if element is None else (element.get(site.score_attribute) if site.score_attribute
                                                 else element.get_text(" "))
        if raw is not None:
            number = parse_number(str(raw or ""))
            if number is not None:
                low, high = site.score_range
                score_value = round(min(10.0, max(0.0, (number - low) / (high - low) * 10)), 2)
    for tag in soup(BOILERPLATE):
        tag.decompose()
    parts = _select_texts(soup, site.text)
    text = clean_text(" ".join(p for p in parts if p))
    if len(text) < site.min_length:
        return None, links
    if site.keywords:
        score_value = relevance_score(text, site.keywords)
    if score_value is None:
        return None, links
    return {"url": url, "title": title, "date": date, "text": text, "score": score_value}, links


# -- output -----------------------------------------------------------------------------------------
def text_hash(text: str) -> str:
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()


def read_scrape_output(path: str | os.PathLike) -> tuple[list[dict], int | None]:
    """The items of an earlier scrape's output, and where a torn last line starts (None if none).
    Anything else (another kind of file, a line that is not an item with ``url`` and ``text``)
    raises SiteError and leaves the file as it is."""
    path = Path(path)
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    complete, tail = data[:end], data[end:]

    def refuse(reason: str):
        raise SiteError(f"{path} exists and is not the output of an earlier scrape ({reason}). Nothing was changed;"
                        " give -o a new file name, or the JSON Lines file an earlier 'zoo scrape' wrote.")

    try:
        lines = complete.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        refuse("not UTF-8 text")
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            refuse(f"line {number} is not JSON")
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not isinstance(item.get("text"), str):
            refuse(f"line {number} is not an item with 'url' and 'text'")
        items.append(item)
    if not tail.strip():
        return items, None
    try:  # a last item written whole but without its newline
        item = json.loads(tail.decode("utf-8"))
        if isinstance(item, dict) and isinstance(item.get("url"), str) and isinstance(item.get("text"), str):
            with open(path, "ab") as handle:
                handle.write(b"\n")
            return items + [item], None
    except (UnicodeDecodeError, json.JSONDecodeError):
        pass
    if not tail.startswith(b'{"url": '):  # the sink writes every item starting with its url
        refuse("its last line is not a JSON Lines item")
    return items, end


class ItemSink:
    """JSON Lines output, one flushed line per item. Opening an existing file resumes: its URLs and
    text hashes are loaded, so those pages are not fetched again and no item is written twice.
    A torn last line (the process killed mid-write) is cut off on open."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.urls: set[str] = set()
        self.hashes: set[str] = set()
        self.stats = {"pages_fetched": 0, "items_kept": 0, "duplicates": 0, "resumed_items": 0, "errors": {}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._load_existing()
        self.handle = open(self.path, "a", encoding="utf-8")

    def _load_existing(self) -> None:
        items, torn_at = read_scrape_output(self.path)  # the whole file is checked before anything changes
        if torn_at is not None:
            with open(self.path, "r+b") as handle:
                handle.truncate(torn_at)
        for item in items:
            self.urls.add(item["url"])
            self.hashes.add(text_hash(item["text"]))
        self.stats["resumed_items"] = len(self.urls)

    def add(self, item: dict) -> bool:
        digest = text_hash(item["text"])
        if item["url"] in self.urls or digest in self.hashes:
            self.stats["duplicates"] += 1
            return False
        item = {**item, "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.handle.flush()
        self.urls.add(item["url"])
        self.hashes.add(digest)
        self.stats["items_kept"] += 1
        return True

    def error(self, kind: str) -> None:
        self.stats["errors"][kind] = self.stats["errors"].get(kind, 0) + 1

    def close(self) -> None:
        self.handle.close()
