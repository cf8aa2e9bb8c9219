"""Feeds to articles: text cleaning, dedup keys, broken feeds, and the real fixtures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import FetchResult
from bot.parse import ParseError, canonical_url, html_to_text, parse_feed
from tests.conftest import shared_fixture
from tests.feeds import SEED_STORY, rss


def result(content: bytes, content_type: str = "application/rss+xml") -> FetchResult:
    return FetchResult("https://news.example.id/rss", content, content_type, None, None)


def test_seed_item_becomes_a_clean_article():
    [article] = parse_feed(result(rss([SEED_STORY])))
    assert article.title == SEED_STORY["title"]
    assert article.url == SEED_STORY["link"]
    assert article.key == canonical_url(SEED_STORY["link"])
    assert "utm_source" not in article.key
    assert article.summary.startswith("ZONA SURABAYA RAYA - Pertemuan antara Presiden Korea Utara")
    assert "negara. Melansir" in article.summary, "paragraphs must not be glued"
    assert article.published_at == datetime(2023, 9, 13, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Satu</p><p>Dua</p>", "Satu Dua"),
        ("a<br>b", "a b"),
        ("&lt;img src=x&gt;Teks", "Teks"),
        ("AT&amp;amp;T", "AT&T"),
        ("  banyak \n\r spasi  ", "banyak spasi"),
        ("5 &lt; 6", "5 < 6"),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "http://www.Detik.com/berita/d-1/slug/?utm_source=x&utm_medium=y#top",
            "https://detik.com/berita/d-1/slug",
        ),
        ("https://m.liputan6.com/news/read/1/a", "https://liputan6.com/news/read/1/a"),
        (
            "https://www.jpnn.com/index.php?mib=rss&id=215",
            "https://jpnn.com/index.php?id=215&mib=rss",
        ),
        (
            "https://news.google.com/rss/articles/CBMi?oc=5",
            "https://news.google.com/rss/articles/CBMi",
        ),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_entry_without_link_is_keyed_by_id():
    feed = rss([{"title": "Tanpa tautan", "description": "x"}]).replace(
        b"<title>Tanpa", b'<guid isPermaLink="false">abc-1</guid><title>Tanpa'
    )
    [article] = parse_feed(result(feed))
    assert article.key == "id:abc-1"


def test_html_error_page_is_not_a_feed():
    with pytest.raises(ParseError, match="not a"):
        parse_feed(result(b"<html><body><h1>Just a moment...</h1></body></html>", "text/html"))


def test_broken_xml_with_entries_is_still_read():
    broken = rss([SEED_STORY]).replace(b"</channel>", b"<item><title>x</title></channel>")
    assert parse_feed(result(broken))[0].title == SEED_STORY["title"]


def test_not_modified_has_no_articles():
    assert parse_feed(FetchResult("https://x", None, "", "e", None)) == []


def test_antara_fixture_has_clean_text():
    articles = parse_feed(
        result(shared_fixture("feeds/antara_terkini_2017-04-17.xml").read_bytes())
    )
    assert len(articles) > 10
    for article in articles:
        assert "<" not in article.summary and "&amp;" not in article.summary
        assert article.published_at is not None
    assert len({a.key for a in articles}) == len(articles)


def test_detik_fixture_without_dates():
    articles = parse_feed(
        result(shared_fixture("feeds/detik_news_indeks_feedgen_no-pubdate.xml").read_bytes())
    )
    assert articles and all(a.published_at is None for a in articles)
    assert all("&amp;" not in a.title for a in articles)
