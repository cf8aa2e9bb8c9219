"""The whole path through the real `pantau run`: a watch, a feed item, an alert, a restart."""

from __future__ import annotations

from tests.conftest import TOKEN, bot_env, start_bot, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SEED_STORY, SOUTH_ONLY_STORY, rss

CHAT = 5001


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

    feeds.serve("/rss", Page(rss([SEED_STORY, SOUTH_ONLY_STORY, OLD_STORY])))
    alerts = telegram.wait_for(lambda: _alerts(telegram, CHAT))
    polled = feeds.count("/rss")
    feeds.wait_requests("/rss", polled + 3)

    assert len(_alerts(telegram, CHAT)) == 1, (
        "the old story (first poll) and Korea Selatan must not alert"
    )
    alert = alerts[0]
    assert alert.text.startswith(SEED_STORY["title"])
    assert f'<a href="{SEED_STORY["link"]}">' in alert.html.replace("&amp;", "&")
    assert "Zona Surabaya Raya · 13 Sep 2023 14:30 WIB" in alert.text
    assert "Pertemuan antara Presiden Korea Utara Kim Jong Un" in alert.text
    assert alert.text.endswith('🔎 "Korea Utara"')
    assert alert.params["parse_mode"] == "HTML"
    assert telegram.rejected == []
    assert bot.stop() == 0

    restarted = start_bot(env, tmp_path / "bot.log")
    second = {
        **OLD_STORY,
        "title": "Korea Utara kirim delegasi ke Moskow",
        "link": "https://news.example.id/delegasi",
    }
    feeds.wait_requests("/rss", feeds.count("/rss") + 2)
    feeds.serve("/rss", Page(rss([second, SEED_STORY, SOUTH_ONLY_STORY, OLD_STORY])))
    telegram.wait_for(lambda: len(_alerts(telegram, CHAT)) >= 2)
    feeds.wait_requests("/rss", feeds.count("/rss") + 3)
    assert restarted.stop() == 0

    titles = [m.text.split("\n")[0] for m in _alerts(telegram, CHAT)]
    assert titles == [SEED_STORY["title"], second["title"]], "a restart must not repeat an alert"
    assert TOKEN not in bot.log(), "the bot token leaked into the logs"
    assert TOKEN.split(":")[1] not in bot.log()
