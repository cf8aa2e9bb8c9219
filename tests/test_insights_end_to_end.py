"""Coverage in chat through the real `pantau run` and the fake Bot API: `/tren` (one watch,
share of voice, a query that is no watch), `/laporan` (CSV and chart), trends that outlive
article pruning, the `/settings` toggles, and a spike alert as a burst arrives."""

from __future__ import annotations

import codecs
import csv
import io
import sqlite3
import struct
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from bot.store import Store
from tests.conftest import TOKEN, bot_env, eventually, start_bot, start_watching, write_config
from tests.coverage_data import fold_all, publish, watch
from tests.fake_telegram import FakeTelegram
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

CHAT = 8101
WIB = ZoneInfo("Asia/Jakarta")
PER_DAY = {"ANTARA": 3, "detik": 2, "Kompas": 2, "CNN Indonesia": 1, "Tempo": 1}
PER_DAY |= {"Republika": 1, "Okezone": 1}
DAILY = sum(PER_DAY.values())  # 11 a day, for 60 days
PEAK_DAY, PEAK_EXTRA = 3, 20
PEAK_TITLE = "Kim Jong Un tiba di Vladivostok"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def seed(path, now: datetime) -> None:
    """60 days of "Korea Utara" coverage from 7 outlets (a peak 3 days ago), 30 days of
    "Korea Selatan", and stored articles about Putin that no watch follows."""
    store = Store.open(path)
    korea = watch(store, CHAT, "Korea Utara", now)
    south = watch(store, CHAT, "Korea Selatan", now)
    for day in range(60):
        moment = now - timedelta(days=day)
        for outlet, count in PER_DAY.items():
            for _ in range(count):
                publish(store, [korea], outlet, moment)
        if day < 30:
            publish(store, [south], "Yonhap", moment, terms=("Korea Selatan",))
    peak = now - timedelta(days=PEAK_DAY)
    top = publish(store, [korea], "ANTARA", peak + timedelta(minutes=5), PEAK_TITLE)
    for _ in range(PEAK_EXTRA - 1):
        publish(store, [korea], "ANTARA", peak)
    store.db.execute(
        "INSERT INTO deliveries (chat_id, article_id, watches, status, not_before, created_at, "
        "also) VALUES (?, ?, '[]', 'sent', 0, 0, ?)",
        [CHAT, top, '[["Kompas", "https://k.example"], ["Tempo", "https://t.example"]]'],
    )
    for day in (1, 2, 5, 8, 13, 45, 50):  # the last two are pruned at start (30 days kept)
        publish(store, [], "Tempo", now - timedelta(days=day), f"Putin bicara hari {day}")
    fold_all(store)
    store.close()


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    fake = FakeTelegram(TOKEN).start()
    folder = tmp_path_factory.mktemp("insights")
    config = write_config(folder, [], extra="retention_days = 30\n")
    env = bot_env(folder, fake, config)
    database = folder / "data" / "pantau.db"
    seed(database, datetime.now(UTC))
    process = start_bot(env, folder / "bot.log")
    fake.wait_for(lambda: "getUpdates" in fake.calls)
    yield fake, database
    assert process.stop() == 0
    assert fake.rejected == [], "a message Telegram would have refused"
    fake.stop()


def command(telegram, text, chat=CHAT, count=1):
    """Send a command; the uploads (or messages) it brings, once `count` have arrived."""
    uploads, sent = len(telegram.uploads), len(telegram.messages_to(chat))
    telegram.send_command(chat, text)
    telegram.wait_for(lambda: len(telegram.messages_to(chat)) >= sent + count)
    return telegram.uploads[uploads:], telegram.messages_to(chat)[sent:]


def test_tren_one_watch_survives_pruning(bot):
    telegram, database = bot
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        telegram.wait_for(
            lambda: (
                db.execute("SELECT count(*) FROM articles WHERE title LIKE 'Putin%'").fetchone()[0]
                == 5
            )
        )
    uploads, _ = command(telegram, "/tren 1 90d")
    (photo,) = uploads
    assert photo.method == "sendPhoto" and photo.params["parse_mode"] == "HTML"
    width, height = png_size(photo.data)
    assert (width, height) == (1200, 750)
    lines = photo.caption.split("\n")
    total = DAILY * 60 + PEAK_EXTRA  # 60 days of counts, though only 30 days of articles
    assert lines[0] == '📊 "Korea Utara" · 90 hari terakhir'
    average = f"{total / 90:.1f}".replace(".", ",")
    assert lines[1] == f"Total {total} berita · rata-rata {average}/hari"
    peak = (datetime.now(UTC) - timedelta(days=PEAK_DAY)).astimezone(WIB)
    months = "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()
    assert lines[2] == (
        f"Puncak: {peak.day} {months[peak.month - 1]} ({DAILY + PEAK_EXTRA} berita) — {PEAK_TITLE}"
    )
    assert PEAK_TITLE in photo.params["caption"] and "<a href=" in photo.params["caption"]
    antara = 3 * 60 + PEAK_EXTRA
    assert lines[3] == (
        f"Media teratas: ANTARA {antara}, Kompas 120, detik 120, CNN Indonesia 60, Okezone 60"
    )


def test_tren_share_of_voice(bot):
    telegram, _ = bot
    uploads, _ = command(telegram, '/tren "Korea Utara" vs "Korea Selatan"')
    (photo,) = uploads
    assert png_size(photo.data) == (1200, 750)
    north, south = DAILY * 30 + PEAK_EXTRA, 30
    assert photo.caption.split("\n") == [
        "📊 Pangsa pemberitaan · 30 hari terakhir",
        f'"Korea Utara": {north} berita ({round(100 * north / (north + south))}%)',
        f'"Korea Selatan": {south} berita ({round(100 * south / (north + south))}%)',
        f"Total {north + south} berita",
    ]
    again, _ = command(telegram, "/tren 1 2 30d")
    assert again[0].caption == photo.caption, "by number or by query: the same watches"


def test_tren_query_that_is_no_watch_counts_stored_articles(bot):
    telegram, _ = bot
    uploads, _ = command(telegram, "/tren Putin 7d")
    (photo,) = uploads
    lines = photo.caption.split("\n")
    assert lines[0] == "📊 Putin · 7 hari terakhir"
    assert lines[1].startswith("Total 3 berita")  # days 1, 2 and 5 of the week (8 is older)
    assert lines[-1] == "Bukan pantauan: dihitung dari berita yang masih tersimpan."


def test_tren_mistakes_get_one_line(bot):
    telegram, _ = bot
    for text, expected in [
        ("/tren", "Contoh: /tren 1"),
        ("/tren 99", "Tidak ada pantauan #99"),
        ("/tren 1 2 3 4 5", "Paling banyak 4"),
        ('/tren "Kim', "tanda kutip"),
        ("/tren Gajah Terbang", "Belum ada berita yang cocok dengan Gajah Terbang"),
    ]:
        uploads, messages = command(telegram, text)
        assert uploads == [] and expected in messages[0].text and "\n" not in messages[0].text


def test_laporan_csv_and_chart(bot):
    telegram, database = bot
    uploads, _ = command(telegram, "/laporan 1 7d", count=2)
    chart, document = uploads
    assert chart.method == "sendPhoto" and png_size(chart.data) == (1200, 750)
    assert document.method == "sendDocument" and document.filename.endswith(".csv")
    assert document.filename.startswith("pantau-laporan-korea-utara-")
    assert document.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(document.data[3:].decode("utf-8"))))
    assert rows[0] == ["tanggal", "waktu", "media", "judul", "url", "pantauan", "kata yang cocok"]
    expected = DAILY * 7 + PEAK_EXTRA
    assert len(rows) - 1 == expected
    assert f"{expected} berita" in document.caption
    peak = next(row for row in rows if row[3] == PEAK_TITLE)
    assert peak[2] == "ANTARA" and peak[5] == '"Korea Utara"' and peak[6] == "Korea Utara"
    assert peak[4].startswith("https://")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        published = db.execute(
            "SELECT published_at FROM articles WHERE title = ?", [PEAK_TITLE]
        ).fetchone()[0]
    when = datetime.fromtimestamp(published, UTC).astimezone(WIB)
    assert peak[0] == when.date().isoformat() and peak[1] == f"{when:%H:%M}"
    dates = [row[0] for row in rows[1:]]
    assert dates == sorted(dates)


def test_laporan_for_every_watch_and_usage(bot):
    telegram, _ = bot
    uploads, _ = command(telegram, "/laporan", count=2)
    chart, document = uploads
    assert "Pangsa pemberitaan" in chart.caption
    rows = list(csv.reader(io.StringIO(document.data[3:].decode("utf-8"))))
    assert len(rows) - 1 == DAILY * 7 + PEAK_EXTRA + 7
    assert "semua pantauan" in document.caption
    _, messages = command(telegram, "/laporan 1 90d")
    assert "Contoh: /laporan" in messages[0].text


def test_settings_toggle_spike_alerts_and_weekly_report(bot):
    telegram, database = bot
    _, messages = command(telegram, "/settings")
    view = messages[0]
    assert (
        "Peringatan lonjakan: hidup" in view.text
        and "Laporan mingguan (Senin 08:00): mati" in view.text
    )
    buttons = [
        b["callback_data"] for row in view.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert "set:spikes" in buttons and "set:weekly" in buttons
    for data in ("set:spikes", "set:weekly"):
        edits = len(telegram.edits)
        telegram.send_callback(CHAT, data, view.message_id)
        telegram.wait_for(lambda edits=edits: len(telegram.edits) > edits)
    assert "Peringatan lonjakan: mati" in telegram.edits[-1].text
    assert "Laporan mingguan (Senin 08:00): hidup" in telegram.edits[-1].text
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        due = eventually(
            lambda: db.execute(
                "SELECT weekly_due_at FROM chats WHERE id = ? AND spike_alerts = 0", [CHAT]
            ).fetchone()[0]
        )
    scheduled = datetime.fromtimestamp(due, UTC).astimezone(WIB)
    assert (scheduled.weekday(), scheduled.hour, scheduled.minute) == (0, 8, 0)
    assert timedelta(0) < scheduled - datetime.now(UTC) <= timedelta(days=7)


def test_a_burst_brings_one_spike_alert(tmp_path, telegram, feeds):
    chat = 8201
    _, process = start_watching(tmp_path, telegram, feeds, [chat])
    now = datetime.now(UTC)

    def story(number):
        return {
            "title": f"Korea Utara uji rudal baru, laporan ke-{number}",
            "link": feeds.url(f"/berita/{number}"),
            "description": "Korea Utara kembali menguji rudal.",
            "pubDate": format_datetime(now - timedelta(minutes=number)),
        }

    burst = [story(number) for number in range(1, 7)]
    feeds.serve("/rss", Page(rss([*burst, OLD_STORY])))
    spikes = telegram.wait_for(
        lambda: [u for u in telegram.uploads if u.chat_id == chat], timeout=40
    )
    (spike,) = spikes
    lines = spike.caption.split("\n")
    assert lines[0] == '📈 Lonjakan pemberitaan: "Korea Utara"'
    assert lines[1] == "6 berita dalam 1 jam terakhir (biasanya 0,0 per jam)"
    assert len(lines) == 5 and all(line.startswith("• Korea Utara uji rudal") for line in lines[2:])
    assert png_size(spike.data) == (1200, 750)
    database = tmp_path / "data" / "pantau.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        first = db.execute("SELECT spike_seen_at FROM watch_coverage").fetchone()[0]
        more = [story(number) for number in range(7, 10)]
        feeds.serve("/rss", Page(rss([*more, *burst, OLD_STORY])))
        eventually(
            lambda: db.execute("SELECT spike_seen_at FROM watch_coverage").fetchone()[0] > first
        )
    assert len([u for u in telegram.uploads if u.chat_id == chat]) == 1, "the same spike"
    assert telegram.rejected == []
    assert process.stop() == 0
