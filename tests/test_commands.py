"""Chat commands through the real `pantau run`, as a user on Telegram sees them."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import ADMIN, TOKEN, bot_env, start_bot, write_config
from tests.fake_telegram import FakeTelegram

_chats = itertools.count(7001)


@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    fake = FakeTelegram(TOKEN).start()
    folder = tmp_path_factory.mktemp("commands")
    config = write_config(folder, [], commands_per_minute=1000)
    bot = start_bot(bot_env(folder, fake, config), folder / "bot.log")
    fake.wait_for(lambda: "getUpdates" in fake.calls)
    yield fake
    assert bot.stop() == 0
    assert fake.rejected == [], "a message Telegram would have refused"
    fake.stop()


def ask(telegram, text, chat_id=None, language_code="id"):
    """Send a message and return the bot's reply text in that chat."""
    chat_id = chat_id or next(_chats)
    before = len(telegram.messages_to(chat_id))
    telegram.send_command(chat_id, text, language_code=language_code)
    replies = telegram.wait_for(lambda: [m for m in telegram.sent if m.chat_id == chat_id][before:])
    return replies[0].text


def test_command_menu_in_both_languages(telegram):
    telegram.wait_for(lambda: len(telegram.commands) == 2)
    commands = {c["command"] for c in telegram.commands[""]}
    assert commands >= {"start", "help", "watch", "unwatch", "list", "search", "digest", "pause"}
    assert commands == {c["command"] for c in telegram.commands["en"]}
    assert telegram.commands[""][2]["description"] == "Pantau kata kunci"
    assert telegram.commands["en"][2]["description"] == "Watch keywords"


def test_start_in_indonesian_and_english(telegram):
    assert "bot pemantau berita" in ask(telegram, "/start")
    assert "news monitoring bot" in ask(telegram, "/start", language_code="en")


def test_help_lists_commands(telegram):
    reply = ask(telegram, "/help")
    assert "/watch <kueri>" in reply and "/unwatch" in reply and "/list" in reply
    assert "Kim NEAR/5 Putin" in reply and "title:Putin" in reply


def test_watch_list_unwatch(telegram):
    chat = next(_chats)
    assert ask(telegram, "/watch   Korea   Utara", chat).startswith("✅ Dipantau #")
    assert "Sudah dipantau" in ask(telegram, "/watch Korea Utara", chat)
    second = ask(telegram, "/watch harga <beras> & cabai", chat)
    assert "harga <beras> cabai" in second
    listing = ask(telegram, "/list", chat)
    assert '"Korea Utara"' in listing and "harga <beras> cabai" in listing and "(2)" in listing
    watch_id = second.split("#")[1].split(":")[0]
    assert f"#{watch_id}" in ask(telegram, f"/unwatch {watch_id}", chat)
    assert "dihapus: Korea Utara" in ask(telegram, "/unwatch korea utara", chat)
    assert "Belum ada pantauan" in ask(telegram, "/list", chat)


def test_watches_are_per_chat(telegram):
    first, second = next(_chats), next(_chats)
    reply = ask(telegram, "/watch Rusia", first)
    watch_id = reply.split("#")[1].split(":")[0]
    assert "Tidak ada pantauan" in ask(telegram, f"/unwatch {watch_id}", second)
    assert "Rusia" in ask(telegram, "/list", first)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/watch", "Apa yang ingin dipantau?"),
        ("/watch " + "a" * 301, "terlalu panjang (301 karakter, maks. 300)"),
        ("/watch !!!", "tidak berisi kata"),
        ('/watch "Kim Jong Un', "tanda kutip yang tidak ditutup"),
        ("/watch Kim (Putin OR Rusia", "Tanda kurung ( tidak berpasangan"),
        ("/watch -Rusia", "bukan hanya pengecualian"),
        ("/watch " + " ".join(f"k{i}" for i in range(21)), "berisi 21 kata kunci, maks. 20"),
        ("/unwatch", "Tulis nomor atau teks pantauan"),
        ("/unwatch 999", "Tidak ada pantauan “999”"),
        ("/frobnicate", "Perintah /frobnicate tidak dikenal"),
    ],
)
def test_mistakes_get_one_helpful_line(telegram, text, expected):
    reply = ask(telegram, text)
    assert expected in reply and reply.count("\n") == 0


def test_english_mistake(telegram):
    assert "What should I watch?" in ask(telegram, "/watch", language_code="en")
    assert "only exclusions" in ask(telegram, "/watch -Rusia", language_code="en")


def test_watch_echoes_how_the_query_was_understood(telegram):
    chat = next(_chats)
    reply = ask(telegram, '/watch Kim Jong Un (putin atau Rusia) -"Korea Selatan"', chat)
    first, *understood = reply.split("\n")
    assert first.endswith(': "Kim Jong Un" (Putin OR Rusia) -"Korea Selatan"')
    assert understood == [
        "↳ Putin: Vladimir Putin; bukan orang lain bernama sama",
        "↳ Rusia: Negeri Beruang Merah; juga ditulis Russia",
        '↳ "Korea Selatan": Korsel, South Korea, Republik Korea, Negeri Ginseng',
    ]
    assert ask(telegram, "/watch =Korut", chat).count("\n") == 0


def test_watch_and_list_say_what_a_term_is_not(telegram):
    chat = next(_chats)
    reply = ask(telegram, "/watch AS", chat)
    assert "↳ AS: Amerika Serikat, Amerika, USA" in reply
    assert "bukan dikutip dari AS (harian), AS Roma" in reply and reply.endswith("inisial nama")
    english = ask(telegram, "/watch AS", language_code="en")
    assert "not dikutip dari AS (harian), AS Roma" in english
    ask(telegram, "/watch harga beras", chat)
    listing = ask(telegram, "/list", chat).split("\n")
    at = next(n for n, line in enumerate(listing) if line.endswith("· AS"))
    assert listing[at + 1].startswith("↳ AS: Amerika Serikat") and len(listing[at + 1]) <= 202
    assert listing[at + 2].endswith("· harga beras"), "a word with no synonym gets no line"


def test_a_full_list_page_of_explained_watches_fits_one_message(telegram):
    chat = next(_chats)
    terms = "AS Cina PBB Prabowo Rusia Korut Jepang KPK DPR MA"
    for number in range(10):
        telegram.send_command(chat, f"/watch {terms} kata{number}")
    telegram.wait_for(lambda: len(telegram.messages_to(chat)) == 10)
    listing = ask(telegram, "/list", chat)
    assert listing.count("↳ AS: Amerika Serikat") == 10
    assert listing.endswith("Hapus dengan /unwatch nomor"), "the footer kept: nothing cut"


def test_alias_is_for_admins_only(telegram):
    assert "hanya untuk admin" in ask(telegram, "/alias Pyongyang = Korea Utara")


def test_admin_adds_and_removes_an_alias(telegram):
    listing = ask(telegram, "/alias", ADMIN)
    assert "Belum ada sinonim tambahan" in listing
    added = ask(telegram, "/alias Negeri Kimchi = Korsel", ADMIN)
    group = added.split("#")[1].split(":")[0]
    assert "Negeri Kimchi = Korsel" in added
    echo = ask(telegram, "/watch Korsel", ADMIN)
    assert "Negeri Kimchi" in echo
    assert f"#{group}" in ask(telegram, "/alias", ADMIN)
    assert "dihapus" in ask(telegram, f"/alias hapus {group}", ADMIN)
    assert "Tidak ada sinonim" in ask(telegram, f"/alias hapus {group}", ADMIN)


@pytest.fixture(autouse=True)
def nothing_rejected(telegram):
    """Every test here: nothing the bot sent during it was refused by Telegram."""
    before = len(telegram.rejected)
    yield
    assert telegram.rejected[before:] == []


def test_link_previews_setting(telegram):
    chat = next(_chats)
    assert (
        ask(telegram, "/previews on", chat) == "Pratinjau tautan kini tampil di bawah peringatan."
    )
    assert ask(telegram, "/previews off", chat) == "Pratinjau tautan kini disembunyikan."
    assert "/previews on" in ask(telegram, "/previews kadang", chat)


def test_timezone_per_chat(telegram):
    chat = next(_chats)
    reply = ask(telegram, "/timezone WITA", chat)
    assert reply.startswith("Zona waktu obrolan ini: Asia/Makassar. Sekarang ") and reply.endswith(
        "WITA."
    )
    assert "Asia/Jayapura" in ask(telegram, "/timezone Asia/Jayapura", chat)
    assert "bukan zona waktu" in ask(telegram, "/timezone Mars/Olympus", chat)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/digest hourly", "ringkasan tiap jam"),
        ("/digest daily 06:30", "tiap hari pukul 06:30"),
        ("/digest off", "satu per satu"),
        ("/digest weekly", "Contoh: /digest hourly"),
        ("/digest daily 25:00", "Contoh"),
        ("/quiet 22:00-06:00", "Jam tenang 22:00–06:00"),
        ("/quiet off", "Jam tenang dimatikan"),
        ("/quiet malam", "Contoh: /quiet 22:00-06:00"),
    ],
)
def test_digest_and_quiet_settings(telegram, command, expected):
    assert expected in ask(telegram, command)


def test_pause_and_resume_without_missed_alerts(telegram):
    chat = next(_chats)
    assert ask(telegram, "/pause", chat).startswith("⏸ Peringatan dihentikan")
    assert ask(telegram, "/resume", chat) == "▶️ Peringatan dilanjutkan."


def test_language_switch(telegram):
    chat = next(_chats)
    assert ask(telegram, "/language en", chat) == "This chat's language: English."
    assert "Pantau commands" in ask(telegram, "/help", chat), (
        "English although the app is Indonesian"
    )
    assert "What should I watch?" in ask(telegram, "/watch", chat)
    assert "Cancelled" in ask(telegram, "/cancel", chat)
    assert ask(telegram, "/language id", chat) == "Bahasa obrolan ini: Indonesia."
    assert "Perintah Pantau" in ask(telegram, "/help", chat)
    assert "/language id" in ask(telegram, "/language fr", chat)


def test_echoed_input_is_cut_to_fit(telegram):
    long = "x" * 5000
    chat = next(_chats)
    unwatch = ask(telegram, f"/unwatch {long}", chat)
    assert unwatch.startswith("Tidak ada pantauan “xxx") and len(unwatch) < 300
    unknown = ask(telegram, "/" + "a" * 5000, chat)
    assert "tidak dikenal" in unknown and len(unknown) < 300
    assert "Contoh" in ask(telegram, f"/channel @{long}", chat)
    zone = ask(telegram, f"/timezone {long}", chat)
    assert "bukan zona waktu" in zone and len(zone) < 300
    assert "Contoh" in ask(telegram, "/digest daily " + "9" * 5000, chat)
    assert "Contoh" in ask(telegram, "/quiet " + "9" * 5000 + ":00-06:00", chat)


def test_numbers_no_id_could_be_are_usage_errors(telegram):
    digits = "9" * 23
    assert "Tulis nomor sumbernya" in ask(telegram, f"/removesource {digits}", ADMIN)
    assert "Contoh" in ask(telegram, f"/allow {digits}", ADMIN)
    assert "Contoh" in ask(telegram, f"/interval {digits} 5m", ADMIN)
    assert "Tidak ada pantauan" in ask(telegram, f"/unwatch {digits}")
    assert "sumber" in ask(telegram, f"/sources {'9' * 5000}", ADMIN).lower()
