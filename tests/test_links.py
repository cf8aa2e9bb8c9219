"""Only http(s) links reach a user: a feed's `javascript:` and `data:` links, end to end through
the real `pantau run`, a local feed and the fake Bot API; and rows stored before links were
checked, in /search and the /list preview."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

from bot.models import Article
from bot.store import Store
from tests.conftest import start_watching
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

CHAT = 6001
HOSTILE = {
    "javascript:alert(document.cookie)": "Korea Utara luncurkan satelit mata-mata",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==": "Korea Utara tutup perbatasan",
}
GOOD = "Korea Utara kirim delegasi ke Moskow"


def test_javascript_and_data_links_never_reach_a_user(tmp_path, telegram, feeds):
    _, bot = start_watching(tmp_path, telegram, feeds, [CHAT])
    items = [{"title": title, "link": link} for link, title in HOSTILE.items()]
    items.append({"title": GOOD, "link": feeds.url("/berita/delegasi")})
    feeds.serve("/rss", Page(rss([*items, OLD_STORY])))
    telegram.wait_for(lambda: [m for m in telegram.sent if m.text.startswith(GOOD)])
    assert bot.stop() == 0

    alerts = [m for m in telegram.sent if m.chat_id == CHAT and m.text.startswith("Korea")]
    assert [m.text.split("\n")[0] for m in alerts] == [GOOD]
    assert telegram.rejected == []
    for message in telegram.sent:
        assert "javascript:" not in message.html and "data:" not in message.html
        rows = (message.params.get("reply_markup") or {}).get("inline_keyboard", [])
        urls = [button["url"] for row in rows for button in row if "url" in button]
        assert all(url.startswith(("http://", "https://")) for url in urls), urls
    with closing(sqlite3.connect(tmp_path / "data" / "pantau.db")) as db:
        titles = {title for (title,) in db.execute("SELECT title FROM articles")}
        states = db.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
    assert GOOD in titles and not titles & set(HOSTILE.values()), "dropped where links enter"
    assert states == [("sent", 1)]


def test_search_and_preview_link_only_http_links_of_old_rows(tmp_path, telegram, feeds):
    _, bot = start_watching(tmp_path, telegram, feeds, [CHAT])
    now = datetime.now(UTC)
    old_rows = [
        Article("lama-kosong", "", "Korea Utara gelar parade lama", "", now),
        Article("lama-skrip", "javascript:alert(1)", "Korea Utara uji rudal lama", "", now),
    ]
    with closing(Store.open(tmp_path / "data" / "pantau.db")) as store:
        [source] = store.list_sources()
        store.save_articles(source, old_rows, now)  # kept before links were checked

    def next_reply(send):
        before = len(telegram.messages_to(CHAT))
        send()
        return telegram.wait_for(lambda: telegram.messages_to(CHAT)[before:])[0]

    found = next_reply(lambda: telegram.send_command(CHAT, "/search lama"))
    listed = next_reply(lambda: telegram.send_command(CHAT, "/list"))
    [[_, _, preview_button]] = listed.params["reply_markup"]["inline_keyboard"]
    preview = next_reply(
        lambda: telegram.send_callback(CHAT, preview_button["callback_data"], listed.message_id)
    )
    assert bot.stop() == 0
    for reply in (found, preview):
        assert "parade lama" in reply.text and "rudal lama" in reply.text, reply.text
        assert "javascript:" not in reply.html and 'href=""' not in reply.html, reply.html
    assert telegram.rejected == []
