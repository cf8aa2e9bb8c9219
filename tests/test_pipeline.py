"""One poll through every stage against the local feed server: seeding, alerts, broken feeds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.config import read_alias_groups
from bot.fetch import make_client
from bot.match import LiveIndex, build_table, parse_query, parse_watches
from bot.pipeline import poll_source
from bot.sources import SourceSpec
from bot.store import Store
from tests.conftest import ROOT
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, rss

ALIASES = build_table(read_alias_groups(ROOT / "config" / "aliases.toml"))


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    opened.ensure_chat(1, "private", "id", "A", datetime.now(UTC))
    opened.ensure_chat(2, "private", "en", "B", datetime.now(UTC))
    for chat, query in ((1, "Korea Utara"), (1, "Vladimir Putin"), (2, "Korea Selatan")):
        opened.add_watch(chat, query, parse_query(query, ALIASES).display, datetime.now(UTC))
    yield opened
    opened.close()


def poll(store, source_id):
    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            source = store.get_source(source_id)
            index = LiveIndex(parse_watches(store.active_watches(), ALIASES)[0])
            return await poll_source(
                source, client=client, store=store, index=index, max_bytes=1_000_000
            )

    return asyncio.run(run())


def test_first_poll_seeds_then_new_items_alert_once(store, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    source = store.add_source(SourceSpec("Zona", feeds.url("/rss"), 1), datetime.now(UTC))
    seeded = poll(store, source.id)
    assert (seeded.new_articles, seeded.queued_alerts) == (1, 0)

    feeds.serve("/rss", Page(rss([SEED_STORY, SOUTH_ONLY_STORY, OLD_STORY])))
    report = poll(store, source.id)
    assert (report.new_articles, report.queued_alerts) == (2, 2)
    due = {d.alert.chat_id: d.alert for d in store.due_deliveries(datetime.now(UTC))}
    assert due[1].watches == ('"Korea Utara"', '"Vladimir Putin"')
    assert due[1].article.title == SEED_STORY["title"]
    assert due[2].article.title == SOUTH_ONLY_STORY["title"] and due[2].language == "en"
    assert poll(store, source.id).queued_alerts == 0


def test_broken_feed_is_recorded_and_recovers(store, feeds):
    feeds.serve(
        "/rss", Page(b"<html><title>Just a moment...</title></html>", content_type="text/html")
    )
    source = store.add_source(SourceSpec("Rusak", feeds.url("/rss"), 60), datetime.now(UTC))
    report = poll(store, source.id)
    assert report.error and "not a feed" in report.error
    failing = store.get_source(source.id)
    assert failing.error_count == 1 and "not a feed" in failing.last_error
    assert (failing.next_poll_at - datetime.now(UTC)).total_seconds() > 50

    feeds.serve("/rss", Page(b"", status=503, content_type="text/plain"))
    assert "HTTP 503" in poll(store, source.id).error
    backed_off = store.get_source(source.id)
    assert backed_off.error_count == 2
    assert (backed_off.next_poll_at - datetime.now(UTC)).total_seconds() > 110

    feeds.serve("/rss", Page(rss([OLD_STORY])))
    assert poll(store, source.id).error is None
    healthy = store.get_source(source.id)
    assert healthy.error_count == 0 and healthy.last_error is None and healthy.seeded


def test_not_modified_costs_no_parsing(store, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY]), headers={"ETag": '"v1"'}))
    source = store.add_source(SourceSpec("Etag", feeds.url("/rss"), 60), datetime.now(UTC))
    poll(store, source.id)
    assert store.get_source(source.id).etag == '"v1"'
    report = poll(store, source.id)
    assert report.error is None and report.new_articles == 0
    assert feeds.requests[-1].headers["if-none-match"] == '"v1"'
