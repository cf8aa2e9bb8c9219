"""Admin commands end to end: `pantau run` against the fake Bot API and a local feed server."""

from __future__ import annotations

import itertools
import re
import time

import pytest

from bot.telegram.admin import _target_and_name
from tests.conftest import ADMIN, TOKEN, bot_env, start_bot, write_config
from tests.fake_telegram import FakeTelegram
from tests.feed_server import FeedServer, Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, rss

OUTSIDER = 777
_ids = itertools.count(1000)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    telegram = FakeTelegram(TOKEN).start()
    feeds = FeedServer().start()
    for number in range(11):
        feeds.serve(f"/f{number}", Page(rss([{**OLD_STORY, "link": f"https://x.id/{number}"}])))
    feeds.serve("/broken", Page(b"", status=500, content_type="text/plain"))
    sources = [(f"Feed {n}", feeds.url(f"/f{n}"), "1h") for n in range(11)]
    sources.append(("Rusak", feeds.url("/broken"), "1s"))
    folder = tmp_path_factory.mktemp("admin")
    config = write_config(folder, sources, extra='failure_alert_after = "2s"\n')
    bot = start_bot(bot_env(folder, telegram, config), folder / "bot.log")
    telegram.wait_for(lambda: "getUpdates" in telegram.calls)
    yield telegram, feeds
    assert bot.stop() == 0
    assert telegram.rejected == [], "a message Telegram would have refused"
    feeds.stop()
    telegram.stop()


def ask(telegram, text, user=ADMIN):
    before = len(telegram.messages_to(user))
    telegram.send_command(user, text)
    return telegram.wait_for(lambda: telegram.messages_to(user)[before:])[0].text


def test_outsiders_are_refused_and_nothing_changes(world):
    telegram, _ = world
    for command in (
        "/sources",
        "/addsource https://x.id/rss",
        "/removesource 1",
        "/pausesource 1",
        "/interval 1 5m",
        "/alias a = b",
        "/stats",
    ):
        assert ask(telegram, command, OUTSIDER) == "Maaf, perintah ini hanya untuk admin Pantau."
    assert "#1 Feed 0" in ask(telegram, "/sources")


def test_sources_are_listed_a_page_at_a_time(world):
    telegram, _ = world
    first = ask(telegram, "/sources")
    assert "Sumber (12), halaman 1/2" in first and "#10 Feed 9" in first and "#11" not in first
    assert "/sources 2" in first and "berita/24 jam" in first
    second = ask(telegram, "/sources 2")
    assert "#12 Rusak" in second and "halaman 2/2" in second


def test_a_failing_source_shows_its_errors_and_the_admins_are_told_once(world):
    telegram, feeds = world
    notice = telegram.wait_for(
        lambda: [m for m in telegram.messages_to(ADMIN) if "gagal diambil" in m.text]
    )
    assert "#12 Rusak" in notice[0].text and "HTTP 500" in notice[0].text
    listing = ask(telegram, "/sources 2")
    assert "bermasalah" in listing and "galat beruntun: HTTP 500" in listing
    feeds.serve("/broken", Page(rss([SEED_STORY])))
    telegram.wait_for(
        lambda: [m for m in telegram.messages_to(ADMIN) if "kembali normal" in m.text]
    )
    assert len([m for m in telegram.messages_to(ADMIN) if "gagal diambil" in m.text]) == 1


def test_stats_show_sources_articles_alerts_and_uptime(world):
    telegram, feeds = world
    for number in range(11):
        feeds.wait_requests(f"/f{number}", 1)
    deadline = time.monotonic() + 20
    # Each of the 11 feeds stores one article (the broken one, once it recovers in another
    # test, a twelfth); a poll commits a moment after its request.
    while not re.search(r"Berita tersimpan hari ini: 1[12]\n", stats := ask(telegram, "/stats")):
        assert time.monotonic() < deadline, stats
    sources = re.search(
        r"^Statistik Pantau\nSumber: (\d+) aktif, (\d+) bermasalah, 0 dijeda\n", stats
    )
    assert sources and int(sources[1]) + int(sources[2]) == 12, stats
    assert "Peringatan terkirim hari ini: 0 (gagal: 0)\n" in stats
    assert "Antrean: 0 menunggu, 0 ditahan untuk ringkasan\n" in stats
    assert "Halaman berita dalam antrean: 0\n" in stats
    assert re.search(r"Berjalan sejak: \d+ \w+ \d{4} \d\d:\d\d WIB \(0m\)", stats)
    assert re.search(r"Basis data: \d+\.\d MB\n", stats)
    assert stats.endswith("Belum ada peringatan yang ditandai."), "no alert flagged yet"


def test_addsource_discovers_checks_and_saves(world):
    telegram, feeds = world
    feeds.serve(
        "/portal",
        Page(
            b'<link rel="alternate" type="application/rss+xml" href="/portal/rss">',
            content_type="text/html",
        ),
    )
    feeds.serve(
        "/portal/rss",
        Page(rss([SEED_STORY, SOUTH_ONLY_STORY, OLD_STORY, OLD_STORY], title="Portal <Uji>")),
    )
    reply = ask(telegram, f"/addsource {feeds.url('/portal')}")
    assert reply.startswith("✅ Sumber #13 ditambahkan: Portal <Uji>"), reply
    assert feeds.url("/portal/rss") in reply
    assert reply.count("• ") == 3 and SEED_STORY["title"] in reply
    assert "sudah menjadi sumber" in ask(telegram, f"/addsource {feeds.url('/portal/rss')}")
    named = ask(telegram, f"/addsource {feeds.url('/f3')}?kanal=2 Kanal Dua")
    assert "Kanal Dua" in named


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/addsource", "Tambah sumber"),
        ("/addsource ftp://x.id/rss", "bukan URL http(s)"),
        ("/addsource http://127.0.0.1:9/rss", "Tidak bisa membuka"),
    ],
)
def test_addsource_refusals_save_nothing(world, command, expected):
    telegram, _ = world
    before = ask(telegram, "/sources 2").count("#")
    assert expected in ask(telegram, command)
    assert ask(telegram, "/sources 2").count("#") == before


def test_addsource_without_a_feed(world):
    telegram, feeds = world
    feeds.serve("/kosong", Page(b"<html><body>Tidak ada</body></html>", content_type="text/html"))
    assert "Tidak ada feed RSS/Atom" in ask(telegram, f"/addsource {feeds.url('/kosong')}")


def test_pause_resume_interval_remove(world):
    telegram, _ = world
    assert ask(telegram, "/pausesource 2") == "⏸ Sumber #2 dijeda."
    assert "#2 Feed 1 — dijeda, tiap 1h" in ask(telegram, "/sources")
    assert ask(telegram, "/resumesource 2") == "▶️ Sumber #2 dilanjutkan."
    assert ask(telegram, "/interval 2 10m") == "Sumber #2 kini diambil tiap 10m."
    assert "menyesuaikan" in ask(telegram, "/interval 2 auto")
    assert "Contoh" in ask(telegram, "/interval 2 kadang")
    assert ask(telegram, "/removesource 2") == "🗑 Sumber #2 dihapus."
    assert ask(telegram, "/removesource 2") == "Tidak ada sumber #2. Lihat /sources"
    assert "Tulis nomor sumbernya" in ask(telegram, "/pausesource dua")


@pytest.fixture(autouse=True)
def nothing_rejected(world):
    """Every test here: nothing the bot sent during it was refused by Telegram."""
    telegram, _ = world
    before = len(telegram.rejected)
    yield
    assert telegram.rejected[before:] == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('gnews:"Korea Utara"', ('gnews:"Korea Utara"', None)),
        ('gnews:"Kim Jong Un" OR Putin', ('gnews:"Kim Jong Un" OR Putin', None)),
        ('gnews:"Kim Jong Un" OR Putin | Kim-Putin', ('gnews:"Kim Jong Un" OR Putin', "Kim-Putin")),
        ("https://x.id/rss Kanal Dua", ("https://x.id/rss", "Kanal Dua")),
    ],
)
def test_a_google_news_search_is_the_whole_line_and_a_name_follows_a_bar(line, expected):
    assert _target_and_name(line.split()) == expected
