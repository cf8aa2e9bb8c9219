"""The outbox and chat rows in the store: what moves with a supergroup, what a paused or gone
chat does to its queue, and that every query the deliverer runs each tick reads an index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Article, Planned
from bot.sources import SourceSpec
from bot.store import Store

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    yield opened
    opened.close()


def queue(store, chat, count, at=NOW, thread=None):
    source = store.add_source(SourceSpec(f"S{chat}", f"https://x.id/{chat}/rss", 60), at)
    articles = store.save_articles(
        source,
        [Article(f"{chat}-{n}", f"https://x.id/{chat}/{n}", f"T{n}", "", at) for n in range(count)],
        at,
    )
    store.enqueue(
        [Planned(chat, a.key, (), ("w",), (), "", thread_id=thread) for a in articles], articles, at
    )
    return [r["id"] for r in store.db.query("SELECT id FROM deliveries WHERE chat_id = ?", [chat])]


def test_a_supergroup_keeps_every_setting_of_its_group(store):
    store.ensure_chat(-5, "group", "en", "Redaksi", NOW)
    store.set_previews(-5, True)
    store.set_timezone(-5, "Asia/Jayapura")
    store.set_digest(-5, "daily", "06:30")
    store.set_quiet(-5, "22:00-05:00")
    store.set_paused(-5, True)
    store.set_channel(-5, -100777, "@redaksi")
    store.ensure_chat(-1005, "supergroup", "id", "Redaksi", NOW), "it talked to the bot first"
    before = store.db["chats"].get(-5)
    store.migrate_chat(-5, -1005)
    after = store.db["chats"].get(-1005)
    carried = {k: v for k, v in before.items() if k not in ("id", "type", "active", "left_at")}
    assert {k: after[k] for k in carried} == carried, "every column, one added later too"
    assert after["type"] == "supergroup" and after["active"] == 1
    assert store.db["chats"].get(-5)["active"] == 0


def test_queue_moves_with_the_supergroup(store):
    store.ensure_chat(-5, "group", "id", "G", NOW)
    store.add_watch(-5, "Rusia", "Rusia", NOW)
    queue(store, -5, 2)
    store.queue_notice([-5], "catatan", NOW)
    store.migrate_chat(-5, -1005)
    assert [d.alert.chat_id for d in store.due_deliveries(NOW)] == [-1005, -1005]
    [notice] = [row for row in store.due_rows(NOW) if row.kind == "message"]
    assert [m.chat_id for m in store.messages_by_id([notice.id])] == [-1005]
    assert [w.chat_id for w in store.active_watches()] == [-1005]


def test_a_paused_chat_holds_what_comes_and_resume_counts_it(store):
    store.ensure_chat(8, "private", "id", "A", NOW)
    ids = queue(store, 8, 3)
    store.set_paused(8, True)
    store.hold(ids[0], "paused")
    assert store.count_missed(8) == 3, "held by the pause or still pending"
    assert store.held_chats(NOW) == [], "no digest while paused"
    assert store.resume(8, missed_as_digest=True) == 3
    [chat] = store.held_chats(NOW)
    assert chat.held_since == NOW and not chat.boundary and chat.due_at is None


def test_the_held_summary_follows_holds_and_digests(store):
    store.ensure_chat(8, "private", "id", "A", NOW)
    ids = queue(store, 8, 3)
    store.hold(ids[0], "quiet")
    [chat] = store.held_chats(NOW)
    assert (chat.held_since, chat.boundary) == (NOW, False)
    store.hold(ids[1], "digest")
    store.set_digest_due(8, NOW + timedelta(hours=1))
    assert store.held_chats(NOW) == [], "not due yet"
    assert store.held_chats(NOW + timedelta(hours=1))[0].boundary
    store.set_quiet(8, "22:00-06:00")
    assert store.held_chats(NOW)[0].due_at is None, "a setting changed: worked out again"
    [part] = store.add_digest(8, [("<b>ringkasan</b>", None, ids[:2])], NOW)
    assert store.held_chats(NOW) == [], "nothing held outside the part"
    store.mark_message_sent(part, 55, NOW)
    sent = [r for r in store.db.query("SELECT * FROM deliveries WHERE status = 'sent'")]
    assert [r["message_id"] for r in sent] == [55, 55]
    assert store.sent_since(8, NOW - timedelta(hours=1)) == 0, "digests are no storm"


def test_a_gone_chat_fails_what_waits_for_it(store):
    store.ensure_chat(8, "private", "id", "A", NOW)
    ids = queue(store, 8, 3)
    store.hold(ids[0], "digest")
    store.add_digest(8, [("x", None, ids[:1])], NOW)
    store.queue_notice([8], "catatan", NOW)
    store.deactivate_chat(8, "Forbidden: bot was blocked by the user")
    states = {
        r["id"]: (r["status"], r["last_error"]) for r in store.db.query("SELECT * FROM deliveries")
    }
    assert {s for s, _ in states.values()} == {"failed"}
    assert all("blocked" in e for _, e in states.values())
    assert {r["status"] for r in store.db.query("SELECT status FROM messages")} == {"failed"}


def history(store, rows):
    """`rows` alerts of the past: sent (some edited), failed, dropped, and held for daily digests
    due tomorrow in 50 other chats — what piles up over months."""
    db = store.db
    start = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0] + 1
    db.conn.executemany(
        "INSERT INTO articles (id, key, url, title, fetched_at) VALUES (?, ?, ?, ?, ?)",
        [
            (start + n, f"h{start + n}", "https://x.id/h", "Lama", NOW.timestamp())
            for n in range(rows)
        ],
    )
    for chat in range(100, 150):
        store.ensure_chat(chat, "private", "id", "", NOW)
        store.set_digest(chat, "daily", "07:00")
    states = ["sent", "sent", "sent", "failed", "dropped", "held"]
    db.conn.executemany(
        "INSERT INTO deliveries (chat_id, article_id, watches, status, attempts, not_before, "
        "created_at, sent_at, held_reason) VALUES (?, ?, '[]', ?, 1, ?, ?, ?, ?)",
        [
            (
                100 + n % 50,
                start + n,
                states[n % 6],
                NOW.timestamp(),
                NOW.timestamp(),
                NOW.timestamp(),
                "digest",
            )
            for n in range(rows)
        ],
    )
    db.execute(
        "UPDATE chats SET held_since = ?, held_boundary = 1, digest_due_at = ? WHERE id >= 100",
        [NOW.timestamp(), (NOW + timedelta(days=1)).timestamp()],
    )


def steps(store, call):
    """SQLite virtual-machine steps (in hundreds) a store call takes: work, not wall time."""
    counted = [0]

    def tick():
        counted[0] += 1
        return 0

    store.db.conn.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        store.db.conn.set_progress_handler(None, 100)
    return counted[0]


LATER = NOW + timedelta(minutes=1)
PER_TICK = {
    "due_rows": lambda s, now: s.due_rows(now),
    "due_edits": lambda s, now: s.due_edits(now),
    "held_chats": lambda s, now: s.held_chats(now),
    "oldest_due": lambda s, now: s.oldest_due(now),
    "oldest_pending": lambda s, now: s.oldest_pending(),
    "count_pending": lambda s, now: s.count_deliveries("pending"),
}


@pytest.fixture(scope="module")
def histories(tmp_path_factory):
    """The same outbox with 600 and with 12,000 alerts of history."""
    stores = []
    for rows in (600, 12_000):
        store = Store.open(tmp_path_factory.mktemp("history") / f"{rows}.db")
        store.ensure_chat(8, "private", "id", "A", NOW)
        queue(store, 8, 3)
        history(store, rows)
        stores.append(store)
    yield stores
    for store in stores:
        store.close()


@pytest.mark.parametrize("query", PER_TICK)
def test_per_tick_queries_do_not_grow_with_history(histories, query):
    """What the deliverer (and health) asks every second reads only what is due: the same work
    with 600 alerts of history as with 12,000."""
    work = [steps(store, lambda s=store: PER_TICK[query](s, LATER)) for store in histories]
    assert work[1] <= work[0] + 2, work
