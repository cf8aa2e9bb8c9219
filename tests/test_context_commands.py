"""Context rules from chat (`/konteks`), end to end through `pantau run` and the fake Bot API:
an admin's rule changes what fires at once, and its removal restores it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import ADMIN, TOKEN, bot_env, start_bot, write_config
from tests.fake_telegram import FakeTelegram
from tests.feed_server import FeedServer, Page
from tests.feeds import OLD_STORY, rss

CHAT = 8101
_chats = itertools.count(8201)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    telegram = FakeTelegram(TOKEN).start()
    feeds = FeedServer().start()
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    folder = tmp_path_factory.mktemp("konteks")
    config = write_config(folder, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(folder, telegram, config), folder / "bot.log")
    telegram.wait_for(lambda: "getUpdates" in telegram.calls)
    feeds.wait_requests("/rss", 2)  # seeded: the first poll's items never alert
    yield telegram, feeds
    assert bot.stop() == 0
    assert telegram.rejected == [], "a message Telegram would have refused"
    feeds.stop()
    telegram.stop()


def ask(telegram, text, chat_id=None, language_code="id"):
    chat_id = chat_id or next(_chats)
    before = len(telegram.messages_to(chat_id))
    telegram.send_command(chat_id, text, language_code=language_code)
    return telegram.wait_for(lambda: telegram.messages_to(chat_id)[before:])[0].text


def story(title, number):
    return {
        "title": title,
        "link": f"http://127.0.0.1:9/bola/{number}",
        "description": f"{title}. Laporan lengkap menyusul.",
    }


def publish(world, *items):
    """Serve these items (newest first) and wait for two polls that saw them."""
    feeds = world[1]
    feeds.serve("/rss", Page(rss([*items, OLD_STORY])))
    feeds.wait_requests("/rss", feeds.count("/rss") + 2)


def alerted(telegram, title):
    return [m for m in telegram.messages_to(CHAT) if m.text.startswith(title)]


def test_an_admin_rule_stops_an_alert_and_its_removal_restores_it(world):
    telegram = world[0]
    assert ask(telegram, "/watch AS", CHAT).startswith("✅ Dipantau")
    first = "AS Livorno menang tipis atas Pisa di kandang"
    publish(world, story(first, 1))
    telegram.wait_for(lambda: alerted(telegram, first))

    assert "hanya untuk admin" in ask(telegram, "/konteks bukan AS Livorno")
    added = ask(telegram, '/konteks bukan "AS Livorno"', ADMIN)
    assert added.startswith("✅ Aturan konteks #") and added.endswith("bukan AS Livorno")
    rule = added.split("#")[1].split(":")[0]
    listing = ask(telegram, "/konteks", ADMIN)
    assert listing.startswith("Aturan konteks tambahan (1), halaman 1/1:")
    assert f"#{rule} · bukan AS Livorno" in listing

    quiet = "Pelatih AS Livorno dipecat setelah tiga kekalahan beruntun"
    control = "Kapal induk AS berlayar menuju Laut China Selatan"
    publish(world, story(control, 2), story(quiet, 3))
    telegram.wait_for(lambda: alerted(telegram, control))
    publish(world, story(control, 2), story(quiet, 3))
    assert alerted(telegram, quiet) == [], "AS inside AS Livorno is the club now"

    assert "dihapus" in ask(telegram, f"/konteks hapus {rule}", ADMIN)
    again = "Suporter AS Livorno berdemo menuntut stadion baru"
    publish(world, story(again, 4))
    telegram.wait_for(lambda: alerted(telegram, again))


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/konteks bukan Livorno", "harus nama 2–8 kata"),
        ("/konteks bukan Sepak Bola Italia", "Tidak ada sinonim"),
        ("/konteks ejaan Hong Kong", "Ejaan lain ditulis 2–6 kata tunggal"),
        ("/konteks ejaan Hongkong = Hong Kong", "Ejaan lain ditulis 2–6 kata tunggal"),
        ("/konteks tokoh Prabowo", "nama lengkap 2–5 kata"),
        ("/konteks tokoh Budi Santoso", "Tidak ada sinonim"),
        ("/konteks bukan " + "AS " * 40, "terlalu panjang"),
        ("/konteks apa AS Roma", "Tulis: /konteks bukan AS Roma"),
        ("/konteks hapus 99999", "Tidak ada aturan konteks #99999"),
    ],
)
def test_mistakes_get_one_helpful_line(world, command, expected):
    reply = ask(world[0], command, ADMIN)
    assert expected in reply and reply.count("\n") == 0


def test_english_words_and_replies(world):
    telegram = world[0]
    added = ask(telegram, "/context spelling Hongkong = Hongkonk", ADMIN, "en")
    assert added.startswith("✅ Context rule #") and added.endswith("spelling Hongkong = Hongkonk")
    rule = added.split("#")[1].split(":")[0]
    again = ask(telegram, "/context spelling Hongkong = Hongkonk", ADMIN, "en")
    assert again.startswith(f"That rule exists already: #{rule}")
    person = ask(telegram, "/context person Prabowo Subianto", ADMIN, "en")
    assert "person Prabowo Subianto" in person
    assert "Context rule" in ask(telegram, f"/context remove {rule}", ADMIN, "en")
    assert "There is no synonym" in ask(telegram, "/context not Sepak Bola", ADMIN, "en")


def test_rules_are_capped_and_listed_a_page_at_a_time(tmp_path, telegram):
    config = write_config(tmp_path, [])
    env = bot_env(tmp_path, telegram, config)
    (tmp_path / "data").mkdir()
    store = Store.open(Path(env["PANTAU_DB"]))
    for number in range(199):
        store.add_context_rule("name", [f"AS Klub{number}"], ADMIN, datetime.now(UTC))
    store.close()
    bot = start_bot(env, tmp_path / "bot.log")
    assert ask(telegram, "/konteks bukan AS Klub199", ADMIN).startswith("✅ Aturan konteks #200")
    assert "Sudah ada 200 aturan konteks, batasnya" in ask(
        telegram, "/konteks bukan AS Klub200", ADMIN
    )
    first = ask(telegram, "/konteks", ADMIN)
    assert first.startswith("Aturan konteks tambahan (200), halaman 1/7:")
    assert "Halaman berikut: /konteks 2" in first and "· bukan AS Klub29\n" in first
    last = ask(telegram, "/konteks 7", ADMIN)
    assert "halaman 7/7" in last and last.count("· bukan AS Klub") == 20
    assert "Halaman berikut" not in last and last.endswith("Hapus: /konteks hapus 3")
    assert bot.stop() == 0
    assert telegram.rejected == []
