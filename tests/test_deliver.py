"""Delivery against the fake Bot API: Telegram errors never drop an alert silently."""

from __future__ import annotations

import asyncio
import collections
import itertools
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from bot.deliver import MAX_ATTEMPTS, MAX_RETRY_DELAY, Deliverer
from bot.models import Article, Planned
from bot.sources import SourceSpec
from bot.store import Store
from bot.telegram.sender import TelegramSender
from tests.conftest import TOKEN
from tests.fake_telegram import utf16_length

NOW = datetime.now(UTC)


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    source = opened.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    articles = [
        Article(f"k{i}", f"https://x.id/{i}", f"Berita {i}", "Ringkas.", NOW) for i in range(3)
    ]
    stored = opened.save_articles(source, articles, NOW)
    for chat in (1, 2, 3):
        opened.ensure_chat(chat, "private", "id", "Analis", NOW)
    planned = [
        Planned(chat, stored[chat - 1].key, (chat,), ("Rusia",), ("Rusia",), "")
        for chat in (1, 2, 3)
    ]
    opened.enqueue(planned, stored, NOW)
    yield opened
    opened.close()


def drain_until(telegram, store, condition, timeout=10.0):
    """Drain repeatedly, as the service's job does, until condition() holds."""

    async def run():
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            deliverer = Deliverer(store, TelegramSender(bot), ZoneInfo("Asia/Jakarta"))
            deadline = time.monotonic() + timeout
            while not await store.run(condition):
                assert time.monotonic() < deadline, "delivery did not settle"
                await deliverer.drain()
                await asyncio.sleep(0.05)

    asyncio.run(run())


def test_all_sent_once(telegram, store):
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    assert sorted(m.chat_id for m in telegram.sent) == [1, 2, 3]
    drain_until(telegram, store, lambda: True)
    assert len(telegram.sent) == 3


def test_blocked_chat_is_deactivated_and_others_still_get_alerts(telegram, store):
    telegram.blocked.add(2)
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 2)
    assert sorted(m.chat_id for m in telegram.sent) == [1, 3]
    assert store.count_deliveries("failed") == 1
    assert [w for w in store.active_watches() if w.chat_id == 2] == []
    assert store.db["chats"].get(2)["active"] == 0


def test_rate_limit_defers_and_then_sends(telegram, store):
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    assert time.monotonic() - started >= 1.0, "the retry_after pause was not honoured"
    assert sorted(m.chat_id for m in telegram.sent) == [1, 2, 3]


def test_bad_request_fails_one_and_the_queue_goes_on(telegram, store):
    telegram.fail_next("sendMessage", 400, "Bad Request: message is too long")
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 2)
    assert store.count_deliveries("failed") == 1
    failed = next(store.db.query("SELECT * FROM deliveries WHERE status = 'failed'"))
    assert "message is too long" in failed["last_error"].lower()
    assert store.db.execute("SELECT count(*) FROM chats WHERE active = 1").fetchone()[0] == 3


def test_stats_count_the_outbox_and_the_sources(telegram, store):
    store.add_source(SourceSpec("Rusak", "https://x.id/rusak", 60), NOW)
    store.add_source(SourceSpec("Jeda", "https://x.id/jeda", 60), NOW)
    store.record_poll_failure(2, NOW, NOW, "HTTP 500")
    store.set_source_active(3, False, NOW)
    before = store.stats(NOW - timedelta(hours=1))
    assert (before.queued, before.alerts_sent_today, before.alerts_failed_today) == (3, 0, 0)
    assert (before.sources_active, before.sources_failing, before.sources_paused) == (1, 1, 1)
    assert before.articles_today == 3 and before.database_bytes > 0
    assert abs(store.oldest_pending() - NOW) < timedelta(milliseconds=1)

    telegram.fail_next("sendMessage", 400, "Bad Request: chat not found")
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 2)
    after = store.stats(NOW - timedelta(hours=1))
    assert (after.queued, after.alerts_sent_today, after.alerts_failed_today) == (0, 2, 1)
    assert store.oldest_pending() is None
    assert store.stats(datetime.now(UTC) + timedelta(hours=1)).alerts_sent_today == 0


def test_a_dropped_connection_is_retried_and_nothing_is_lost(telegram, store):
    telegram.drop_next("sendMessage")
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    assert sorted(m.chat_id for m in telegram.sent) == [1, 2, 3]


def test_server_error_is_retried(telegram, store):
    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    assert store.count_deliveries("failed") == 0


def test_a_sent_alert_is_edited_when_another_outlet_reports_the_story(telegram, store):
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    assert store.due_edits() == []
    source = store.add_source(SourceSpec("Kompas", "https://kompas.example.id/rss", 60), NOW)
    [copy] = store.save_articles(
        source, [Article("k-copy", "https://kompas.example.id/1", "Salinan", "x", NOW)], NOW
    )
    [sent] = [m for m in telegram.sent if m.chat_id == 1]
    delivery_id = next(iter(store.db.query("SELECT id FROM deliveries WHERE chat_id = 1")))["id"]
    store.enqueue(
        [Planned(1, copy.key, (1,), ("Rusia",), ("Rusia",), "", duplicate_of=delivery_id)],
        [copy],
        NOW,
    )
    assert len(store.due_edits()) == 1
    drain_until(telegram, store, lambda: not store.due_edits())
    [edited] = [m for m in telegram.edits if m.chat_id == 1]
    assert edited.message_id == sent.message_id
    assert "Juga diberitakan oleh: Kompas" in edited.text
    assert '<a href="https://kompas.example.id/1">Kompas</a>' in edited.html
    assert len([m for m in telegram.sent if m.chat_id == 1]) == 1, "edited, not sent again"


def test_link_previews_follow_the_chat_setting(telegram, store):
    store.set_previews(2, True)
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    previews = {m.chat_id: m.params["link_preview_options"]["is_disabled"] for m in telegram.sent}
    assert previews == {1: True, 2: False, 3: True}


def test_limits_are_kept_so_telegram_never_says_too_many(telegram, tmp_path):
    telegram.enforce_limits = True
    busy = Store.open(tmp_path / "busy.db")
    source = busy.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    articles = busy.save_articles(
        source,
        [Article(f"b{i}", f"https://x.id/b{i}", f"Berita {i}", "", NOW) for i in range(4)],
        NOW,
    )
    chats = [11, 12, 13, -2001]
    for chat in chats:
        busy.ensure_chat(chat, "private" if chat > 0 else "group", "id", "", NOW)
    planned = [Planned(chat, a.key, (), ("Rusia",), (), "") for chat in chats for a in articles]
    assert busy.enqueue(planned, articles, NOW) == 16
    drain_until(telegram, busy, lambda: busy.count_deliveries("sent") == 16, timeout=15)
    assert telegram.too_many == 0
    for chat in (11, 12, 13):
        times = telegram._send_times[chat]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= 0.99, "one a second per private chat"
    busy.close()


def test_a_group_that_became_a_supergroup_keeps_its_alerts(telegram, store):
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    store.ensure_chat(-5, "group", "id", "Redaksi", NOW)
    store.add_watch(-5, "Rusia", "Rusia", NOW)
    source = store.add_source(SourceSpec("Lain", "https://y.id/rss", 60), NOW)
    [article] = store.save_articles(
        source, [Article("g1", "https://y.id/1", "Rusia", "", NOW)], NOW
    )
    store.enqueue([Planned(-5, "g1", (), ("Rusia",), (), "")], [article], NOW)
    telegram.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1005,
    )
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 4)
    assert [m.chat_id for m in telegram.sent if m.text.startswith("Rusia")] == [-1005]
    assert [w.chat_id for w in store.active_watches() if w.query == "Rusia"] == [-1005]


class Clock:
    """A settable "now" for the deliverer."""

    def __init__(self, moment):
        self.now = moment

    def __call__(self):
        return self.now


def wib(hour, minute=0, day=27):
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)


def drain_at(telegram, store, clock, storm_limit=30):
    async def run():
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            deliverer = Deliverer(
                store,
                TelegramSender(bot),
                ZoneInfo("Asia/Jakarta"),
                storm_limit=storm_limit,
                clock=clock,
            )
            return await deliverer.drain(budget=3)

    return asyncio.run(run())


@pytest.fixture
def queued(tmp_path):
    """Chat 21 with three alerts queued at 10:05 WIB."""
    opened = Store.open(tmp_path / "digest.db")
    source = opened.add_source(SourceSpec("ANTARA", "https://x.id/rss", 60), wib(10, 5))
    articles = opened.save_articles(
        source,
        [Article(f"d{i}", f"https://x.id/d{i}", f"Kabar {i}", "", wib(10, i)) for i in range(3)],
        wib(10, 5),
    )
    opened.ensure_chat(21, "private", "id", "", wib(10, 5))
    opened.enqueue(
        [Planned(21, a.key, (), ("Putin",), (), "") for a in articles], articles, wib(10, 5)
    )
    yield opened
    opened.close()


def test_hourly_digest_holds_then_sends_one_message(telegram, queued):
    queued.set_digest(21, "hourly", "07:00")
    clock = Clock(wib(10, 6))
    assert drain_at(telegram, queued, clock) == 0 and telegram.sent == []
    clock.now = wib(10, 59)
    assert drain_at(telegram, queued, clock) == 0
    clock.now = wib(11, 0)
    assert drain_at(telegram, queued, clock) == 3
    [digest] = telegram.sent
    assert (
        digest.text.startswith("🗞 Ringkasan · 3 berita")
        and "Kabar 0" in digest.text
        and "Kabar 2" in digest.text
    )
    assert queued.count_deliveries("sent") == 3
    assert drain_at(telegram, queued, clock) == 0 and len(telegram.sent) == 1


def test_quiet_hours_across_midnight_then_one_digest(telegram, queued):
    queued.set_quiet(21, "22:00-06:00")
    clock = Clock(wib(23, 30))
    assert drain_at(telegram, queued, clock) == 0 and telegram.sent == []
    clock.now = wib(5, 59, day=28)
    assert drain_at(telegram, queued, clock) == 0
    clock.now = wib(6, 0, day=28)
    assert drain_at(telegram, queued, clock) == 3 and len(telegram.sent) == 1


def test_an_alert_storm_goes_into_the_next_digest(telegram, queued):
    clock = Clock(wib(10, 6))
    assert drain_at(telegram, queued, clock, storm_limit=2) == 2
    alone = {m.text.split("\n")[0] for m in telegram.sent}
    assert len(alone) == 2
    clock.now = wib(11, 0)
    assert drain_at(telegram, queued, clock, storm_limit=2) == 1
    [rest] = {"Kabar 0", "Kabar 1", "Kabar 2"} - alone
    digest = telegram.sent[-1].text
    assert "Terlalu banyak peringatan" in digest and rest in digest


def test_paused_chats_get_nothing_and_choose_on_resume(telegram, queued):
    queued.set_paused(21, True)
    clock = Clock(wib(10, 6))
    assert drain_at(telegram, queued, clock) == 0 and telegram.sent == []
    assert queued.count_missed(21) == 3
    assert queued.resume(21, missed_as_digest=True) == 3
    assert drain_at(telegram, queued, clock) == 3
    assert telegram.sent[0].text.startswith("🗞 Ringkasan · 3 berita")


def test_resume_can_drop_the_missed_alerts(telegram, queued):
    queued.set_paused(21, True)
    assert queued.resume(21, missed_as_digest=False) == 3
    assert drain_at(telegram, queued, Clock(wib(10, 6))) == 0 and telegram.sent == []
    assert queued.count_deliveries("dropped") == 3


JAKARTA = ZoneInfo("Asia/Jakarta")


def outbox_of(path, chats, titles, *, at=NOW, thread=None):
    """A store with one alert per title queued at `at` for each chat (groups when negative)."""
    opened = Store.open(path)
    source = opened.add_source(SourceSpec("ANTARA", "https://x.id/rss", 60), at)
    articles = opened.save_articles(
        source,
        [Article(f"t{n}", f"https://x.id/t{n}", title, "", at) for n, title in enumerate(titles)],
        at,
    )
    for chat in chats:
        opened.ensure_chat(chat, "private" if chat > 0 else "supergroup", "id", "", at)
    planned = [
        Planned(chat, a.key, (), ("Putin",), (), "", thread_id=thread)
        for chat in chats
        for a in articles
    ]
    opened.enqueue(planned, articles, at)
    return opened


def drain_rounds(telegram, store, condition, *, clock=None, budget=1.0, timeout=20, extra=0):
    """Drain with one deliverer until condition() holds, then `extra` more drains."""

    async def run():
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            options = {"clock": clock} if clock else {}
            deliverer = Deliverer(store, TelegramSender(bot), JAKARTA, **options)
            deadline = time.monotonic() + timeout
            while not await store.run(condition):
                assert time.monotonic() < deadline, "delivery did not settle"
                await deliverer.drain(budget)
                await asyncio.sleep(0.02)
            for _ in range(extra):
                await deliverer.drain(budget)

    asyncio.run(run())


def statuses(store, table="deliveries"):
    return collections.Counter(r[0] for r in store.db.execute(f"SELECT status FROM {table}"))


def test_a_vanished_forum_topic_sends_to_the_chat(telegram, tmp_path):
    forum = -1007
    store = outbox_of(tmp_path / "t.db", [forum], ["Rusia dan Korea"], thread=77)
    store.add_watch(forum, "Rusia", "Rusia", NOW, thread_id=77)
    telegram.topics[forum] = {1}
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 1)
    [alert] = telegram.messages_to(forum)
    assert "message_thread_id" not in alert.params, "sent to the chat's general topic"
    assert [w.thread_id for w in store.list_watches(forum)] == [None], "later alerts too"


def test_a_deleted_linked_channel_sends_to_the_chat_and_says_so(telegram, store):
    store.set_channel(1, -100555, "@hilang")
    telegram.deleted_chats.add(-100555)
    drain_until(
        telegram,
        store,
        lambda: store.count_deliveries("sent") == 3 and store.message_status(1) == "sent",
    )
    [alert, notice] = telegram.messages_to(1)
    assert alert.text.startswith("Berita "), "the alert came to the chat"
    assert "@hilang" in notice.text and "Chat not found" in notice.text
    assert "/channel" in notice.text
    assert store.channel_name(1) is None and store.db["chats"].get(1)["channel_id"] is None


def test_a_chat_that_no_longer_exists_stops_without_retrying(telegram, store):
    telegram.deleted_chats.add(2)
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 2)
    assert store.count_deliveries("failed") == 1
    assert store.db["chats"].get(2)["active"] == 0
    failed = next(store.db.query("SELECT last_error FROM deliveries WHERE chat_id = 2"))
    assert "chat not found" in failed["last_error"].lower()


def test_a_poisoned_delivery_does_not_block_the_others(telegram, store):
    store.db.execute("UPDATE deliveries SET watches = '{broken' WHERE chat_id = 2")
    store.db.execute("UPDATE chats SET digest_at = 'nonsense' WHERE id = 3")
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 1)
    assert [m.chat_id for m in telegram.sent] == [1]
    rows = {r["chat_id"]: r for r in store.db.query("SELECT * FROM deliveries")}
    assert rows[2]["status"] == "failed" and rows[2]["last_error"].startswith("unreadable")
    assert rows[3]["status"] == "pending" and "internal error" in rows[3]["last_error"]
    assert rows[3]["attempts"] == 1 and rows[3]["not_before"] > NOW.timestamp()


def test_transient_failures_back_off_then_give_up(telegram, tmp_path):
    store = outbox_of(tmp_path / "t.db", [31], ["Berita"])
    clock = Clock(datetime.now(UTC))
    waits = []
    for _ in range(MAX_ATTEMPTS):
        telegram.fail_next("sendMessage", 502, "Bad Gateway")
        drain_at(telegram, store, clock)
        row = next(store.db.query("SELECT * FROM deliveries"))
        waits.append(round(row["not_before"] - clock.now.timestamp()))
        clock.now += timedelta(seconds=MAX_RETRY_DELAY + 1)
    assert waits[:4] == [1, 2, 4, 8] and max(waits) <= MAX_RETRY_DELAY
    assert row["status"] == "failed" and f"gave up after {MAX_ATTEMPTS}" in row["last_error"]
    assert telegram.calls.count("sendMessage") == MAX_ATTEMPTS
    drain_at(telegram, store, clock)
    assert telegram.calls.count("sendMessage") == MAX_ATTEMPTS and telegram.sent == []


def test_admin_notices_go_through_the_outbox(telegram, tmp_path):
    store = Store.open(tmp_path / "n.db")
    store.queue_notice([9001, 9002], "⚠️ Sumber #3 <b>Uji</b> gagal", NOW)
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    telegram.blocked.add(9002)
    drain_until(telegram, store, lambda: store.message_status(1) == "sent")
    [notice] = telegram.messages_to(9001)
    assert notice.text == "⚠️ Sumber #3 Uji gagal"
    assert telegram.calls.count("sendMessage") == 3, "the 429, the notice, the blocked admin"
    assert store.message_status(2) == "failed", "an admin who blocked the bot is not retried"


def test_an_edit_that_fails_is_tried_again(telegram, store):
    drain_until(telegram, store, lambda: store.count_deliveries("sent") == 3)
    source = store.add_source(SourceSpec("Kompas", "https://kompas.example.id/rss", 60), NOW)
    [copy] = store.save_articles(
        source, [Article("k-copy", "https://kompas.example.id/1", "Salinan", "x", NOW)], NOW
    )
    delivery_id = next(iter(store.db.query("SELECT id FROM deliveries WHERE chat_id = 1")))["id"]
    store.enqueue(
        [Planned(1, copy.key, (1,), ("Rusia",), ("Rusia",), "", duplicate_of=delivery_id)],
        [copy],
        NOW,
    )
    telegram.fail_next("editMessageText", 502, "Bad Gateway")
    drain_until(telegram, store, lambda: not store.due_edits(datetime.now(UTC) + timedelta(1)))
    assert telegram.calls.count("editMessageText") == 2
    assert "Kompas" in telegram.edits[-1].text


HOURLY = "hourly"


def held_group(path, titles, *, group=-21, thread=None):
    store = outbox_of(path, [group], titles, at=wib(10, 5), thread=thread)
    store.set_digest(group, HOURLY, "07:00")
    return store


def test_a_digest_of_emoji_headlines_fits_as_telegram_counts(telegram, tmp_path):
    titles = [f"{'🔥' * 60} Kabar {n} {'🚀' * 60}" for n in range(120)]
    store = held_group(tmp_path / "d.db", titles)
    clock = Clock(wib(10, 6))
    drain_at(telegram, store, clock)
    clock.now = wib(11, 0)
    drain_rounds(telegram, store, lambda: store.count_deliveries("sent") == 120, clock=clock)
    assert telegram.rejected == []
    parts = telegram.messages_to(-21)
    assert len(parts) > 1 and all(utf16_length(p.text) <= 4096 for p in parts)
    assert sum(p.text.count("Kabar ") for p in parts) == 120


def test_a_failing_digest_part_never_resends_the_parts_before_it(telegram, tmp_path):
    titles = [f"Kabar {n} " + "panjang " * 30 for n in range(60)]
    titles[45] = "TOLAK " + titles[45]
    telegram.refused["TOLAK"] = "Bad Request: message is too long"
    store = held_group(tmp_path / "d.db", titles)
    clock = Clock(wib(10, 6))
    drain_at(telegram, store, clock)
    clock.now = wib(11, 0)

    def settled():
        return statuses(store, "messages")["pending"] == 0 and statuses(store, "messages")

    drain_rounds(telegram, store, settled, clock=clock, extra=3)
    parts = statuses(store, "messages")
    assert parts["failed"] == 1 and parts["sent"] >= 2
    assert len(telegram.messages_to(-21)) == parts["sent"], "each part went once"
    assert len(telegram.rejected) == 1
    alerts = statuses(store)
    assert alerts["sent"] + alerts["failed"] == 60 and alerts["failed"] < 20
    failed = next(store.db.query("SELECT last_error FROM deliveries WHERE status = 'failed'"))
    assert "message is too long" in failed["last_error"].lower()


def test_a_restart_mid_digest_resends_nothing(telegram, tmp_path):
    titles = [f"Kabar {n} " + "panjang " * 30 for n in range(60)]
    store = outbox_of(tmp_path / "d.db", [41], titles, at=wib(10, 5))
    store.set_digest(41, HOURLY, "07:00")
    clock = Clock(wib(10, 6))
    drain_at(telegram, store, clock)
    clock.now = wib(11, 0)
    drain_rounds(telegram, store, lambda: statuses(store, "messages")["sent"] == 1, clock=clock)
    assert len(telegram.messages_to(41)) == 1, "a private chat gets one part a second"
    parts = store.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert parts >= 3
    drain_rounds(telegram, store, lambda: statuses(store)["sent"] == 60, clock=clock, timeout=30)
    assert len(telegram.messages_to(41)) == parts, "after the restart, the rest and no more"
    assert sum(m.text.count("• Kabar") for m in telegram.messages_to(41)) == 60


def test_a_long_digest_never_holds_other_chats(telegram, tmp_path):
    titles = [f"Kabar {n} " + "panjang " * 30 for n in range(60)]
    store = outbox_of(tmp_path / "d.db", [41, 42], titles, at=wib(10, 5))
    store.set_digest(41, HOURLY, "07:00")
    store.set_paused(42, True)
    clock = Clock(wib(10, 6))
    drain_at(telegram, store, clock)
    clock.now = wib(11, 0)
    drain_rounds(telegram, store, lambda: statuses(store, "messages")["sent"] == 1, clock=clock)
    store.resume(42, missed_as_digest=False)
    source = store.add_source(SourceSpec("Lain", "https://y.id/rss", 60), wib(11, 0))
    [extra] = store.save_articles(
        source, [Article("y1", "https://y.id/1", "Segera", "", wib(11))], wib(11)
    )
    store.enqueue([Planned(42, "y1", (), ("Putin",), (), "")], [extra], wib(11, 0))
    drain_rounds(telegram, store, lambda: statuses(store)["sent"] == 61, clock=clock, timeout=30)
    order = [m.chat_id for m in telegram.sent]
    last_part = len(order) - 1 - order[::-1].index(41)
    assert order.index(42) < last_part, "chat 42's alert went before 41's digest ended"


def digest_at_eleven(telegram, store, condition, **options):
    clock = Clock(wib(10, 6))
    drain_at(telegram, store, clock)
    clock.now = wib(11, 0)
    drain_rounds(telegram, store, condition, clock=clock, **options)


def test_a_digest_goes_to_the_forum_topic_of_its_alerts(telegram, tmp_path):
    store = held_group(tmp_path / "d.db", ["Kabar satu", "Kabar dua"], thread=77)
    telegram.topics[-21] = {77}
    digest_at_eleven(telegram, store, lambda: statuses(store)["sent"] == 2)
    [digest] = telegram.messages_to(-21)
    assert digest.params["message_thread_id"] == "77"


def test_a_digest_follows_its_group_to_the_supergroup(telegram, tmp_path):
    store = held_group(tmp_path / "d.db", ["Kabar satu", "Kabar dua"])
    telegram.migrated[-21] = -10021
    digest_at_eleven(telegram, store, lambda: statuses(store)["sent"] == 2)
    [digest] = telegram.messages_to(-10021)
    assert "Kabar satu" in digest.text and telegram.messages_to(-21) == []
    assert store.chat_settings(-10021)[1].digest == "hourly"


def test_a_digest_for_a_vanished_topic_goes_to_the_chat(telegram, tmp_path):
    store = held_group(tmp_path / "d.db", ["Kabar satu", "Kabar dua"], thread=77)
    telegram.topics[-21] = {1}
    digest_at_eleven(telegram, store, lambda: statuses(store)["sent"] == 2)
    [digest] = telegram.messages_to(-21)
    assert "message_thread_id" not in digest.params


def test_a_digest_for_a_vanished_chat_fails_once(telegram, tmp_path):
    store = held_group(tmp_path / "d.db", ["Kabar satu", "Kabar dua"])
    telegram.deleted_chats.add(-21)
    digest_at_eleven(telegram, store, lambda: statuses(store)["failed"] == 2, extra=3)
    assert telegram.calls.count("sendMessage") == 1, "tried once, never again"
    assert statuses(store, "messages") == {"failed": 1}
    assert store.db["chats"].get(-21)["active"] == 0


def test_a_channel_that_took_the_bots_rights_away_sends_to_the_chat(telegram, store):
    telegram.channels["@kanal_lama"] = (-100666, False)
    store.set_channel(2, -100666, "@kanal_lama")
    drain_until(
        telegram,
        store,
        lambda: store.count_deliveries("sent") == 3 and store.message_status(1) == "sent",
    )
    [alert, notice] = telegram.messages_to(2)
    assert alert.text.startswith("Berita ") and "need administrator rights" in notice.text.lower()
    assert telegram.messages_to(-100666) == []


def test_an_article_without_a_web_link_is_sent_without_an_open_button(telegram, tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    source = opened.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    stored = opened.save_articles(source, [Article("k", "", "Tanpa tautan", "Ringkas.", NOW)], NOW)
    opened.ensure_chat(1, "private", "id", "Analis", NOW)
    opened.enqueue([Planned(1, "k", (1,), ("Rusia",), ("Rusia",), "")], stored, NOW)
    drain_until(telegram, opened, lambda: opened.count_deliveries("sent") == 1)
    [message] = telegram.messages_to(1)
    buttons = [b for row in message.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons and all("url" not in b for b in buttons)
    opened.close()
