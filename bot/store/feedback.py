"""Feedback on alerts: "not relevant" taps, the one-tap fixes they offer, and query changes
with their undo.

Rules:
- A tap counts once per (alert, watch, user); a fix is stored once per (alert, watch, query).
  Both belong to their alert and go with it (cascade), so article retention bounds them.
- A fix or an undo changes a watch only if its query is still the one the fix was offered
  for, and never into a second live watch of the chat understood the same way.
- A query change keeps the query it replaced (`previous_query`, one step of undo), bumps
  `watches_version` and records that version in `revised`, so the live index takes the watch
  out and in again (`revised_watches`).
- The not-relevant rate of a watch is over the alerts sent in a window: those flagged by at
  least one tap, out of all sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.models import StoredArticle, Watch
from bot.store.articles import _ARTICLE_SELECT, _stored
from bot.store.base import WATCHES_VERSION, to_epoch
from bot.store.states import DeliveryState
from bot.store.watches import WatchesMixin, _watch


@dataclass(frozen=True, slots=True)
class Flagged:
    """A watch's not-relevant count over a window: alerts flagged out of alerts sent."""

    watch: Watch
    flagged: int
    sent: int

    @property
    def rate(self) -> float:
        return self.flagged / self.sent if self.sent else 1.0


@dataclass(frozen=True, slots=True)
class Fix:
    """A fix offered under a tap: `query` is to replace `base` as the watch's query."""

    id: int
    watch: Watch
    base: str
    query: str


class FeedbackMixin(WatchesMixin):
    """The `feedback_taps` and `watch_fixes` tables, and a watch's query changes."""

    def flagged_alert(self, chat_id: int, delivery_id: int) -> tuple[StoredArticle, list[Watch]]:
        """The article of this chat's alert, with its page text, and the chat's live watches
        that fired it; raises LookupError when the chat has no such alert."""
        rows = list(
            self.db.query(
                "SELECT article_id, watch_ids FROM deliveries WHERE id = ? AND chat_id = ?",
                [delivery_id, chat_id],
            )
        )
        if not rows:
            raise LookupError(delivery_id)
        found = list(self.db.query(_ARTICLE_SELECT + "WHERE a.id = ?", [rows[0]["article_id"]]))
        if not found:
            raise LookupError(delivery_id)
        ids = [
            row[0]
            for row in self.db.execute(
                "SELECT CAST(value AS INTEGER) FROM json_each(?)", [rows[0]["watch_ids"] or "[]"]
            )
        ]
        watches = [w for w in (self.find_watch(chat_id, i) for i in ids) if w is not None]
        return _stored(found[0]), watches

    def digest_alerts(self, chat_id: int, part_id: int, limit: int) -> list[tuple[int, str]]:
        """The alerts (id, headline) a digest part of this chat carried, in their order."""
        rows = self.db.execute(
            "SELECT d.id, a.title FROM deliveries d JOIN articles a ON a.id = d.article_id "
            "WHERE d.part_id = ? AND d.chat_id = ? ORDER BY d.id LIMIT ?",
            [part_id, chat_id, limit],
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def record_tap(
        self, delivery_id: int, watch_ids: Iterable[int], user_id: int, now: datetime
    ) -> None:
        for watch_id in watch_ids:
            self.db.execute(
                "INSERT OR IGNORE INTO feedback_taps (delivery_id, watch_id, user_id, at) "
                "VALUES (?, ?, ?, ?)",
                [delivery_id, watch_id, user_id, to_epoch(now)],
            )

    def add_fix(self, delivery_id: int, watch_id: int, base: str, query: str, now: datetime) -> int:
        """The id of this fix (stored once per alert, watch and query)."""
        self.db.execute(
            "INSERT OR IGNORE INTO watch_fixes (delivery_id, watch_id, base, query, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [delivery_id, watch_id, base, query, to_epoch(now)],
        )
        row = self.db.execute(
            "SELECT id FROM watch_fixes WHERE delivery_id = ? AND watch_id = ? AND query = ?",
            [delivery_id, watch_id, query],
        ).fetchone()
        return int(row[0])

    def fix_of(self, chat_id: int, fix_id: int) -> Fix | None:
        """The fix, if it is for a live watch of this chat."""
        rows = list(
            self.db.query(
                "SELECT f.id AS fix_id, f.base, f.query AS fixed, w.* FROM watch_fixes f "
                "JOIN watches w ON w.id = f.watch_id "
                "WHERE f.id = ? AND w.chat_id = ? AND w.deleted_at IS NULL",
                [fix_id, chat_id],
            )
        )
        if not rows:
            return None
        row = rows[0]
        return Fix(row["fix_id"], _watch(row), row["base"], row["fixed"])

    def change_query(
        self, chat_id: int, watch_id: int, base: str, query: str, display: str
    ) -> Watch | str | None:
        """Replace the watch's query `base` with `query` (understood as `display`), keeping
        `base` for an undo. None: no such live watch; "changed": its query is no longer
        `base`; "exists": another live watch of the chat is understood as `display`."""
        with self.transaction():
            watch = self.find_watch(chat_id, watch_id)
            if watch is None:
                return None
            if watch.query != base:
                return "changed"
            if self._same_display(chat_id, watch_id, display):
                return "exists"
            self._bump(WATCHES_VERSION)
            self.db.execute(
                "UPDATE watches SET query = ?, display = ?, previous_query = ?, "
                "previous_display = ?, revised = ? WHERE id = ?",
                [query, display, watch.query, watch.display, self._version(), watch_id],
            )
            return self.find_watch(chat_id, watch_id)

    def previous_query(self, chat_id: int, watch_id: int) -> tuple[str, str] | None:
        """The live watch's (query, previous query), if a fix changed it."""
        row = self.db.execute(
            "SELECT query, previous_query FROM watches WHERE id = ? AND chat_id = ? "
            "AND deleted_at IS NULL AND previous_query IS NOT NULL",
            [watch_id, chat_id],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def revert_query(
        self, chat_id: int, watch_id: int, current: str, display: str
    ) -> Watch | str | None:
        """Undo the last fix: back to the previous query (understood now as `display`), if the
        query is still `current`; the same answers as `change_query`."""
        with self.transaction():
            found = self.previous_query(chat_id, watch_id)
            if found is None:
                return None
            if found[0] != current:
                return "changed"
            if self._same_display(chat_id, watch_id, display):
                return "exists"
            self._bump(WATCHES_VERSION)
            self.db.execute(
                "UPDATE watches SET query = previous_query, display = ?, previous_query = NULL, "
                "previous_display = NULL, revised = ? WHERE id = ?",
                [display, self._version(), watch_id],
            )
            return self.find_watch(chat_id, watch_id)

    def undoable_watches(self, chat_id: int) -> set[int]:
        """The chat's live watches whose last fix can be undone."""
        rows = self.db.execute(
            "SELECT id FROM watches WHERE chat_id = ? AND deleted_at IS NULL "
            "AND previous_query IS NOT NULL",
            [chat_id],
        ).fetchall()
        return {row[0] for row in rows}

    def revised_watches(self, since_version: int) -> set[int]:
        """Watches whose query changed after `watches_version` was `since_version`."""
        rows = self.db.execute(
            "SELECT id FROM watches WHERE revised > ?", [since_version]
        ).fetchall()
        return {row[0] for row in rows}

    def flagged_watches(self, since: datetime, chat_id: int | None = None) -> list[Flagged]:
        """Watches with alerts sent since `since` flagged not relevant (of one chat, or all),
        highest rate first."""
        moment = to_epoch(since)
        where = "" if chat_id is None else "AND d.chat_id = ? "
        flagged = self.db.execute(
            "SELECT t.watch_id, d.chat_id, count(DISTINCT t.delivery_id) FROM feedback_taps t "
            "JOIN deliveries d ON d.id = t.delivery_id "
            f"WHERE d.status = ? AND d.sent_at >= ? {where}GROUP BY t.watch_id",
            [DeliveryState.SENT, moment, *([] if chat_id is None else [chat_id])],
        ).fetchall()
        by_chat: dict[int, dict[int, int]] = {}
        for watch_id, chat, count in flagged:
            by_chat.setdefault(chat, {})[watch_id] = count
        found: list[Flagged] = []
        for chat, counts in by_chat.items():
            sent = dict(
                self.db.execute(
                    "SELECT CAST(j.value AS INTEGER), count(*) FROM deliveries d, "
                    "json_each(d.watch_ids) j WHERE d.chat_id = ? AND d.status = ? "
                    "AND d.sent_at >= ? GROUP BY 1",
                    [chat, DeliveryState.SENT, moment],
                ).fetchall()
            )
            for watch_id, count in counts.items():
                watch = self.find_watch(chat, watch_id)
                if watch is not None:
                    found.append(Flagged(watch, count, max(sent.get(watch_id, 0), count)))
        return sorted(found, key=lambda f: (-f.rate, -f.flagged, f.watch.id))

    def _same_display(self, chat_id: int, watch_id: int, display: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM watches WHERE chat_id = ? AND display = ? AND id != ? "
            "AND deleted_at IS NULL",
            [chat_id, display, watch_id],
        ).fetchone()
        return row is not None

    def _version(self) -> int:
        return int(self.get_meta(WATCHES_VERSION) or 0)
