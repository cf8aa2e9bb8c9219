"""The whole path through the real `pantau run`: a watch, a feed item, an alert, a restart."""

from __future__ import annotations

from tests.conftest import TOKEN, bot_env, start_bot, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, article_page, rss

CHAT = 5001
OUTSIDER = 5002


def _alerts(telegram, chat_id):
    return [
        m for m in telegram.sent if m.chat_id == chat_id and m.text.startswith(("Kim", "Korea"))
    ]


def test_watch_then_alert_once_across_restart(tmp_path, telegram, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Zona Surabaya Raya", feeds.url("/rss"), "1s")])
    env = bot_env(tmp_path, telegram, config)
    bot = start_bot(env, tmp_path / "bot.log")

    telegram.send_command(CHAT, "/watch Korea Utara")
    reply = telegram.wait_for(lambda: [m for m in telegram.sent if m.chat_id == CHAT])[0]
    assert "Korea Utara" in reply.text and "#1" in reply.text
    feeds.wait_requests("/rss", 2)

    story = {**SEED_STORY, "link": feeds.url("/internasional/kim-putin?utm_source=rss")}
    feeds.serve(
        "/internasional/kim-putin",
        Page(article_page(SEED_STORY["title"]), content_type="text/html"),
    )
    feeds.serve("/rss", Page(rss([story, SOUTH_ONLY_STORY, OLD_STORY])))
    alerts = telegram.wait_for(lambda: _alerts(telegram, CHAT))
    polled = feeds.count("/rss")
    feeds.wait_requests("/rss", polled + 3)

    assert len(_alerts(telegram, CHAT)) == 1, (
        "the old story (first poll) and Korea Selatan must not alert"
    )
    alert = alerts[0]
    assert alert.text.startswith(SEED_STORY["title"])
    link = feeds.url("/internasional/kim-putin")
    assert f'<a href="{link}">' in alert.html, "the link loses its tracking parameters"
    assert "Zona Surabaya Raya · 13 Sep 2023 14:30 WIB" in alert.text
    assert "Pertemuan antara Presiden <b>Korea Utara</b> Kim Jong Un" in alert.html
    assert "ZONA SURABAYA RAYA" not in alert.text and "Baca Juga" not in alert.text
    assert "Melansir kantor berita" in alert.text, "the summary comes from the article page"
    keyboard = alert.params["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0] == {"text": "Buka", "url": link}
    assert keyboard[0][1]["text"] == "🚫 Tidak relevan"
    assert keyboard[1][0]["text"] == 'Berhenti pantau: "Korea Utara"'
    assert keyboard[1][0]["callback_data"] == "mute:1"
    assert alert.text.endswith('🔎 "Korea Utara"')
    assert alert.params["parse_mode"] == "HTML"
    assert telegram.rejected == []
    assert bot.stop() == 0

    restarted = start_bot(env, tmp_path / "bot.log")
    second = {
        **OLD_STORY,
        "title": "Korea Utara kirim delegasi ke Moskow",
        "link": feeds.url("/tidak-ada"),
    }
    feeds.wait_requests("/rss", feeds.count("/rss") + 2)
    feeds.serve("/rss", Page(rss([second, story, SOUTH_ONLY_STORY, OLD_STORY])))
    telegram.wait_for(lambda: len(_alerts(telegram, CHAT)) >= 2)
    feeds.wait_requests("/rss", feeds.count("/rss") + 3)

    titles = [m.text.split("\n")[0] for m in _alerts(telegram, CHAT)]
    assert titles == [SEED_STORY["title"], second["title"]], "a restart must not repeat an alert"
    fallback = _alerts(telegram, CHAT)[1]
    assert "Korea Utara kembali meluncurkan" in fallback.text, "a missing page: the feed's text"

    telegram.send_callback(CHAT, "mute:1", alert.message_id)
    muted = telegram.wait_for(
        lambda: [m for m in telegram.messages_to(CHAT) if "dibisukan" in m.text]
    )
    assert muted[0].text.startswith("🔕 Pantauan #1 dibisukan")
    assert telegram.answers[-1] == "Pantauan #1 dibisukan"
    telegram.send_command(CHAT, "/list")
    listing = telegram.wait_for(
        lambda: [m for m in telegram.messages_to(CHAT) if "(dibisukan)" in m.text]
    )[0]
    [row] = listing.params["reply_markup"]["inline_keyboard"]
    assert row[0] == {"text": "🔔 Aktifkan lagi #1", "callback_data": "unmute:1"}
    telegram.send_callback(OUTSIDER, "unmute:1", 1)
    telegram.wait_for(lambda: "Tombol ini sudah tidak berlaku." in telegram.answers)
    third = {**OLD_STORY, "title": "Korea Utara lagi", "link": feeds.url("/tidak-ada-2")}
    feeds.serve("/rss", Page(rss([third, second, story])))
    feeds.wait_requests("/rss", feeds.count("/rss") + 3)
    assert len(_alerts(telegram, CHAT)) == 2, "a muted watch sends nothing"
    assert restarted.stop() == 0
    assert TOKEN not in bot.log(), "the bot token leaked into the logs"
    assert TOKEN.split(":")[1] not in bot.log()


def test_pause_then_resume_with_the_missed_alerts_as_a_digest(tmp_path, telegram, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")
    chat = 5101

    def said(fragment):
        return telegram.wait_for(
            lambda: [m for m in telegram.messages_to(chat) if fragment in m.text]
        )[0]

    telegram.send_command(chat, "/watch Korea Utara")
    said("Dipantau")
    telegram.send_command(chat, "/pause")
    said("dihentikan sementara")
    feeds.wait_requests("/rss", 2)
    missed = {
        **OLD_STORY,
        "title": "Korea Utara uji coba rudal baru",
        "link": feeds.url("/tidak-ada"),
    }
    feeds.serve("/rss", Page(rss([missed, OLD_STORY])))
    feeds.wait_requests("/rss", feeds.count("/rss") + 3)
    assert not [m for m in telegram.messages_to(chat) if m.text.startswith("Korea Utara uji")]

    telegram.send_command(chat, "/resume")
    question = said("Ada 1 peringatan selama jeda")
    assert (
        question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "resume:digest"
    )
    telegram.send_callback(chat, "resume:digest", question.message_id)
    said("menyusul sebagai ringkasan")
    digest = said("Ringkasan")
    assert "Korea Utara uji coba rudal baru" in digest.text and '🔎 "Korea Utara"' in digest.text
    assert bot.stop() == 0
    assert telegram.rejected == []


def test_a_command_flood_gets_one_warning_then_silence(tmp_path, telegram, feeds):
    config = write_config(tmp_path, [], commands_per_minute=5)
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")
    for _ in range(9):
        telegram.send_command(5201, "/help")
    telegram.send_command(5202, "/help")
    telegram.wait_for(lambda: telegram.messages_to(5202))
    telegram.wait_for(lambda: len(telegram.messages_to(5201)) >= 6)
    telegram.send_command(5202, "/start")
    telegram.wait_for(lambda: len(telegram.messages_to(5202)) == 2)
    texts = [m.text for m in telegram.messages_to(5201)]
    assert texts.count("Terlalu banyak perintah. Tunggu sebentar, lalu coba lagi.") == 1
    assert len(texts) == 6, "five answers, one warning, then nothing"
    for _ in range(9):  # editing a command is a command too
        telegram.send_command(5203, "/help", edited=True)
    telegram.send_command(5202, "/help")
    telegram.wait_for(lambda: len(telegram.messages_to(5202)) == 3)
    edited = [m.text for m in telegram.messages_to(5203)]
    assert len(edited) == 6 and edited.count(texts[-1]) == 1
    assert bot.stop() == 0


def test_a_watch_made_in_a_forum_topic_alerts_in_that_topic(tmp_path, telegram, feeds):
    forum, topic, admin = -1007, 77, 71
    telegram.chat_admins[forum] = {admin}
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")
    telegram.send_command(
        forum, "/watch Korea Utara", chat_type="supergroup", user_id=admin, topic=topic
    )
    telegram.wait_for(lambda: telegram.messages_to(forum))
    feeds.wait_requests("/rss", 2)
    item = {**OLD_STORY, "title": "Korea Utara di forum", "link": feeds.url("/tidak-ada")}
    feeds.serve("/rss", Page(rss([item, OLD_STORY])))
    [alert] = telegram.wait_for(
        lambda: [
            m for m in telegram.messages_to(forum) if m.text.startswith("Korea Utara di forum")
        ]
    )
    assert alert.params["message_thread_id"] == str(topic)
    assert bot.stop() == 0


def test_allowlist_mode(tmp_path, telegram, feeds):
    from tests.conftest import ADMIN

    config = write_config(tmp_path, [], extra='access = "allowlist"\nallowed_users = [5301]\n')
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")

    def answer(chat, command):
        before = len(telegram.messages_to(chat))
        telegram.send_command(chat, command)
        return telegram.wait_for(lambda: telegram.messages_to(chat)[before:])[0].text

    assert answer(5302, "/watch Rusia").startswith("Bot ini hanya untuk pengguna terdaftar")
    assert answer(5301, "/watch Rusia").startswith("✅ Dipantau")
    assert answer(ADMIN, "/allow 5302") == "✅ Pengguna 5302 boleh memakai bot."
    assert answer(5302, "/watch Rusia").startswith("✅ Dipantau")
    assert bot.stop() == 0


def test_alerts_go_to_a_linked_channel(tmp_path, telegram, feeds):
    chat, channel = 5401, -100777
    telegram.channels["@redaksi_alerts"] = (channel, True)
    telegram.channels["@kanal_lain"] = (-100888, False)
    telegram.chat_admins[channel] = {chat}
    telegram.chat_admins[-100888] = {chat}
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")

    def answer(command):
        before = len(telegram.messages_to(chat))
        telegram.send_command(chat, command)
        return telegram.wait_for(lambda: telegram.messages_to(chat)[before:])[0].text

    assert "tidak ditemukan" in answer("/channel @tidak_ada")
    assert "belum bisa mengirim ke @kanal_lain" in answer("/channel @kanal_lain")
    assert (
        answer("/channel @redaksi_alerts")
        == "✅ Peringatan obrolan ini kini dikirim ke @redaksi_alerts."
    )
    answer("/watch Korea Utara")
    feeds.wait_requests("/rss", 2)
    item = {**OLD_STORY, "title": "Korea Utara ke kanal", "link": feeds.url("/tidak-ada")}
    feeds.serve("/rss", Page(rss([item, OLD_STORY])))
    telegram.wait_for(
        lambda: [
            m for m in telegram.messages_to(channel) if m.text.startswith("Korea Utara ke kanal")
        ]
    )
    assert not [m for m in telegram.messages_to(chat) if m.text.startswith("Korea Utara ke kanal")]
    assert bot.stop() == 0


def test_health_and_metrics(tmp_path, telegram, feeds):
    import json
    import urllib.request

    from tests.conftest import free_port

    port = free_port()
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(
        {**bot_env(tmp_path, telegram, config), "PANTAU_HEALTH_PORT": str(port)},
        tmp_path / "bot.log",
    )
    feeds.wait_requests("/rss", 2)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        assert answer.status == 200 and json.loads(answer.read()) == {"ok": True, "problems": []}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        metrics = answer.read().decode()
    assert (
        'pantau_polls_total{outcome="ok"}' in metrics
        and "pantau_articles_stored_total 1.0" in metrics
    )
    assert "pantau_outbox_pending 0.0" in metrics and "pantau_outbox_oldest_seconds 0.0" in metrics
    assert "pantau_matches_total 0.0" in metrics and "pantau_telegram_429_total 0.0" in metrics
    assert "pantau_article_backlog 0.0" in metrics
    assert bot.stop() == 0


def test_console_mode_prints_alerts_without_telegram(tmp_path, feeds):
    from tests.conftest import start_console, write_config

    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    console = start_console(tmp_path, config, "--watch", "Korea Utara")
    try:
        feeds.wait_requests("/rss", 2)
        item = {**OLD_STORY, "title": "Korea Utara di konsol", "link": feeds.url("/tidak-ada")}
        feeds.serve("/rss", Page(rss([item, OLD_STORY])))
        feeds.wait_requests("/rss", feeds.count("/rss") + 3)
    finally:
        printed = console.stop()
    assert 'watching #1: "Korea Utara"' in printed
    assert "Korea Utara di konsol" in printed and "<b>" not in printed
    assert printed.count("Korea Utara di konsol") == 1


def test_json_logs_never_show_the_token(tmp_path, telegram, feeds):
    import json

    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    env = {**bot_env(tmp_path, telegram, config), "PANTAU_LOG_FORMAT": "json"}
    bot = start_bot(env, tmp_path / "bot.log")
    feeds.wait_requests("/rss", 2)
    assert bot.stop() == 0
    lines = [line for line in bot.log().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert entries and {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(e["logger"] == "bot.pipeline" for e in entries)
    assert TOKEN not in bot.log() and TOKEN.split(":")[1] not in bot.log()
