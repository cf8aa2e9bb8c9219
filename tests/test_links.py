"""Only http(s) links reach a user: a feed's `javascript:` and `data:` links, end to end through
the real `pantau run`, a local feed and the fake Bot API."""

from __future__ import annotations

import sqlite3
from contextlib import closing

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
