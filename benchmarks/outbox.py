"""Benchmark the outbox queries the bot runs every second, against a database with months of
history.

    python benchmarks/outbox.py [--rows 100000] [--repeat 50]

Builds an outbox of `--rows` alerts the way months of use leave it — most sent (a few with an
edit pending), some failed or dropped, a day's alerts held in 1,000 daily-digest chats, alerts
held by 100 paused chats, 1,000 alerts due now across 500 chats, digest parts and notices —
then times each query a tick runs: the deliverer's (`due_rows`, then `deliveries_by_id` for
the 30 it may send in a second, `due_edits`, `held_chats`), health's (`oldest_due`) and the
service's gauges
(`count_deliveries`, `oldest_pending`). It prints the median of `--repeat` runs of each, their
sum per tick (target: under 10 ms), and the same for the queries they replaced — every held
alert loaded with a four-table join, and due edits found through the status index, which reads
every sent alert — measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402

NOW = datetime.now(UTC)
HELD_CHATS, PAUSED_CHATS, DUE_CHATS = 1000, 100, 500

NAIVE_HELD = (  # the query `held()` ran every tick before #14
    "SELECT d.id, d.attempts, d.chat_id, d.watches, d.watch_ids, d.terms, d.summary AS chosen, "
    "d.also, d.widely, d.message_id, d.held_reason, d.created_at, d.thread_id, c.language, "
    "c.previews, c.channel_id, c.timezone, c.digest, c.digest_at, c.quiet, c.paused, "
    "a.id AS article_id, a.url, a.title, a.summary, a.published_at, "
    "coalesce(s.name, '') AS source_name, coalesce(s.url, '') AS source_url "
    "FROM deliveries d JOIN articles a ON a.id = d.article_id "
    "JOIN chats c ON c.id = d.chat_id LEFT JOIN sources s ON s.id = a.source_id "
    "WHERE d.status = ? AND c.active = 1 AND c.paused = 0 ORDER BY d.id"
)
NAIVE_EDITS = (  # `due_edits()` before #14: the status index, then every sent row
    "SELECT d.id FROM deliveries d JOIN chats c ON c.id = d.chat_id "
    "WHERE d.status = ? AND d.edit_pending = 1 AND c.active = 1 ORDER BY d.id LIMIT 50"
)


def build(store: Store, rows: int) -> None:
    """`rows` alerts of history; see the module docstring for the mix."""
    db = store.db
    epoch = NOW.timestamp()
    store.ensure_chat(9001, "private", "id", "admin", NOW)
    source = db.execute(
        "INSERT INTO sources (name, url, interval, next_poll_at, created_at) "
        "VALUES ('Uji', 'https://x.id/rss', 300, ?, ?)",
        [epoch, epoch],
    ).lastrowid
    chats = [(10_000 + n, "private", "id", "", 1, epoch) for n in range(HELD_CHATS + 2000)]
    db.conn.executemany(
        "INSERT INTO chats (id, type, language, title, active, created_at) VALUES (?,?,?,?,?,?)",
        chats,
    )
    db.conn.executemany(
        "INSERT INTO articles (id, source_id, key, url, title, summary, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, '', ?)",
        [
            (n, source, f"k{n}", f"https://x.id/{n}", f"Berita nomor {n}", epoch)
            for n in range(1, rows + 1)
        ],
    )
    held = HELD_CHATS * 20
    due = DUE_CHATS * 2
    paused = PAUSED_CHATS * 5
    plan: list[tuple[int, int, str, float, float | None, str | None, int]] = []
    for n in range(1, rows + 1):
        if n <= held:
            chat, state, reason = 10_000 + n % HELD_CHATS, "held", "digest"
        elif n <= held + paused:
            chat, state, reason = 11_000 + n % PAUSED_CHATS, "held", "paused"
        elif n <= held + paused + due:
            chat, state, reason = 11_500 + n % DUE_CHATS, "pending", None
        else:
            chat = 10_000 + n % (HELD_CHATS + 2000)
            state, reason = (
                ("failed" if n % 40 == 0 else "dropped" if n % 41 == 0 else "sent"),
                None,
            )
        edit = int(state == "sent" and n % 1000 == 7)
        plan.append((chat, n, state, epoch - 86_400 + n % 86_400, epoch - 60, reason, edit))
    db.conn.executemany(
        "INSERT INTO deliveries (chat_id, article_id, watches, status, attempts, not_before, "
        "created_at, sent_at, held_reason, edit_pending) VALUES (?, ?, '[\"Rusia\"]', ?, 0, ?, ?, "
        "?, ?, ?)",
        [(c, a, s, nb, cr, cr if s == "sent" else None, r, e) for c, a, s, cr, nb, r, e in plan],
    )
    for chat in range(10_000, 10_000 + HELD_CHATS):
        store.set_digest(chat, "daily", "07:00")
    db.execute("UPDATE chats SET paused = 1 WHERE id >= 11000 AND id < 11100")
    for chat in range(10_000, 11_100):
        db.execute(
            "UPDATE chats SET held_since = (SELECT min(created_at) FROM deliveries d "
            "WHERE d.chat_id = chats.id AND d.status = 'held'), digest_due_at = ? WHERE id = ?",
            [(NOW + timedelta(hours=10)).timestamp(), chat],
        )
    db.conn.executemany(
        "INSERT INTO messages (chat_id, kind, html, status, attempts, not_before, created_at, "
        "sent_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
        [
            (10_000 + n % HELD_CHATS, "digest", "<b>Ringkasan</b>", "sent", epoch, epoch, epoch)
            for n in range(2000)
        ]
        + [(9001, "notice", "Sumber gagal", "pending", epoch - 5, epoch - 5, None)] * 10,
    )
    db.conn.commit()
    db.execute("ANALYZE")


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "pantau.db")
        started = time.perf_counter()
        build(store, args.rows)
        built = time.perf_counter() - started
        counts = dict(store.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
        print(f"{args.rows:,} alerts of history built in {built:.1f} s: {json.dumps(counts)}")
        now = NOW
        ready = [row.id for row in store.due_rows(now) if row.kind == "alert"][:30]
        per_tick = {
            "due_rows": lambda: store.due_rows(now),
            "deliveries_by_id (30)": lambda: store.deliveries_by_id(ready),
            "due_edits": lambda: store.due_edits(now),
            "held_chats": lambda: store.held_chats(now),
            "oldest_due (health)": lambda: store.oldest_due(now),
            "count pending (gauge)": lambda: store.count_deliveries("pending"),
            "oldest_pending (gauge)": lambda: store.oldest_pending(),
        }
        found = {name: len(r) if isinstance(r, list) else r for name, r in _once(per_tick).items()}
        total = 0.0
        for name, call in per_tick.items():
            took = median_ms(call, args.repeat)
            total += took
            print(f"  {name:<24} {took:7.2f} ms   ({found[name]!s:.40})")
        print(f"per tick: {total:.2f} ms (target under 10 ms)")
        naive = {
            "held(): all held, 4 joins": lambda: store.db.execute(NAIVE_HELD, ["held"]).fetchall(),
            "due_edits() by status": lambda: store.db.execute(NAIVE_EDITS, ["sent"]).fetchall(),
        }
        before = sum(median_ms(call, max(args.repeat // 5, 3)) for call in naive.values())
        now_same = median_ms(per_tick["held_chats"], args.repeat) + median_ms(
            per_tick["due_edits"], args.repeat
        )
        print(
            f"the queries they replace: {before:.1f} ms a tick against {now_same:.2f} ms "
            f"({before / now_same:,.0f}x)"
        )
        store.close()


def _once(calls: dict[str, Callable[[], object]]) -> dict[str, object]:
    return {name: call() for name, call in calls.items()}


if __name__ == "__main__":
    main()
