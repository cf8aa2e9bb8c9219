"""One poll through every stage against the local feed server: seeding, alerts, broken feeds."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.config import read_alias_groups
from bot.fetch import Fetcher, make_client
from bot.match import LiveIndex, build_table, parse_query, parse_watches
from bot.pipeline import PollSettings, poll_source
from bot.sources import Cadence, SourceSpec
from bot.store import Store
from tests.conftest import PARSER, ROOT, queued_alerts
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


SETTINGS = PollSettings(Cadence(120, 3600, 300), failure_alert_after=3600, rng=random.Random(1))


def poll(store, source_id, settings=SETTINGS):
    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            source = store.get_source(source_id)
            index = LiveIndex(parse_watches(store.active_watches(), ALIASES)[0])
            fetcher = Fetcher(client, max_bytes=1_000_000)
            return await poll_source(
                source, fetcher=fetcher, parser=PARSER, store=store, index=index, settings=settings
            )

    return asyncio.run(run())


def test_first_poll_seeds_then_new_items_alert_once(store, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    source = store.add_source(
        SourceSpec("Zona", feeds.url("/rss"), 1, fetch_article=False), datetime.now(UTC)
    )
    seeded = poll(store, source.id)
    assert (seeded.new_articles, seeded.queued_alerts) == (1, 0)

    feeds.serve("/rss", Page(rss([SEED_STORY, SOUTH_ONLY_STORY, OLD_STORY])))
    report = poll(store, source.id)
    assert (report.new_articles, report.queued_alerts) == (2, 2)
    due = {d.alert.chat_id: d.alert for d in queued_alerts(store)}
    assert due[1].watches == ('"Korea Utara"', '"Vladimir Putin"')
    assert due[1].article.title == SEED_STORY["title"]
    assert due[2].article.title == SOUTH_ONLY_STORY["title"] and due[2].language == "en"
    assert poll(store, source.id).queued_alerts == 0


def test_broken_feed_is_recorded_and_recovers(store, feeds):
    feeds.serve(
        "/rss", Page(b"<html><title>Just a moment...</title></html>", content_type="text/html")
    )
    source = store.add_source(
        SourceSpec("Rusak", feeds.url("/rss"), 60, fetch_article=False), datetime.now(UTC)
    )
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
    source = store.add_source(
        SourceSpec("Etag", feeds.url("/rss"), 60, fetch_article=False), datetime.now(UTC)
    )
    poll(store, source.id)
    assert store.get_source(source.id).etag == '"v1"'
    report = poll(store, source.id)
    assert report.error is None and report.new_articles == 0
    assert feeds.requests[-1].headers["if-none-match"] == '"v1"'


def seconds_until(moment):
    return (moment - datetime.now(UTC)).total_seconds()


def test_adaptive_interval_follows_the_publishing_rate(store, feeds):
    def items(gap_minutes):
        return [
            {
                "title": f"Berita {i}",
                "link": f"https://x.id/{gap_minutes}/{i}",
                "pubDate": format_datetime(
                    datetime(2026, 11, 27, 12, tzinfo=UTC) - timedelta(minutes=i * gap_minutes)
                ),
            }
            for i in range(10)
        ]

    feeds.serve("/wire", Page(rss(items(4))))
    feeds.serve("/blog", Page(rss(items(7 * 24 * 60))))
    feeds.serve("/fixed", Page(rss(items(4))))
    wire = store.add_source(
        SourceSpec("Wire", feeds.url("/wire"), 300, adaptive=True, fetch_article=False),
        datetime.now(UTC),
    )
    blog = store.add_source(
        SourceSpec("Blog", feeds.url("/blog"), 300, adaptive=True, fetch_article=False),
        datetime.now(UTC),
    )
    fixed = store.add_source(
        SourceSpec("Fixed", feeds.url("/fixed"), 300, adaptive=False, fetch_article=False),
        datetime.now(UTC),
    )
    for source in (wire, blog, fixed):
        poll(store, source.id)
    assert store.get_source(wire.id).effective_interval == 120, "a busy wire: the minimum"
    assert store.get_source(blog.id).effective_interval == 3600, "a weekly blog: the maximum"
    assert 300 <= seconds_until(store.get_source(fixed.id).next_poll_at) <= 300 * 1.1 + 1


def test_ttl_and_max_age_push_the_next_poll_later(store, feeds):
    feeds.serve(
        "/ttl",
        Page(
            rss([OLD_STORY]).replace(
                b"<description>uji</description>", b"<description>uji</description><ttl>30</ttl>"
            )
        ),
    )
    feeds.serve("/maxage", Page(rss([SEED_STORY]), headers={"Cache-Control": "max-age=2400"}))
    ttl = store.add_source(
        SourceSpec("TTL", feeds.url("/ttl"), 60, fetch_article=False), datetime.now(UTC)
    )
    cached = store.add_source(
        SourceSpec("Cache", feeds.url("/maxage"), 60, fetch_article=False), datetime.now(UTC)
    )
    poll(store, ttl.id)
    poll(store, cached.id)
    assert 1790 <= seconds_until(store.get_source(ttl.id).next_poll_at) <= 1800 * 1.1 + 1
    assert 2390 <= seconds_until(store.get_source(cached.id).next_poll_at) <= 2400 * 1.1 + 1


def test_retry_after_is_honoured_over_the_backoff(store, feeds):
    feeds.serve(
        "/busy", Page(b"", status=429, content_type="text/plain", headers={"Retry-After": "900"})
    )
    source = store.add_source(
        SourceSpec("Busy", feeds.url("/busy"), 60, fetch_article=False), datetime.now(UTC)
    )
    assert "HTTP 429" in poll(store, source.id).error
    assert seconds_until(store.get_source(source.id).next_poll_at) > 890


def test_long_failure_is_reported_once_and_so_is_the_recovery(store, feeds):
    quick = PollSettings(Cadence(120, 3600, 300), failure_alert_after=0, rng=random.Random(1))
    feeds.serve("/down", Page(b"", status=500, content_type="text/plain"))
    source = store.add_source(
        SourceSpec("Down", feeds.url("/down"), 60, fetch_article=False), datetime.now(UTC)
    )
    assert poll(store, source.id, quick).notice == "failing"
    assert poll(store, source.id, quick).notice is None, "only once per streak"
    assert store.get_source(source.id).failing_since is not None
    feeds.serve("/down", Page(rss([OLD_STORY])))
    assert poll(store, source.id, quick).notice == "recovered"
    healthy = store.get_source(source.id)
    assert healthy.failing_since is None and not healthy.failure_notified
    assert poll(store, source.id, quick).notice is None


def test_same_story_through_two_feeds_of_an_outlet_is_stored_once(store, feeds):
    tracked = {
        **SEED_STORY,
        "link": SEED_STORY["link"].replace("https://", "http://www.") + "&fbclid=x#top",
    }
    feeds.serve("/nasional", Page(rss([SEED_STORY])))
    feeds.serve("/dunia", Page(rss([tracked])))
    one = store.add_source(
        SourceSpec("Nasional", feeds.url("/nasional"), 60, fetch_article=False), datetime.now(UTC)
    )
    two = store.add_source(
        SourceSpec("Dunia", feeds.url("/dunia"), 60, fetch_article=False), datetime.now(UTC)
    )
    assert poll(store, one.id).new_articles == 1
    assert poll(store, two.id).new_articles == 0


def test_matched_articles_are_fetched_summarised_and_matched_again(store, feeds):
    from tests.feeds import article_page

    store.add_watch(2, "Vostochny", "Vostochny", datetime.now(UTC))
    story = {**SEED_STORY, "link": feeds.url("/artikel/kim-putin")}
    feeds.serve(
        "/artikel/kim-putin", Page(article_page(SEED_STORY["title"]), content_type="text/html")
    )
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    source = store.add_source(SourceSpec("Zona", feeds.url("/rss"), 60), datetime.now(UTC))
    poll(store, source.id)
    feeds.serve("/rss", Page(rss([story, OLD_STORY])))
    assert poll(store, source.id).queued_alerts == 2
    due = {d.alert.chat_id: d.alert for d in queued_alerts(store)}
    assert due[2].watches == ("Vostochny",), "only the article's body mentions Vostochny"
    summary = due[1].summary
    assert summary.startswith("Pertemuan antara Presiden Korea Utara Kim Jong Un")
    assert "ZONA SURABAYA RAYA" not in summary and "Baca Juga" not in summary
    assert "Korea Utara" in due[1].terms
    assert "Vostochny" in due[2].summary, "the sentence naming the matched term joins the lead"


def test_a_slow_article_page_falls_back_to_the_feed_text(store, feeds):
    from tests.feeds import article_page

    quick = PollSettings(Cadence(120, 3600, 300), 3600, random.Random(1), article_timeout=0.3)
    story = {**SEED_STORY, "link": feeds.url("/lambat")}
    feeds.serve(
        "/lambat", Page(article_page(SEED_STORY["title"]), content_type="text/html", delay=2)
    )
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    source = store.add_source(SourceSpec("Zona", feeds.url("/rss"), 60), datetime.now(UTC))
    poll(store, source.id, quick)
    feeds.serve("/rss", Page(rss([story])))
    assert poll(store, source.id, quick).queued_alerts == 1
    [delivery] = queued_alerts(store)
    assert delivery.alert.summary.startswith("Pertemuan antara Presiden Korea Utara")
    assert "roket Angara" not in delivery.alert.summary, "the body was never fetched"


AGENCY = (
    "Presiden Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Kosmodrom "
    "Vostochny pada Rabu. Pertemuan itu memicu spekulasi tentang kerja sama pertahanan yang "
    "semakin erat antara kedua negara. Kedua pemimpin membahas kerja sama ekonomi dan politik."
)
OUTLET_VERSIONS = [
    ("Kim Jong Un Temui Putin di Vostochny", "Jakarta (ANTARA) - " + AGENCY),
    ("Putin Ajak Kim Keliling Kosmodrom", "JAKARTA, KOMPAS.com - " + AGENCY + " Baca juga: lain"),
    ("Bertemu Putin, Kim Bahas Pertahanan", "REPUBLIKA.CO.ID, JAKARTA -- " + AGENCY[:230]),
    ("Kim dan Putin Bertemu di Rusia", "Liputan6.com, Jakarta - " + AGENCY),
]


def test_one_alert_per_story_however_many_outlets(store, feeds):
    sources = []
    for number, (title, text) in enumerate(OUTLET_VERSIONS):
        feeds.serve(f"/o{number}", Page(rss([OLD_STORY])))
        spec = SourceSpec(f"Outlet {number}", feeds.url(f"/o{number}"), 60, fetch_article=False)
        sources.append(store.add_source(spec, datetime.now(UTC)))
        poll(store, sources[-1].id)
        item = {
            "title": title,
            "link": f"https://outlet{number}.example.id/kim-putin",
            "description": text,
        }
        feeds.serve(f"/o{number}", Page(rss([item])))
    other = {
        **SEED_STORY,
        "title": "Korea Utara luncurkan rudal",
        "link": "https://x.id/rudal",
        "description": "Korea Utara meluncurkan rudal balistik ke Laut Jepang, kata militer Korea Selatan.",
    }
    feeds.serve(
        "/o0",
        Page(
            rss(
                [
                    other,
                    {
                        "title": OUTLET_VERSIONS[0][0],
                        "link": "https://outlet0.example.id/kim-putin",
                        "description": OUTLET_VERSIONS[0][1],
                    },
                ]
            )
        ),
    )
    reports = [poll(store, source.id) for source in sources]
    assert [r.new_articles for r in reports] == [2, 1, 1, 1]
    due = [d for d in queued_alerts(store) if d.alert.chat_id == 1]
    assert sorted(d.alert.article.title for d in due) == [
        "Kim Jong Un Temui Putin di Vostochny",
        "Korea Utara luncurkan rudal",
    ]
    [story] = [d for d in due if d.alert.article.title.startswith("Kim")]
    assert [name for name, _ in story.alert.also] == ["Outlet 1", "Outlet 2", "Outlet 3"]
    assert story.alert.widely, "four outlets within the hour"
    [rudal] = [d for d in due if d.alert.article.title.startswith("Korea")]
    assert rudal.alert.also == () and not rudal.alert.widely
