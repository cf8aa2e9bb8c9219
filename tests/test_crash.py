"""SIGKILL in the middle of a burst of alerts: after a restart nothing is lost, and at most the
one message in flight at the kill arrives twice."""

from __future__ import annotations

import collections
import signal

from tests.conftest import start_bot, start_watching
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

CHATS = range(6001, 6041)
STORIES = [
    (
        "Korea Utara luncurkan rudal balistik",
        "Rudal jatuh di Laut Jepang, kata militer Korea Selatan.",
    ),
    (
        "Korea Utara gelar parade militer",
        "Parade besar di Pyongyang memamerkan tank dan drone baru.",
    ),
    (
        "Korea Utara kirim delegasi dagang ke Jakarta",
        "Delegasi membahas ekspor kopi dan impor batu bara.",
    ),
]


def alerts(telegram):
    return [
        (m.chat_id, m.text.split("\n")[0])
        for m in telegram.sent
        if m.text.startswith("Korea Utara")
    ]


def test_no_alert_is_lost_or_repeated_across_a_sigkill(tmp_path, telegram, feeds):
    env, bot = start_watching(tmp_path, telegram, feeds, CHATS)

    items = [
        {"title": title, "link": feeds.url(f"/tidak-ada/{n}"), "description": text}
        for n, (title, text) in enumerate(STORIES)
    ]
    feeds.serve("/rss", Page(rss([*items, OLD_STORY])))
    telegram.wait_for(lambda: len(alerts(telegram)) >= 25)
    bot.process.send_signal(signal.SIGKILL)
    bot.process.wait(timeout=10)
    at_kill = len(alerts(telegram))
    assert at_kill < len(CHATS) * len(STORIES), "the kill came too late to test anything"

    restarted = start_bot(env, tmp_path / "bot.log")
    expected = {(chat, title) for chat in CHATS for title, _ in STORIES}
    telegram.wait_for(lambda: expected <= set(alerts(telegram)), timeout=30)
    feeds.wait_requests("/rss", feeds.count("/rss") + 2)
    assert restarted.stop() == 0

    counts = collections.Counter(alerts(telegram))
    assert set(counts) == expected, "nothing lost, nothing unexpected"
    repeated = sum(count - 1 for count in counts.values())
    assert repeated <= 1, f"{repeated} alerts arrived twice (at most the one in flight may)"
