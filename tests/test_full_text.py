"""Matching reads the article, not the teaser (#12): every new article's page is read, politely,
and matched and searched on its whole text; a page that cannot be read leaves the feed text."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import read_alias_groups
from bot.fetch import Fetcher, PageSkipped, make_client
from bot.match import LiveIndex, build_table, parse_query, parse_watches
from bot.pipeline import PollSettings, poll_source
from bot.sources import Cadence, SourceSpec
from bot.store import Store, migrations
from tests.conftest import PARSER, ROOT, bot_env, queued_alerts, start_bot, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, article_page, rss

ALIASES = build_table(read_alias_groups(ROOT / "config" / "aliases.toml"))
TEASER_ONLY = {  # the example: a headline without the country, an empty description
    "title": "Kim Jong Un Tinjau Pabrik Pesawat Tempur di Komsomolsk",
    "description": "",
    "pubDate": "Wed, 13 Sep 2023 14:30:00 +0700",
}
BODY = (
    "KOMSOMOLSK - Pemimpin Korea Utara Kim Jong Un meninjau pabrik pesawat tempur Sukhoi di "
    "Komsomolsk-on-Amur, Rusia, pada Jumat, sehari setelah bertemu Presiden Vladimir Putin.",
    "Kunjungan itu memperlihatkan minat Pyongyang pada teknologi penerbangan militer Rusia, "
    "menurut para pengamat yang mengikuti lawatan tersebut dari dekat.",
    "Kim juga dijadwalkan mengunjungi armada Pasifik Rusia di Vladivostok sebelum kembali ke "
    "negaranya dengan kereta api lapis baja.",
)
ROBOTS = "User-agent: *\nDisallow: /terlarang/\n"


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    opened.ensure_chat(1, "private", "id", "A", datetime.now(UTC))
    for query in ("Korea Utara", "source:kompas.com Putin"):
        opened.add_watch(1, query, parse_query(query, ALIASES).display, datetime.now(UTC))
    yield opened
    opened.close()


def settings(article_timeout=10.0):
    return PollSettings(Cadence(60, 3600, 60), 3600, random.Random(1), article_timeout)


def poll(store, *source_ids, article_timeout=10.0, **fetcher_options):
    """Poll these sources at once through one fetcher; their reports, in order."""

    async def run():
        async with make_client(
            timeout=5, allow_private_networks=True, contact_url="https://pantau.example.id/kontak"
        ) as client:
            fetcher = Fetcher(client, max_bytes=1_000_000, **fetcher_options)
            index = LiveIndex(parse_watches(store.active_watches(), ALIASES)[0])
            return await asyncio.gather(
                *(
                    poll_source(
                        store.get_source(source_id),
                        fetcher=fetcher,
                        parser=PARSER,
                        store=store,
                        index=index,
                        settings=settings(article_timeout),
                    )
                    for source_id in source_ids
                )
            )

    return asyncio.run(run())


def seeded(store, feeds, path="/rss", **spec):
    """A source on the feed server, polled once (stored, no alerts, no pages)."""
    feeds.serve(path, Page(rss([OLD_STORY])))
    source = store.add_source(SourceSpec("Uji", feeds.url(path), 60, **spec), datetime.now(UTC))
    poll(store, source.id)
    return source


def page(paragraphs=BODY, **options):
    return Page(article_page(TEASER_ONLY["title"], paragraphs), content_type="text/html", **options)


def alerts(store):
    return queued_alerts(store)


def test_a_mention_only_the_body_has_alerts_and_is_stored_for_search(store, feeds):
    source = seeded(store, feeds)
    feeds.serve("/berita/kim-sukhoi", page())
    feeds.serve("/rss", Page(rss([{**TEASER_ONLY, "link": feeds.url("/berita/kim-sukhoi")}])))
    [report] = poll(store, source.id)
    assert report.queued_alerts == 1
    [delivery] = alerts(store)
    assert delivery.alert.watches == ('"Korea Utara"',)
    assert delivery.alert.summary.startswith("Pemimpin Korea Utara Kim Jong Un meninjau")
    [found] = store.search_articles([("sukhoi",)])
    assert found.title == TEASER_ONLY["title"] and "armada Pasifik" in found.text
    assert feeds.count("/robots.txt") == 1
    assert feeds.requests[-1].headers["user-agent"] == (
        "Pantau/0.1 (+https://pantau.example.id/kontak; news alert bot)"
    )


def test_the_first_poll_reads_no_pages(store, feeds):
    item = {**TEASER_ONLY, "link": feeds.url("/berita/kim-sukhoi")}
    feeds.serve("/rss", Page(rss([item])))
    source = store.add_source(SourceSpec("Baru", feeds.url("/rss"), 60), datetime.now(UTC))
    assert poll(store, source.id)[0].new_articles == 1
    assert feeds.count("/berita/kim-sukhoi") == 0 and feeds.count("/robots.txt") == 0


def test_fetch_article_false_keeps_to_the_feed_text(store, feeds):
    source = seeded(store, feeds, fetch_article=False)
    feeds.serve("/berita/kim-sukhoi", page())
    feeds.serve("/rss", Page(rss([{**TEASER_ONLY, "link": feeds.url("/berita/kim-sukhoi")}])))
    [report] = poll(store, source.id)
    assert (report.new_articles, report.queued_alerts) == (1, 0)
    assert feeds.count("/berita/kim-sukhoi") == 0


@pytest.mark.parametrize(
    "served",
    [
        pytest.param({"path": "/terlarang/kim"}, id="disallowed by robots.txt"),
        pytest.param({"path": "/rusak/kim", "status": 500}, id="failing"),
        pytest.param({"path": "/lambat/kim", "delay": 3}, id="slow"),
        pytest.param({"path": "/sibuk/kim", "status": 429}, id="refused (429)"),
    ],
)
def test_a_page_that_cannot_be_read_alerts_on_the_feed_text_within_the_timeout(
    store, feeds, served
):
    served = dict(served)
    path = served.pop("path")
    feeds.serve("/robots.txt", Page(ROBOTS.encode(), content_type="text/plain"))
    source = seeded(store, feeds)
    feeds.serve(path, page(**served))
    item = {
        **TEASER_ONLY,
        "link": feeds.url(path),
        "description": "Pemimpin Korea Utara meninjau pabrik pesawat.",
    }
    feeds.serve("/rss", Page(rss([item])))
    started = datetime.now(UTC)
    [report] = poll(store, source.id, article_timeout=1.0)
    assert report.queued_alerts == 1
    assert datetime.now(UTC) - started < timedelta(seconds=10), "the timeout, not the page"
    [delivery] = alerts(store)
    assert delivery.alert.summary == "Pemimpin Korea Utara meninjau pabrik pesawat."
    if path.startswith("/terlarang/"):
        assert feeds.count(path) == 0, "a disallowed page is never requested"


def test_google_news_items_name_their_outlet_and_their_links_are_not_fetched(
    store, feeds, monkeypatch
):
    source = seeded(store, feeds)
    item = (
        "<item><title>Putin sambut Kim di Vostochny - Kompas.com</title>"
        f"<link>{feeds.url('/rss/articles/CBMiXYZ')}?oc=5</link>"
        "<description>Putin sambut Kim</description>"
        '<source url="https://www.kompas.com">Kompas.com</source></item>'
    )
    body = rss([]).replace(b"</channel>", item.encode() + b"</channel>")
    feeds.serve("/rss", Page(body))
    # Google's links are on news.google.com; as no test may reach it, the local server plays it.
    from bot import pipeline

    assert "news.google.com" in pipeline.AGGREGATOR_HOSTS
    monkeypatch.setattr(pipeline, "AGGREGATOR_HOSTS", frozenset({"127.0.0.1"}))
    [report] = poll(store, source.id)
    assert report.queued_alerts == 1, "source:kompas.com fires on the outlet Google names"
    [delivery] = alerts(store)
    assert delivery.alert.article.title == "Putin sambut Kim di Vostochny"
    assert delivery.alert.article.source_name == "Kompas.com"
    assert feeds.count("/rss/articles/CBMiXYZ") == 0 and feeds.count("/robots.txt") == 0


def test_pages_of_one_host_keep_their_spacing_and_robots_txt_is_read_once(store, feeds):
    source = seeded(store, feeds)
    items = []
    for number in range(3):
        feeds.serve(f"/berita/{number}", page())
        items.append(
            {**TEASER_ONLY, "title": f"Berita {number}", "link": feeds.url(f"/berita/{number}")}
        )
    feeds.serve("/rss", Page(rss(items)))
    [report] = poll(store, source.id, page_spacing=0.4)
    assert report.queued_alerts == 3
    starts = [r.at for r in feeds.requests if r.path.startswith("/berita/")]
    assert len(starts) == 3 and feeds.count("/robots.txt") == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 0.39, gaps


def test_a_retry_after_holds_the_hosts_other_pages(store, feeds):
    source = seeded(store, feeds)
    feeds.serve(
        "/sibuk/0",
        Page(b"", status=429, content_type="text/plain", headers={"Retry-After": "600"}),
    )
    feeds.serve("/sibuk/1", page())
    items = [
        {**TEASER_ONLY, "title": f"Korea Utara {n}", "link": feeds.url(f"/sibuk/{n}")}
        for n in range(2)
    ]
    feeds.serve("/rss", Page(rss(items)))
    [report] = poll(store, source.id, page_spacing=0.2)
    assert report.queued_alerts == 2, "both alert, on their feed text"
    assert feeds.count("/sibuk/0") + feeds.count("/sibuk/1") == 1


def test_feeds_and_pages_share_the_per_host_cap(feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY]), delay=0.3))
    feeds.serve("/berita", page(delay=0.3))

    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=1_000_000, per_host=1, page_spacing=0)
            await asyncio.gather(
                fetcher.feed(feeds.url("/rss"), etag=None, last_modified=None),
                fetcher.article(feeds.url("/berita")),
                fetcher.feed(feeds.url("/rss"), etag=None, last_modified=None),
            )

    asyncio.run(run())
    assert feeds.count("/berita") == 1 and feeds.max_concurrent == 1


def test_past_the_backlog_article_requests_are_refused_at_once(feeds):
    feeds.serve("/lambat", page(delay=1))

    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=1_000_000, page_backlog=1)
            first = asyncio.create_task(fetcher.article(feeds.url("/lambat")))
            await asyncio.sleep(0)
            assert fetcher.page_backlog == 1
            with pytest.raises(PageSkipped, match="1 article requests already waiting"):
                await fetcher.article(feeds.url("/lambat"))
            await first
            return fetcher.page_backlog

    assert asyncio.run(run()) == 0


def test_robots_txt_that_cannot_be_fetched_allows_everything(feeds):
    feeds.serve("/robots.txt", Page(b"", status=500, content_type="text/plain"))
    feeds.serve("/berita", page())

    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            return await Fetcher(client, max_bytes=1_000_000).article(feeds.url("/berita"))

    assert b"Sukhoi" in asyncio.run(run()).content


def test_pruning_removes_text_and_index_entries(store, feeds):
    source = seeded(store, feeds)
    feeds.serve("/berita/kim-sukhoi", page())
    feeds.serve("/rss", Page(rss([{**TEASER_ONLY, "link": feeds.url("/berita/kim-sukhoi")}])))
    poll(store, source.id)
    for delivery in alerts(store):
        store.mark_sent(delivery.id, 1, datetime.now(UTC))
    assert store.search_articles([("sukhoi",)]) and store.search_articles([("rudal",)])
    assert store.prune_articles(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert store.search_articles([("sukhoi",)]) == [] == store.search_articles([("rudal",)])
    assert store.db.execute("SELECT count(*) FROM article_texts").fetchone()[0] == 0


def test_articles_stored_before_the_upgrade_stay_searchable(tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m014_article_text_and_outlets")
    old["articles"].insert(
        {"key": "k", "url": "https://x.id/1", "title": "Korea Utara uji rudal", "fetched_at": 1.0}
    )
    old.close()
    store = Store.open(path)
    [found] = store.search_articles([("rudal",)])
    assert found.title == "Korea Utara uji rudal" and found.text == ""
    assert store.prune_articles(datetime.now(UTC)) == 1
    assert store.search_articles([("rudal",)]) == []
    store.close()


def test_body_only_mentions_alert_end_to_end_and_search_finds_the_body(tmp_path, telegram, feeds):
    feeds.serve("/robots.txt", Page(ROBOTS.encode(), content_type="text/plain"))
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")
    telegram.send_command(5301, "/watch Korea Utara")
    telegram.wait_for(lambda: telegram.messages_to(5301))
    feeds.wait_requests("/rss", 2)
    feeds.serve("/berita/kim-sukhoi", page())
    feeds.serve("/terlarang/rudal", page())
    body_only = {**TEASER_ONLY, "link": feeds.url("/berita/kim-sukhoi")}
    disallowed = {
        **TEASER_ONLY,
        "title": "Rudal baru diuji",
        "link": feeds.url("/terlarang/rudal"),
        "description": "Korea Utara menguji rudal baru.",
    }
    feeds.serve("/rss", Page(rss([body_only, disallowed, OLD_STORY])))
    alerts = telegram.wait_for(
        lambda: [m for m in telegram.messages_to(5301) if "🔎" in m.text][1:]
    )
    titles = sorted(m.text.splitlines()[0] for m in telegram.messages_to(5301) if "🔎" in m.text)
    assert titles == ["Kim Jong Un Tinjau Pabrik Pesawat Tempur di Komsomolsk", "Rudal baru diuji"]
    assert alerts and feeds.count("/terlarang/rudal") == 0
    telegram.send_command(5302, "/search Sukhoi")
    [reply] = telegram.wait_for(lambda: telegram.messages_to(5302))
    assert "Kim Jong Un Tinjau Pabrik Pesawat Tempur" in reply.text
    assert bot.stop() == 0
