"""Keeping data safe while the bot works: SIGTERM in the middle of a burst of alerts (the message
in flight finishes, the bot exits 0 within `stop_timeout`, and after a restart every alert has
arrived exactly once), and `pantau backup` of the live database during that burst."""

from __future__ import annotations

import collections
import signal
import sqlite3
from contextlib import closing

from tests.conftest import run_cli, start_bot, start_watching
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

CHATS = range(7001, 7021)
TITLE = "Korea Utara luncurkan rudal balistik"
STOP_TIMEOUT = 'stop_timeout = "1s"\n'


def alerts(telegram):
    return [m.chat_id for m in telegram.sent if m.text.startswith(TITLE)]


def publish(feeds):
    item = {
        "title": TITLE,
        "link": feeds.url("/tidak-ada/1"),
        "description": "Rudal jatuh di Laut Jepang, kata militer Korea Selatan.",
    }
    feeds.serve("/rss", Page(rss([item, OLD_STORY])))


def test_sigterm_mid_burst_finishes_the_send_in_flight_and_loses_nothing(tmp_path, telegram, feeds):
    env, bot = start_watching(tmp_path, telegram, feeds, CHATS, STOP_TIMEOUT)
    telegram.slow("sendMessage", 0.25)
    publish(feeds)
    telegram.wait_for(lambda: len(alerts(telegram)) >= 4)

    before_stop = len(alerts(telegram))
    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.wait(timeout=20) == 0
    at_stop = len(alerts(telegram))
    # The send in flight at the signal, and at most one finishing as it was sent: no more.
    assert at_stop <= before_stop + 2, "the stop waited for more than the send in flight"
    assert at_stop < len(CHATS), "the stop came too late to test anything"
    assert "alerts queued for the next start" in bot.log()
    assert "Traceback" not in bot.log()

    telegram.slow("sendMessage", 0)
    restarted = start_bot(env, tmp_path / "bot.log")
    telegram.wait_for(lambda: set(alerts(telegram)) == set(CHATS), timeout=30)
    assert restarted.stop() == 0
    counts = collections.Counter(alerts(telegram))
    assert set(counts) == set(CHATS)
    assert max(counts.values()) == 1, "a graceful stop sends no alert twice"


def test_a_send_hanging_past_stop_timeout_is_cancelled_and_sent_after_restart(
    tmp_path, telegram, feeds
):
    env, bot = start_watching(tmp_path, telegram, feeds, [7101], STOP_TIMEOUT)
    telegram.hang_next("sendMessage")
    sends_before = telegram.calls.count("sendMessage")
    publish(feeds)
    telegram.wait_for(lambda: telegram.calls.count("sendMessage") > sends_before)

    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.wait(timeout=20) == 0, "the hanging send held up the stop"
    assert "delivery stopped mid-send after 1 s" in bot.log(), "stop_timeout (1s) was not kept"
    assert "Traceback" not in bot.log()
    assert alerts(telegram) == []

    restarted = start_bot(env, tmp_path / "bot.log")
    telegram.wait_for(lambda: alerts(telegram) == [7101], timeout=30)
    assert restarted.stop() == 0


def test_backup_during_a_burst_is_a_consistent_copy(tmp_path, telegram, feeds):
    env, bot = start_watching(tmp_path, telegram, feeds, CHATS)
    # Slow enough that the burst outlasts `pantau backup` (a new process) on a loaded machine.
    telegram.slow("sendMessage", 0.5)
    publish(feeds)
    telegram.wait_for(lambda: len(alerts(telegram)) >= 2)
    copy = tmp_path / "backup" / "pantau.db"
    result = run_cli("backup", str(copy), env=env)
    assert result.returncode == 0, result.stderr
    assert len(alerts(telegram)) < len(CHATS), "the backup should run mid-burst"
    telegram.slow("sendMessage", 0)
    assert bot.stop() == 0

    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        watches = db.execute("SELECT count(*) FROM watches").fetchone()[0]
        states = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
    assert watches == len(CHATS)
    assert sum(states.values()) == len(CHATS) and states.get("pending", 0) > 0, states
