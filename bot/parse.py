"""Feeds to articles: feedparser does the XML; this module decides what an article is.

Rules:
- feedparser only ever gets bytes, never a URL or path (a string would make it fetch). It
  does not resolve relative links inside HTML fields (a quarter of its parsing time, for
  links that plain text drops); entry links are still made absolute.
- A feed with no entries that feedparser flagged as broken (bozo) is a `ParseError`; a
  broken feed that still yields entries is used, as feedparser recovered it.
- Text is plain text. A field feedparser reports as HTML has its tags stripped (with a space
  where a block element or `<br>` was); a plain-text field keeps "<" and ">" as written (a
  headline "Harga <naik>" stays whole). Entities are decoded and whitespace collapsed. When the result still holds tags or entities, the feed escaped
  its HTML twice (ANTARA does), and the second layer is stripped too. The content of
  `script`, `style` and `applet` is code, not text, and is dropped (feedparser's sanitizer
  never sees a second layer).
- Google News titles end in " - Publisher"; that suffix is dropped. The item's
  `<source url=…>Publisher</source>` becomes the article's `outlet` and `outlet_url`, so alerts
  and `source:` name the outlet, not the aggregator.
- An article's key is its canonical URL (lower-case host, no `www.`/`m.`, no fragment, no
  tracking parameters, no trailing slash, https); without a link, the entry id; without
  either, a hash of title and date. Entries without a title and a link are skipped.
- Only http(s) links reach a reader (`is_web_link`). An entry whose link is anything else
  (`javascript:`, `data:`, `file:`, `tg:`…) is dropped whole rather than kept without its
  link: it is hostile or broken, an alert is worth its link, and such a link was the entry's
  identity, so its key would be a guess. The link users click keeps its query as written,
  minus tracking parameters.
- Text is bounded where it enters: a headline is cut at `MAX_TITLE` (1,000) characters, a
  description at `MAX_SUMMARY` (20,000: a whole article in the feed stays matchable), so no
  feed can make one article megabytes in the database, the matcher or an alert.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import trafilatura
from trafilatura.settings import Document

from bot.models import Article, Feed, FetchResult, PageText

_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|oc|_ga|ref|ref_src)$", re.I)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote section article "
    "header footer figure figcaption img hr pre".split()
)
_CODE_TAGS = frozenset({"script", "style", "applet"})  # what feedparser's sanitizer drops whole
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_ESCAPED_AGAIN = re.compile(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", re.I)


MAX_TITLE = 1_000
MAX_SUMMARY = 20_000
WIB = timezone(timedelta(hours=7), "WIB")
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: (value or "") for name, value in attrs}
        rel = found.get("rel", "").lower().split()
        if (
            tag in ("link", "a")
            and "alternate" in rel
            and found.get("type", "").lower() in _FEED_TYPES
        ):
            self.hrefs.append(found.get("href", ""))


def feed_links(page: FetchResult) -> list[str]:
    """The feeds an HTML page announces with `<link rel="alternate">`, as absolute URLs."""
    if not page.content:
        return []
    parser = _FeedLinks()
    parser.feed(page.content.decode("utf-8", errors="replace"))
    parser.close()
    return [urljoin(page.url, href.strip()) for href in parser.hrefs if href.strip()]


class ParseError(Exception):
    """The response is not a feed this module can read."""


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # inside script, style or applet: code, not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment, with blocks kept apart and entities decoded."""
    text = _strip_tags(markup)
    if _ESCAPED_AGAIN.search(text) or _TAG.search(text):
        text = _strip_tags(text)
    return _SPACE.sub(" ", text).strip()


def _strip_tags(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return "".join(extractor.parts)


def is_web_link(url: str) -> bool:
    """Whether a link may reach a reader: http(s) with a host. The others run code
    (`javascript:`, `data:`), read the reader's files (`file:`) or act in their Telegram (`tg:`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def without_tracking(url: str) -> str:
    """The link as published, minus tracking parameters and fragment: what alerts link to.

    The query's other parameters stay exactly as written (`?12345` is not `?12345=`)."""
    parts = urlsplit(url.strip())
    kept = [
        pair
        for pair in parts.query.split("&")
        if not _TRACKING_PARAMS.match(unquote_plus(pair.partition("=")[0]))
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def canonical_url(url: str) -> str:
    """The form of a URL under which two links to the same article compare equal."""
    parts = urlsplit(without_tracking(url))
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path.rstrip("/") or "/"
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, host, path, query, ""))


def parse_feed(result: FetchResult) -> Feed:
    """The feed's title, ttl and every usable entry, in the order the feed lists them."""
    if result.content is None:
        return Feed("", None, ())
    parsed = feedparser.parse(
        result.content,
        response_headers={"content-type": result.content_type, "content-location": result.url},
        resolve_relative_uris=False,
    )
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise ParseError(_why_not_a_feed(parsed, result.content_type))
    articles = (_article(entry) for entry in parsed.entries)
    return Feed(
        title=_text(parsed.feed, "title"),
        ttl=_ttl(parsed.feed.get("ttl", "")),
        articles=tuple(article for article in articles if article is not None),
    )


def _ttl(value: str) -> float | None:
    """RSS `<ttl>` is in minutes."""
    return float(value) * 60 if str(value).strip().isdigit() else None


def _why_not_a_feed(parsed: Any, content_type: str) -> str:
    if "html" in content_type.lower():
        return f"not a feed: the server sent a web page ({content_type.split(';')[0]})"
    if parsed.bozo:
        return f"not a feed: unreadable XML ({type(parsed.get('bozo_exception')).__name__})"
    return "not a feed: no RSS or Atom root element"


def _text(container: Any, name: str) -> str:
    """A feed field as plain text: HTML fields stripped of tags, plain ones kept as written."""
    value = container.get(name, "")
    kind = (container.get(f"{name}_detail") or {}).get("type", "text/html")
    if kind in ("text/html", "application/xhtml+xml"):
        return html_to_text(value)
    if _ESCAPED_AGAIN.search(value):
        value = html.unescape(value)
    return _SPACE.sub(" ", value).strip()


def _article(entry: Any) -> Article | None:
    title = _text(entry, "title")
    origin = entry.get("source") or {}
    publisher = _SPACE.sub(" ", str(origin.get("title", ""))).strip()
    if publisher and title.endswith(f" - {publisher}"):
        title = title.removesuffix(f" - {publisher}")
    link = entry.get("link", "").strip()
    if (not title and not link) or (link and not is_web_link(link)):
        return None
    title = (title or link)[:MAX_TITLE].rstrip()
    published = _published(entry)
    return Article(
        key=_key(entry, link, title, published),
        url=without_tracking(link) if link else link,
        title=title,
        summary=_text(entry, "summary")[:MAX_SUMMARY].rstrip(),
        published_at=published,
        outlet=publisher,
        outlet_url=_outlet_url(str(origin.get("href", ""))),
    )


def _outlet_url(href: str) -> str:
    """An aggregator item's `<source url=…>`, if it is an http(s) URL."""
    href = href.strip()
    return href if urlsplit(href).scheme in ("http", "https") else ""


def _key(entry: Any, link: str, title: str, published: datetime | None) -> str:
    if link:
        return canonical_url(link)
    if entry.get("id"):
        return f"id:{entry['id']}"
    digest = hashlib.sha1(f"{title}|{published}".encode()).hexdigest()
    return f"hash:{digest}"


def _published(entry: Any) -> datetime | None:
    stamp: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC)


def extract_article(page: FetchResult, *, dated: bool = True) -> PageText:
    """The main text of an article page and, when `dated`, its publication time (trafilatura).

    trafilatura picks the article body and drops navigation, teasers, share bars, comments and
    footers; what Indonesian sites leave inside the body is cleaned later (`summary`). `fast`
    skips its fallback extractors: on the Media Indonesia fixtures the text was identical and
    extraction a third faster. The date costs trafilatura's metadata pass over the whole page
    (three times the text's cost on a page with a large inline script), so it is only asked for
    when the feed gave none; its `extensive_search` is off: it guessed "2025-12-31" from a
    footer's "Copyright 2026", took twice as long (13 s on its first call, compiling
    dateparser's patterns) and found no date the fixtures did not give without it. A
    time without a zone is taken as WIB, as Indonesian pages print it.
    """
    if not page.content:
        return PageText("", None)
    document = trafilatura.bare_extraction(
        page.content,
        url=page.url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        fast=True,
        with_metadata=dated,
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if not isinstance(document, Document):  # None: nothing found (a dict only with as_dict)
        return PageText("", None)
    return PageText(document.text or "", _page_date(document.date) if dated else None)


def _page_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=WIB)).astimezone(UTC)
