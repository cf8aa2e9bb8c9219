"""Feed discovery for /addsource, against a local server."""

from __future__ import annotations

import asyncio

import pytest

from bot.discover import DiscoveryError, discover
from bot.fetch import Fetcher, make_client
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, rss

HTML = "text/html; charset=utf-8"


def find(url):
    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            return await discover(Fetcher(client, max_bytes=1_000_000), url)

    return asyncio.run(run())


def test_a_feed_url_is_checked_and_described(feeds):
    feeds.serve(
        "/rss", Page(rss([SEED_STORY, OLD_STORY, SOUTH_ONLY_STORY, OLD_STORY], title="Zona Uji"))
    )
    found = find(feeds.url("/rss"))
    assert found.url == feeds.url("/rss") and found.title == "Zona Uji"
    assert found.headlines == (SEED_STORY["title"], OLD_STORY["title"], SOUTH_ONLY_STORY["title"])


def test_a_page_announcing_its_feed(feeds):
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/kanal/dunia.xml"></head></html>'
    feeds.serve("/dunia", Page(page, content_type=HTML))
    feeds.serve("/kanal/dunia.xml", Page(rss([SEED_STORY], title="Dunia")))
    assert find(feeds.url("/dunia")).url == feeds.url("/kanal/dunia.xml")


def test_a_page_without_links_falls_back_to_common_paths(feeds):
    feeds.serve("/berita/", Page(b"<html><body>Berita</body></html>", content_type=HTML))
    feeds.serve("/feed", Page(rss([SEED_STORY], title="Feed")))
    found = find(feeds.url("/berita/"))
    assert found.url == feeds.url("/feed")
    assert feeds.count("/rss") == 1, "/rss is tried before /feed"


def test_a_page_without_any_feed(feeds):
    feeds.serve("/", Page(b"<html><body>Just a moment...</body></html>", content_type=HTML))
    with pytest.raises(DiscoveryError) as raised:
        find(feeds.url("/"))
    assert raised.value.code == "no_feed"


def test_an_empty_feed_is_not_a_source(feeds):
    feeds.serve("/rss", Page(rss([])))
    with pytest.raises(DiscoveryError) as raised:
        find(feeds.url("/rss"))
    assert raised.value.code == "no_feed"


def test_an_unreachable_site():
    with pytest.raises(DiscoveryError) as raised:
        find("http://127.0.0.1:9/rss")
    assert raised.value.code == "unreachable" and "ConnectError" in raised.value.detail
