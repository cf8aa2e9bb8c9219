"""Groups, instant value and search, end to end through `pantau run` and the fake Bot API."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing

import pytest

from bot.texts import ID
from tests.conftest import TOKEN, bot_env, start_bot, write_config
from tests.fake_telegram import FakeTelegram, utf16_length
from tests.feed_server import FeedServer, Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, rss

GROUP, ADMIN, MEMBER = -3001, 31, 32
ROMA = {
    "title": "AS Roma kalahkan Lazio di Stadion Olimpico",
    "link": "http://127.0.0.1:9/roma",
    "description": "Klub AS Roma menang 2-0 dalam derbi ibu kota.",
}
WASHINGTON = {
    "title": "Pejabat AS bertemu delegasi China di Washington",
    "link": "http://127.0.0.1:9/washington",
    "description": "Pertemuan Amerika Serikat dan China membahas perdagangan.",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("chats")


@pytest.fixture(scope="module")
def world(folder):
    telegram = FakeTelegram(TOKEN).start()
    telegram.chat_admins[GROUP] = {ADMIN}
    feeds = FeedServer().start()
    putin = {**SEED_STORY, "link": "http://127.0.0.1:9/kim-putin"}
    feeds.serve("/rss", Page(rss([putin, ROMA, WASHINGTON, SOUTH_ONLY_STORY, OLD_STORY])))
    config = write_config(folder, [("Zona", feeds.url("/rss"), "1h")])
    bot = start_bot(bot_env(folder, telegram, config), folder / "bot.log")
    telegram.wait_for(lambda: "getUpdates" in telegram.calls)
    wait_until(folder, "SELECT count(*) >= 5 FROM articles")
    yield telegram
    assert bot.stop() == 0
    feeds.stop()
    telegram.stop()


def wait_until(folder, sql):
    """Wait (bounded) until a query on the bot's database holds: polls commit asynchronously."""
    deadline = time.monotonic() + 15
    while True:
        path = folder / "data" / "pantau.db"
        if path.exists():
            try:
                if sqlite3.connect(path).execute(sql).fetchone()[0]:
                    return
            except sqlite3.OperationalError:
                pass
        assert time.monotonic() < deadline, f"never true: {sql}"
        time.sleep(0.05)


def ask(telegram, text, chat, user=None, chat_type="private"):
    before = len(telegram.messages_to(chat))
    telegram.send_command(chat, text, user_id=user, chat_type=chat_type)
    return telegram.wait_for(lambda: telegram.messages_to(chat)[before:])[0]


def test_a_new_watch_shows_what_already_matched(world):
    reply = ask(world, "/watch Korea Utara", 41)
    assert "Sudah ada 2 berita dalam 24 jam terakhir:" in reply.text
    assert "• Kim Jong Un dan Vladimir Putin Bertemu" in reply.text and "— Zona" in reply.text
    assert "Korea Selatan gelar latihan" not in reply.text
    assert 'href="http://127.0.0.1:9/kim-putin"' in reply.html


def test_search_uses_the_query_language(world):
    reply = ask(world, "/search Putin -Selatan", 42).text
    assert reply.startswith("1 berita terbaru untuk Putin -Selatan:") and "Vostochny" in reply
    assert "Belum ada berita tersimpan" in ask(world, "/search Zelensky", 42).text
    assert "tanda kutip" in ask(world, '/search "Kim', 42).text


def test_search_and_a_preview_read_the_context_rules_as_alerts_do(world):
    found = ask(world, "/search AS", 61).text
    assert found.startswith("1 berita terbaru untuk AS:") and "Pejabat AS bertemu" in found
    assert "AS Roma" not in found, "AS inside AS Roma is the club: no alert, so not listed"
    reply = ask(world, "/watch AS", 61).text
    assert "Pejabat AS bertemu" in reply and "AS Roma kalahkan" not in reply


def test_search_finds_words_with_clitics(world):
    assert "Korea Utara luncurkan" in ask(world, "/search rudal", 43).text


def test_in_a_group_only_admins_change_watches(world):
    refused = ask(world, "/watch Rusia", GROUP, MEMBER, "group")
    assert (
        refused.text == "Di grup, hanya admin grup yang boleh mengubah pantauan dan pengaturannya."
    )
    added = ask(world, "/watch Rusia", GROUP, ADMIN, "group")
    assert added.text.startswith("✅ Dipantau")
    assert "Rusia" in ask(world, "/list", GROUP, MEMBER, "group").text, "anyone may look"
    assert "hanya admin" in ask(world, "/unwatch Rusia", GROUP, MEMBER, "group").text


def test_a_bot_removed_from_a_group_stops_its_watches(world, folder):
    world.chat_admins[-3002] = {51}
    assert ask(world, "/watch Putin", -3002, 51, "group").text.startswith("✅")
    world.bot_removed(-3002)
    wait_until(folder, "SELECT active = 0 FROM chats WHERE id = -3002")
    database = sqlite3.connect(folder / "data" / "pantau.db")
    watches = database.execute("SELECT query FROM watches WHERE chat_id = -3002").fetchall()
    assert watches == [("Putin",)], "the watches are kept in case the bot returns"


def test_the_watch_limit(world):
    chat = 44
    for number in range(50):
        world.send_command(chat, f"/watch kata{number}")
    world.wait_for(lambda: len(world.messages_to(chat)) == 50)
    assert "batasnya" in ask(world, "/watch satu lagi", chat).text


def tap(telegram, chat, data, message_id=1):
    before = len(telegram.messages_to(chat))
    answers = len(telegram.answers)
    telegram.send_callback(chat, data, message_id)
    telegram.wait_for(lambda: len(telegram.answers) > answers)
    return telegram.answers[-1], telegram.messages_to(chat)[before:]


def test_list_buttons_preview_delete_undo_and_forgeries(world):
    chat, stranger = 45, 46
    ask(world, "/watch Putin", chat)
    listing = ask(world, "/list", chat)
    [row] = listing.params["reply_markup"]["inline_keyboard"]
    watch_id = row[0]["callback_data"].split(":")[1]
    assert [b["callback_data"] for b in row] == [
        f"mute:{watch_id}",
        f"del:{watch_id}",
        f"prev:{watch_id}",
    ]

    tap(world, chat, f"prev:{watch_id}")
    world.wait_for(
        lambda: any("Berita terbaru yang cocok" in m.text for m in world.messages_to(chat))
    )
    assert "Kim Jong Un dan Vladimir Putin" in world.messages_to(chat)[-1].text

    answer, _ = tap(world, stranger, f"del:{watch_id}")
    assert answer == "Tombol ini sudah tidak berlaku."
    assert "Putin" in ask(world, "/list", chat).text, "a forged button changed nothing"

    tap(world, chat, f"del:{watch_id}")
    deleted = world.wait_for(lambda: [m for m in world.messages_to(chat) if "dihapus" in m.text])[
        -1
    ]
    assert (
        deleted.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        == f"undo:{watch_id}"
    )
    assert "Belum ada pantauan" in ask(world, "/list", chat).text
    tap(world, chat, f"undo:{watch_id}")
    world.wait_for(lambda: any("dipulihkan" in m.text for m in world.messages_to(chat)))
    assert "Putin" in ask(world, "/list", chat).text
    answer, _ = tap(world, chat, f"undo:{watch_id}")
    assert answer == "Tombol ini sudah tidak berlaku.", "an undo works once"


def test_the_guided_watch_flow(world):
    chat = 47
    assert "Apa yang ingin dipantau?" in ask(world, "/watch", chat).text
    assert "tanda kutip" in ask(world, '"Korea', chat).text, (
        "a bad answer is explained; still asking"
    )
    understood = ask(world, "Korea Utara", chat)
    assert understood.text.startswith('Dipahami sebagai: "Korea Utara"\n↳ "Korea Utara": Korut')
    assert "Sudah ada 2 berita" in understood.text
    buttons = understood.params["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["flow:save", "flow:cancel"]
    before = len(world.messages_to(chat))
    world.send_callback(chat, "flow:save", understood.message_id)
    saved = world.wait_for(lambda: world.messages_to(chat)[before:])[0]
    assert saved.text.startswith("✅ Dipantau #")
    assert '"Korea Utara"' in ask(world, "/list", chat).text


def test_settings_are_changed_in_place(world):
    chat = 48
    panel = ask(world, "/settings", chat)
    assert (
        "Ringkasan: mati (satu per satu)" in panel.text and "Zona waktu: Asia/Jakarta" in panel.text
    )
    fields = [row[0]["callback_data"] for row in panel.params["reply_markup"]["inline_keyboard"]]
    assert fields == [
        "set:digest",
        "set:quiet",
        "set:zone",
        "set:language",
        "set:previews",
        "set:spikes",
        "set:weekly",
    ]

    def tap_and_read(data):
        edits = len(world.edits)
        world.send_callback(chat, data, panel.message_id)
        world.wait_for(lambda: len(world.edits) > edits)
        return world.edits[-1].text

    assert "Ringkasan: tiap jam" in tap_and_read("set:digest")
    assert "Jam tenang: 22:00-06:00" in tap_and_read("set:quiet")
    assert "Zona waktu: Asia/Makassar" in tap_and_read("set:zone")
    assert "Pratinjau tautan: hidup" in tap_and_read("set:previews")
    english = tap_and_read("set:language")
    assert "This chat's settings" in english and "Digest: hourly" in english
    assert (
        next(m for m in world.messages_to(chat) if m.message_id == panel.message_id).text == english
    )
    assert len(world.messages_to(chat)) == 1, "edited in place, never a new message"


def test_commands_addressed_to_this_bot_work_and_others_are_ignored(world):
    group = -3003
    world.chat_admins[group] = {61}
    reply = ask(world, "/watch@pantau_test_bot Ukraina", group, 61, "group")
    assert reply.text.startswith("✅ Dipantau")
    before = len(world.messages_to(group))
    world.send_command(group, "/watch@other_bot Rusia", user_id=61, chat_type="group")
    world.send_command(group, "/help@other_bot", user_id=61, chat_type="group")
    assert "Ukraina" in ask(world, "/list", group, 61, "group").text
    assert len(world.messages_to(group)) == before + 1, "only /list was answered"


def test_the_watch_limit_holds_through_undo_and_long_lists_fit(world):
    chat = 49
    for number in range(50):
        world.send_command(chat, f"/watch kata{number} {'panjangsekali' * 20}")
    world.wait_for(lambda: len(world.messages_to(chat)) == 50)
    listing = ask(world, "/list", chat)
    assert "(50)" in listing.text and "1/5" in listing.text
    rows = listing.params["reply_markup"]["inline_keyboard"]
    assert len(rows) == 11 and rows[-1][0]["callback_data"] == "list:2"
    edits = len(world.edits)
    world.send_callback(chat, "list:5", listing.message_id)
    world.wait_for(lambda: len(world.edits) > edits)
    assert "5/5" in world.edits[-1].text and "kata49" in world.edits[-1].text

    deleted = []
    for number in range(5):
        reply = ask(world, f"/unwatch kata{number} {'panjangsekali' * 20}", chat)
        deleted.append(re.search(r"#(\d+)", reply.text).group(1))
    for number in range(5):
        assert "Dipantau" in ask(world, f"/watch baru{number}", chat).text
    for watch_id in deleted:
        answer, _ = tap(world, chat, f"undo:{watch_id}")
        assert "batasnya" in answer
    assert "(50)" in ask(world, "/list", chat).text, "never 55"


def test_button_replies_about_an_overlong_watch_are_cut_to_fit(world, folder):
    chat = 50
    ask(world, "/watch Putin", chat)
    display = "🔥" * 2100  # 4,200 UTF-16 units: a watch stored before queries were bounded
    with closing(sqlite3.connect(folder / "data" / "pantau.db")) as database, database:
        watch_id = database.execute(
            "INSERT INTO watches (chat_id, query, display, created_at) VALUES (?, 'Kim', ?, ?)",
            (chat, display, time.time()),
        ).lastrowid
    rejected = len(world.rejected)
    for action in ("prev", "mute", "unmute", "del", "undo"):
        before = len(world.messages_to(chat))
        tap(world, chat, f"{action}:{watch_id}")
        [reply] = world.wait_for(lambda before=before: world.messages_to(chat)[before:])
        assert reply.text != ID["error_generic"], action
        assert 0 < utf16_length(reply.text) <= 4096, action
    assert world.rejected[rejected:] == [], "no reply was too long for Telegram"


def test_a_group_upgraded_to_a_supergroup_keeps_everything(world, folder):
    group, admin = -3010, 71
    world.chat_admins[group] = {admin}
    assert ask(world, "/watch Rusia", group, admin, "group").text.startswith("✅")
    ask(world, "/digest daily 06:30", group, admin, "group")
    ask(world, "/timezone WITA", group, admin, "group")
    ask(world, "/quiet 22:00-05:00", group, admin, "group")
    world.group_migrated(group, -1003010)
    wait_until(folder, "SELECT count(*) FROM chats WHERE id = -1003010 AND active = 1")
    database = sqlite3.connect(folder / "data" / "pantau.db")
    row = database.execute(
        "SELECT digest, digest_at, timezone, quiet, type FROM chats WHERE id = -1003010"
    ).fetchone()
    assert row == ("daily", "06:30", "Asia/Makassar", "22:00-05:00", "supergroup")
    assert database.execute("SELECT id FROM watches WHERE chat_id = ?", [group]).fetchall() == []
    moved = database.execute("SELECT query FROM watches WHERE chat_id = -1003010").fetchall()
    assert moved == [("Rusia",)]
