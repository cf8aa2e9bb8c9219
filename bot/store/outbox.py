"""The outbox: one delivery row per (chat, article), from planned alert to sent message.

Rules:
- A delivery's `status` is a `DeliveryState`:
  pending → sent (Telegram confirmed it), failed (refused for good) or held (waits for the
  chat's next digest: digest mode, quiet hours, an alert storm, /resume) → sent; a paused
  chat's pending alerts become held or dropped when it resumes.
- A pending row is due once `not_before` has passed and its chat is active and not paused; it
  is marked sent only after Telegram confirms it.
- An alert of a story the chat already has is not queued again: the outlet is added to the
  first alert (`also`, `widely`), which is marked for an edit if it was sent already.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.models import Alert, Delivery, Planned, RecentAlert, StoredArticle
from bot.store.base import StoreBase, from_epoch, to_epoch
from bot.store.chats import chat_settings_of


class DeliveryState(StrEnum):
    """The `status` of a delivery row."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DROPPED = "dropped"


_DELIVERY_SELECT = (
    "SELECT d.id, d.attempts, d.chat_id, d.watches, d.watch_ids, d.terms, d.summary AS chosen, "
    "d.also, d.widely, d.message_id, d.held_reason, d.created_at, d.thread_id, c.language, "
    "c.previews, c.channel_id, "
    "c.timezone, c.digest, c.digest_at, c.quiet, c.paused, "
    "a.id AS article_id, a.url, a.title, a.summary, a.published_at, "
    "coalesce(nullif(a.outlet, ''), s.name, '') AS source_name, "
    "coalesce(nullif(a.outlet_url, ''), s.url, '') AS source_url "
    "FROM deliveries d JOIN articles a ON a.id = d.article_id "
    "JOIN chats c ON c.id = d.chat_id LEFT JOIN sources s ON s.id = a.source_id "
)


class OutboxMixin(StoreBase):
    """The `deliveries` table."""

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

    def due_edits(self, limit: int = 50) -> list[Delivery]:
        """Sent alerts whose message must be edited (another outlet reported the story)."""
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = ? AND d.edit_pending = 1 AND c.active = 1 "
            "ORDER BY d.id LIMIT ?",
            [DeliveryState.SENT, limit],
        )
        return [_delivery(row) for row in rows]

    def edit_done(self, delivery_id: int) -> None:
        self.db.table("deliveries").update(delivery_id, {"edit_pending": 0})

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = ? AND d.not_before <= ? AND c.active = 1 "
            "AND c.paused = 0 ORDER BY d.id LIMIT ?",
            [DeliveryState.PENDING, to_epoch(now), limit],
        )
        return [_delivery(row) for row in rows]

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

    def defer(self, delivery_id: int, until: datetime, error: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, not_before = ?, last_error = ? "
            "WHERE id = ?",
            [to_epoch(until), error[:500], delivery_id],
        )

    def hold(self, delivery_id: int, reason: str) -> None:
        """Keep an alert for the chat's next digest."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, held_reason = ? WHERE id = ?",
            [DeliveryState.HELD, reason, delivery_id],
        )

    def held(self) -> dict[int, list[Delivery]]:
        """Held alerts of active, unpaused chats, oldest first, by chat."""
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = ? AND c.active = 1 AND c.paused = 0 ORDER BY d.id",
            [DeliveryState.HELD],
        )
        by_chat: dict[int, list[Delivery]] = {}
        for row in rows:
            by_chat.setdefault(row["chat_id"], []).append(_delivery(row))
        return by_chat

    def mark_digest_sent(self, delivery_ids: Sequence[int], message_id: int, now: datetime) -> None:
        with self.transaction():
            for delivery_id in delivery_ids:
                self.mark_sent(delivery_id, message_id, now)

    def sent_since(self, chat_id: int, moment: datetime) -> int:
        rows = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = ? AND sent_at >= ?",
            [chat_id, DeliveryState.SENT, to_epoch(moment)],
        ).fetchall()
        return int(rows[0][0])

    def count_pending(self, chat_id: int) -> int:
        rows = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = ?",
            [chat_id, DeliveryState.PENDING],
        ).fetchall()
        return int(rows[0][0])

    def resume(self, chat_id: int, missed_as_digest: bool) -> int:
        """Unpause; the alerts missed meanwhile go to a digest now, or are dropped."""
        with self.transaction():
            if missed_as_digest:
                cursor = self.db.execute(
                    "UPDATE deliveries SET status = ?, held_reason = 'resumed' "
                    "WHERE chat_id = ? AND status = ?",
                    [DeliveryState.HELD, chat_id, DeliveryState.PENDING],
                )
            else:
                cursor = self.db.execute(
                    "UPDATE deliveries SET status = ? WHERE chat_id = ? AND status = ?",
                    [DeliveryState.DROPPED, chat_id, DeliveryState.PENDING],
                )
            self.db.execute("UPDATE chats SET paused = 0 WHERE id = ?", [chat_id])
        return cursor.rowcount

    def oldest_pending(self) -> datetime | None:
        """When the oldest alert still waiting to be sent was queued (for the outbox age)."""
        row = self.db.execute(
            "SELECT min(created_at) FROM deliveries WHERE status = ?", [DeliveryState.PENDING]
        ).fetchone()
        return from_epoch(row[0])

    def count_deliveries(self, status: DeliveryState) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE status = ?", [status]
        ).fetchone()
        return int(row[0])


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
    )
