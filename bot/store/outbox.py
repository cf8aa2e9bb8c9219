"""The outbox: alerts (`deliveries`, one row per chat and article) and the other messages the
bot sends on its own (`messages`: digest parts and notices), from queued to sent.

Rules:
- A row's `status` is a `DeliveryState`. An alert goes pending → sent (Telegram confirmed it),
  failed (refused for good, or given up after its attempts) or held (it waits for the chat's
  next digest: digest mode, quiet hours, an alert storm, a pause, /resume). A held alert is
  given to a digest part (`part_id`) when the digest is composed, and is marked sent or failed
  with that part. When a paused chat resumes, its missed alerts become held or dropped.
- A digest part or notice (`messages`) goes pending → sent or failed, each on its own: a part
  that fails never holds back, or resends, the parts before it. So do the charts and reports
  the bot sends on its own (`queue_media`: a photo or document and its caption); their file
  is dropped from the row once sent or failed. Only digest parts follow a chat to its
  channel and wait while it is paused; everything else goes to the chat itself.
- A pending row is due once `not_before` has passed. The deliverer asks for the oldest due row
  of each chat (`due_rows`: ids and targets only), so one chat's backlog never hides another's,
  then loads in full only the rows it is about to send (`deliveries_by_id`, `messages_by_id`).
- Every query the deliverer runs each tick reads a partial index of the rows it wants (due,
  edit pending, chats with held alerts), never the outbox's history: held alerts are summed up
  per chat in `chats.held_since` / `held_boundary` / `digest_due_at` (0 means "work it out").
- An alert of a story the chat already has is not queued again: the outlet is added to the
  first alert (`also`, `widely`), which is marked for an edit if it was sent already.
- A row the code cannot read is failed with the reason, so it never blocks the others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.models import (
    Alert,
    Delivery,
    DueRow,
    HeldChat,
    Planned,
    QueuedMessage,
    RecentAlert,
    StoredArticle,
)
from bot.store.base import StoreBase, from_epoch, to_epoch
from bot.store.chats import REFRESH_HELD, chat_settings_of

log = logging.getLogger(__name__)


class DeliveryState(StrEnum):
    """The `status` of an outbox row (alert, digest part or notice)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DROPPED = "dropped"


PENDING, SENT, FAILED, HELD = (
    f"'{DeliveryState.PENDING}'",
    f"'{DeliveryState.SENT}'",
    f"'{DeliveryState.FAILED}'",
    f"'{DeliveryState.HELD}'",
)  # literals in SQL, so that SQLite can match the partial indexes
BOUNDARY_REASONS = ("digest", "storm")
PAUSED_REASON = "paused"

_DELIVERY_SELECT = (
    "SELECT d.id, d.attempts, d.chat_id, d.watches, d.watch_ids, d.terms, d.summary AS chosen, "
    "d.also, d.widely, d.message_id, d.held_reason, d.created_at, d.thread_id, "
    "d.edit_attempts, c.language, c.previews, c.channel_id, "
    "c.timezone, c.digest, c.digest_at, c.quiet, c.paused, "
    "a.id AS article_id, a.url, a.title, a.summary, a.published_at, "
    "coalesce(nullif(a.outlet, ''), s.name, '') AS source_name, "
    "coalesce(nullif(a.outlet_url, ''), s.url, '') AS source_url "
    "FROM deliveries d JOIN articles a ON a.id = d.article_id "
    "JOIN chats c ON c.id = d.chat_id LEFT JOIN sources s ON s.id = a.source_id "
)
_MESSAGE_SELECT = (
    "SELECT m.id, m.kind, m.chat_id, m.html, m.thread_id, m.attempts, m.created_at, "
    "m.media, m.filename, m.file, "
    "c.channel_id, (SELECT count(*) FROM deliveries d WHERE d.part_id = m.id) AS alerts "
    "FROM messages m LEFT JOIN chats c ON c.id = m.chat_id "
)


class OutboxMixin(StoreBase):
    """The `deliveries` and `messages` tables, and the held-alert summary of `chats`."""

    def enqueue(
        self,
        planned: Iterable[Planned],
        articles: Sequence[StoredArticle],
        now: datetime,
        widely: tuple[int, timedelta] = (4, timedelta(hours=1)),
    ) -> int:
        """Put each planned alert whose article was just stored in the outbox, once per
        (chat, article); return how many were new."""
        stored = {article.key: article for article in articles}
        added = 0
        for alert in planned:
            if alert.article_key not in stored:
                continue
            if alert.duplicate_of is not None:
                self._add_outlet(alert.duplicate_of, stored[alert.article_key], now, widely)
                continue
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO deliveries (chat_id, article_id, watches, watch_ids, "
                "terms, summary, thread_id, status, attempts, not_before, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [
                    alert.chat_id,
                    stored[alert.article_key].id,
                    json.dumps(list(alert.watches)),
                    json.dumps(list(alert.watch_ids)),
                    json.dumps(list(alert.terms)),
                    alert.summary,
                    alert.thread_id,
                    DeliveryState.PENDING,
                    to_epoch(now),
                    to_epoch(now),
                ],
            )
            added += cursor.rowcount
        return added

    def _add_outlet(
        self, delivery_id: int, article: StoredArticle, now: datetime, widely: tuple[int, timedelta]
    ) -> None:
        """Name one more outlet on an alert of the same story; mark it for an edit if sent.

        `widely` is (outlets, window): that many distinct outlets within the window of the
        first alert make the story "widely reported".
        """
        rows = list(
            self.db.query(
                "SELECT d.also, d.created_at, d.status, "
                "coalesce(nullif(a.outlet, ''), s.name, '') AS first_source "
                "FROM deliveries d JOIN articles a ON a.id = d.article_id "
                "LEFT JOIN sources s ON s.id = a.source_id WHERE d.id = ?",
                [delivery_id],
            )
        )
        if not rows:
            return
        row = rows[0]
        also = [tuple(pair) for pair in json.loads(row["also"] or "[]")]
        outlets = {row["first_source"], *(name for name, _ in also)}
        if article.source_name in outlets:
            return
        also.append((article.source_name, article.url))
        within = now - datetime.fromtimestamp(row["created_at"], UTC) <= widely[1]
        self.db.table("deliveries").update(
            delivery_id,
            {
                "also": json.dumps(also),
                "widely": int(len(outlets) + 1 >= widely[0] and within),
                "edit_pending": int(row["status"] == DeliveryState.SENT),
                "edit_attempts": 0,
                "edit_not_before": 0,
            },
        )

    def recent_alerts(self, chat_ids: Iterable[int], since: datetime) -> list[RecentAlert]:
        """Alerts planned for these chats since `since`, newest first (sent or not)."""
        wanted = sorted(set(chat_ids))
        if not wanted:
            return []
        placeholders = ",".join("?" * len(wanted))
        rows = self.db.query(
            "SELECT d.id, d.chat_id, a.title, coalesce(d.summary, a.summary, '') AS summary "
            "FROM deliveries d JOIN articles a ON a.id = d.article_id "
            f"WHERE d.chat_id IN ({placeholders}) AND d.created_at >= ? ORDER BY d.id DESC",
            [*wanted, to_epoch(since)],
        )
        return [RecentAlert(r["id"], r["chat_id"], r["title"], r["summary"]) for r in rows]

    # alerts

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Every due alert of active, unpaused chats, oldest first (what the outbox holds for
        now; the deliverer itself takes `due_rows`)."""
        rows = self.db.query(
            _DELIVERY_SELECT + f"WHERE d.status = {PENDING} AND d.not_before <= ? "
            "AND c.active = 1 AND c.paused = 0 ORDER BY d.id LIMIT ?",
            [to_epoch(now), limit],
        )
        return self._readable(rows)

    def due_rows(
        self, now: datetime, waiting: Sequence[int] = (), limit: int = 200
    ) -> list[DueRow]:
        """The oldest due alert of each active chat (paused ones included: the deliverer holds
        their alerts) and the oldest due digest part or notice of each chat, oldest first, at
        most `limit` (many more than may go out in a second), leaving out those for the
        `waiting` targets (chats and channels that may not receive a message yet). Digest
        parts wait while their chat is paused or gone; notices do not (an admin's chat may be
        neither). Bounded by what is due, never by the outbox's history."""
        moment, skip = to_epoch(now), json.dumps(list(waiting))
        rows = self.db.execute(
            "SELECT 'alert', d.id, coalesce(c.channel_id, d.chat_id) AS target, d.created_at "
            "FROM deliveries d JOIN chats c ON c.id = d.chat_id "
            "WHERE d.id IN (SELECT min(id) FROM deliveries "
            f"WHERE status = {PENDING} AND not_before <= ? GROUP BY chat_id) AND c.active = 1 "
            "AND target NOT IN (SELECT value FROM json_each(?)) "
            "UNION ALL "
            "SELECT 'message', m.id, CASE WHEN m.kind = 'digest' "
            "THEN coalesce(c.channel_id, m.chat_id) ELSE m.chat_id END AS target, m.created_at "
            "FROM messages m LEFT JOIN chats c ON c.id = m.chat_id "
            "WHERE m.id IN (SELECT min(id) FROM messages "
            f"WHERE status = {PENDING} AND not_before <= ? GROUP BY chat_id) "
            "AND (m.kind != 'digest' OR (c.active = 1 AND c.paused = 0)) "
            "AND target NOT IN (SELECT value FROM json_each(?)) "
            "ORDER BY 4, 1, 2 LIMIT ?",
            [moment, skip, moment, skip, limit],
        ).fetchall()
        return [DueRow(kind, i, target, _moment(created)) for kind, i, target, created in rows]

    def deliveries_by_id(self, ids: Sequence[int]) -> list[Delivery]:
        """These alerts in full, in the order given (one that cannot be read is failed)."""
        placeholders = ",".join("?" * len(ids))
        rows = self.db.query(_DELIVERY_SELECT + f"WHERE d.id IN ({placeholders})", list(ids))
        found = {delivery.id: delivery for delivery in self._readable(rows)}
        return [found[i] for i in ids if i in found]

    def _readable(self, rows: Iterable[dict[str, Any]]) -> list[Delivery]:
        """The rows as deliveries; one that cannot be read is failed (never blocks the rest)."""
        found = []
        for row in rows:
            try:
                found.append(_delivery(row))
            except (ValueError, TypeError, KeyError) as exc:
                log.error("delivery=%s cannot be read (%r): failed", row["id"], exc)
                self.mark_failed(row["id"], f"unreadable: {exc!r}")
        return found

    def mark_sent(self, delivery_id: int, message_id: int, now: datetime) -> None:
        self.db.table("deliveries").update(
            delivery_id,
            {
                "status": DeliveryState.SENT,
                "sent_at": to_epoch(now),
                "message_id": message_id,
                "last_error": None,
            },
        )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ? "
            "WHERE id = ?",
            [DeliveryState.FAILED, error[:500], delivery_id],
        )

    def defer(self, delivery_id: int, until: datetime, error: str, *, attempt: bool = True) -> None:
        """Try again at `until`; `attempt` counts it towards the cap (a 429 does not)."""
        self.db.execute(
            "UPDATE deliveries SET attempts = attempts + ?, not_before = ?, last_error = ? "
            "WHERE id = ?",
            [int(attempt), to_epoch(until), error[:500], delivery_id],
        )

    def sent_since(self, chat_id: int, moment: datetime) -> int:
        """Alerts sent one by one (not in a digest) to the chat since `moment`."""
        rows = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE chat_id = ? AND sent_at >= ? "
            f"AND status = {SENT} AND part_id IS NULL",
            [chat_id, to_epoch(moment)],
        ).fetchall()
        return int(rows[0][0])

    # edits

    def due_edits(self, now: datetime | None = None, limit: int = 10) -> list[Delivery]:
        """Sent alerts whose message must be edited (another outlet reported the story)."""
        moment = to_epoch(now or datetime.now(UTC))
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.edit_pending = 1 AND d.edit_not_before <= ? "
            "ORDER BY d.edit_not_before LIMIT ?",
            [moment, limit],
        )
        return self._readable(rows)

    def edit_done(self, delivery_id: int) -> None:
        self.db.table("deliveries").update(delivery_id, {"edit_pending": 0})

    def defer_edit(self, delivery_id: int, until: datetime, *, attempt: bool = True) -> None:
        self.db.execute(
            "UPDATE deliveries SET edit_attempts = edit_attempts + ?, edit_not_before = ? "
            "WHERE id = ?",
            [int(attempt), to_epoch(until), delivery_id],
        )

    # held alerts and digests

    def hold(self, delivery_id: int, reason: str) -> None:
        """Keep an alert for the chat's next digest (or, `paused`, for the chat's /resume)."""
        with self.transaction():
            row = self.db.execute(
                "SELECT chat_id, created_at FROM deliveries WHERE id = ?", [delivery_id]
            ).fetchone()
            if row is None:
                return
            self.db.execute(
                "UPDATE deliveries SET status = ?, held_reason = ? WHERE id = ?",
                [DeliveryState.HELD, reason, delivery_id],
            )
            chat_id, created_at = row
            self.db.execute(
                "UPDATE chats SET held_since = min(coalesce(held_since, ?), ?), "
                "held_boundary = max(held_boundary, ?), digest_due_at = 0 WHERE id = ?",
                [created_at, created_at, int(reason in BOUNDARY_REASONS), chat_id],
            )

    def held_chats(self, now: datetime, limit: int = 100) -> list[HeldChat]:
        """Active, unpaused chats with held alerts whose digest is due by `now`, or still to be
        worked out (`due_at` None)."""
        rows = self.db.query(
            "SELECT * FROM chats WHERE held_since IS NOT NULL AND digest_due_at <= ? "
            "AND active = 1 AND paused = 0 ORDER BY digest_due_at LIMIT ?",
            [to_epoch(now), limit],
        )
        return [
            HeldChat(
                row["id"],
                row["language"],
                chat_settings_of(row),
                datetime.fromtimestamp(row["held_since"], UTC),
                bool(row["held_boundary"]),
                from_epoch(row["digest_due_at"] or None),
            )
            for row in rows
        ]

    def set_digest_due(self, chat_id: int, due_at: datetime) -> None:
        self.db.execute(
            "UPDATE chats SET digest_due_at = ? WHERE id = ? AND held_since IS NOT NULL",
            [to_epoch(due_at), chat_id],
        )

    def held_for_digest(self, chat_id: int, limit: int = 1000) -> list[Delivery]:
        """The chat's held alerts not yet in a digest part, oldest first."""
        rows = self.db.query(
            _DELIVERY_SELECT + f"WHERE d.chat_id = ? AND d.status = {HELD} "
            "AND d.part_id IS NULL ORDER BY d.id LIMIT ?",
            [chat_id, limit],
        )
        return self._readable(rows)

    def add_digest(
        self,
        chat_id: int,
        parts: Sequence[tuple[str, int | None, Sequence[int]]],
        now: datetime,
    ) -> list[int]:
        """Queue a digest's parts, each (HTML, forum topic, the held alerts it carries), as
        messages of their own; return their ids. Alerts already in a part are left out."""
        ids = []
        with self.transaction():
            for html, thread_id, delivery_ids in parts:
                part_id = self._queue_message(chat_id, "digest", html, thread_id, now)
                ids.append(part_id)
                for start in range(0, len(delivery_ids), 500):
                    chunk = list(delivery_ids[start : start + 500])
                    self.db.execute(
                        f"UPDATE deliveries SET part_id = ? WHERE status = {HELD} "
                        f"AND part_id IS NULL AND chat_id = ? AND id IN ({','.join('?' * len(chunk))})",
                        [part_id, chat_id, *chunk],
                    )
            self._refresh_held(chat_id)
        return ids

    def _refresh_held(self, chat_id: int) -> None:
        """Sum up the chat's held alerts (not yet in a digest part) again."""
        self.db.execute(REFRESH_HELD, [chat_id])

    def count_missed(self, chat_id: int) -> int:
        """Alerts this chat missed while paused (still pending, or held by the pause)."""
        rows = self.db.execute(
            f"SELECT count(*) FROM deliveries WHERE chat_id = ? AND (status = {PENDING} "
            f"OR (status = {HELD} AND held_reason = ? AND part_id IS NULL))",
            [chat_id, PAUSED_REASON],
        ).fetchall()
        return int(rows[0][0])

    def resume(self, chat_id: int, missed_as_digest: bool) -> int:
        """Unpause; the alerts missed meanwhile go to a digest now, or are dropped."""
        missed = (
            f"WHERE chat_id = ? AND (status = {PENDING} OR "
            f"(status = {HELD} AND held_reason = ? AND part_id IS NULL))"
        )
        with self.transaction():
            if missed_as_digest:
                cursor = self.db.execute(
                    f"UPDATE deliveries SET status = {HELD}, held_reason = 'resumed' {missed}",
                    [chat_id, PAUSED_REASON],
                )
            else:
                cursor = self.db.execute(
                    f"UPDATE deliveries SET status = ? {missed}",
                    [DeliveryState.DROPPED, chat_id, PAUSED_REASON],
                )
            self.db.execute("UPDATE chats SET paused = 0 WHERE id = ?", [chat_id])
            self._refresh_held(chat_id)
        return cursor.rowcount

    # digest parts and notices

    def queue_notice(self, chat_ids: Iterable[int], html: str, now: datetime) -> None:
        """A message the bot sends on its own (to admins, or to a chat about its settings)."""
        with self.transaction():
            for chat_id in chat_ids:
                self._queue_message(chat_id, "notice", html, None, now)

    def queue_media(
        self,
        chat_id: int,
        kind: str,
        caption: str,
        attachment: tuple[str, str, bytes] | None,
        thread_id: int | None,
        now: datetime,
        not_before: datetime | None = None,
    ) -> int:
        """A chart, report or their text (`kind` trend, spike, report) the bot sends to a chat
        on its own: `attachment` is (media "photo" or "document", file name, bytes), sent with
        `caption` (HTML); without one, `caption` is sent as a message. Due at `not_before`
        (default now). Unlike a digest part it goes to the chat itself, paused or not."""
        message_id = self._queue_message(chat_id, kind, caption, thread_id, now, not_before)
        if attachment is not None:
            media, filename, data = attachment
            self.db.execute(
                "UPDATE messages SET media = ?, filename = ?, file = ? WHERE id = ?",
                [media, filename, data, message_id],
            )
        return message_id

    def _queue_message(
        self,
        chat_id: int,
        kind: str,
        html: str,
        thread_id: int | None,
        now: datetime,
        not_before: datetime | None = None,
    ) -> int:
        due = to_epoch(not_before or now)
        cursor = self.db.execute(
            "INSERT INTO messages (chat_id, kind, html, thread_id, status, attempts, "
            "not_before, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            [chat_id, kind, html, thread_id, DeliveryState.PENDING, due, to_epoch(now)],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def messages_by_id(self, ids: Sequence[int]) -> list[QueuedMessage]:
        """These digest parts or notices in full, in the order given."""
        placeholders = ",".join("?" * len(ids))
        rows = self.db.query(_MESSAGE_SELECT + f"WHERE m.id IN ({placeholders})", list(ids))
        found = {row["id"]: _message(row) for row in rows}
        return [found[i] for i in ids if i in found]

    def mark_message_sent(self, message_id: int, telegram_id: int, now: datetime) -> None:
        """A digest part or notice went out; so did the alerts the part carries. A file it
        carried is not kept."""
        with self.transaction():
            values = [DeliveryState.SENT, to_epoch(now), telegram_id]
            self.db.execute(
                "UPDATE messages SET status = ?, sent_at = ?, message_id = ?, last_error = NULL, "
                "file = NULL WHERE id = ?",
                [*values, message_id],
            )
            self.db.execute(
                "UPDATE deliveries SET status = ?, sent_at = ?, message_id = ?, last_error = NULL "
                "WHERE part_id = ?",
                [*values, message_id],
            )

    def mark_message_failed(self, message_id: int, error: str) -> None:
        """A digest part or notice can never be sent; nor can the alerts the part carries."""
        with self.transaction():
            for table in ("messages", "deliveries"):
                key = "id" if table == "messages" else "part_id"
                self.db.execute(
                    f"UPDATE {table} SET status = ?, attempts = attempts + 1, last_error = ? "
                    f"WHERE {key} = ?",
                    [DeliveryState.FAILED, error[:500], message_id],
                )
            self.db.execute("UPDATE messages SET file = NULL WHERE id = ?", [message_id])

    def defer_message(
        self, message_id: int, until: datetime, error: str, *, attempt: bool = True
    ) -> None:
        self.db.execute(
            "UPDATE messages SET attempts = attempts + ?, not_before = ?, last_error = ? "
            "WHERE id = ?",
            [int(attempt), to_epoch(until), error[:500], message_id],
        )

    def message_status(self, message_id: int) -> str | None:
        row = self.db.execute("SELECT status FROM messages WHERE id = ?", [message_id]).fetchone()
        return None if row is None else str(row[0])

    # what health and metrics read

    def oldest_pending(self) -> datetime | None:
        """When the oldest alert still waiting to be sent was queued (for the outbox age)."""
        row = self.db.execute(
            f"SELECT min(created_at) FROM deliveries WHERE status = {PENDING}"
        ).fetchone()
        return from_epoch(row[0])

    def oldest_due(self, now: datetime) -> datetime | None:
        """Since when the longest-waiting due row (an alert of an active, unpaused chat past
        its `not_before`, or a digest part or notice) has been due: how far delivery lags."""
        alerts = self.db.execute(
            "SELECT min(d.not_before) FROM deliveries d JOIN chats c ON c.id = d.chat_id "
            f"WHERE d.status = {PENDING} AND d.not_before <= ? AND c.active = 1 AND c.paused = 0",
            [to_epoch(now)],
        ).fetchone()[0]
        messages = self.db.execute(
            "SELECT min(m.not_before) FROM messages m LEFT JOIN chats c ON c.id = m.chat_id "
            f"WHERE m.status = {PENDING} AND m.not_before <= ? "
            "AND (m.kind != 'digest' OR (c.active = 1 AND c.paused = 0))",
            [to_epoch(now)],
        ).fetchone()[0]
        waiting = [moment for moment in (alerts, messages) if moment is not None]
        return from_epoch(min(waiting)) if waiting else None

    def count_deliveries(self, status: DeliveryState) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE status = ?", [status]
        ).fetchone()
        return int(row[0])


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _message(row: dict[str, Any]) -> QueuedMessage:
    digest, channel = row["kind"] == "digest", row["channel_id"]
    return QueuedMessage(
        row["id"],
        row["kind"],
        row["chat_id"],
        (channel or row["chat_id"]) if digest else row["chat_id"],
        row["html"],
        None if digest and channel else row["thread_id"],
        row["attempts"],
        _moment(row["created_at"]),
        channel=digest and bool(channel),
        alerts=row["alerts"],
        media=row["media"] or "",
        filename=row["filename"] or "",
        file=row["file"] or b"",
    )


def _delivery(row: dict[str, Any]) -> Delivery:
    article = StoredArticle(
        id=row["article_id"],
        source_name=row["source_name"],
        source_url=row["source_url"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"] or "",
        published_at=from_epoch(row["published_at"]),
    )
    alert = Alert(
        chat_id=row["chat_id"],
        article=article,
        watches=tuple(json.loads(row["watches"])),
        language=row["language"],
        watch_ids=tuple(json.loads(row["watch_ids"] or "[]")),
        terms=tuple(json.loads(row["terms"] or "[]")),
        summary=row["chosen"] or "",
        also=tuple(tuple(pair) for pair in json.loads(row["also"] or "[]")),
        widely=bool(row["widely"]),
        previews=bool(row["previews"]),
        timezone=row["timezone"] or "",
        thread_id=row["thread_id"],
        channel_id=row["channel_id"],
    )
    return Delivery(
        row["id"],
        row["attempts"],
        alert,
        row["message_id"],
        chat_settings_of(row),
        row["held_reason"] or "",
        from_epoch(row["created_at"]),
        row["edit_attempts"],
    )
