"""Sources: the feeds polled, and their schedule as data (`next_poll_at`).

Rules:
- A URL is a source once; adding it again raises `DuplicateSource`.
- A new or resumed source is due at once; a poll moves `next_poll_at` (worked out by
  `bot.sources`), and a failure adds to the streak that `failing_since` started.
- Removing a source keeps its articles (they may be in alerts); they lose the link.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.models import Source
from bot.sources import SourceSpec
from bot.store.base import StoreBase, from_epoch, inserted_id, to_epoch


class DuplicateSource(Exception):
    """A source with this URL exists already."""


class SourcesMixin(StoreBase):
    """The `sources` table."""

    def add_source(self, spec: SourceSpec, now: datetime) -> Source:
        """Store a new source, due at once; a URL already present raises `DuplicateSource`."""
        if self._source_id_by_url(spec.url) is not None:
            raise DuplicateSource(spec.url)
        table = self.db.table("sources")
        table.insert(
            {
                "name": spec.name,
                "url": spec.url,
                "interval": spec.interval,
                "adaptive": int(spec.adaptive),
                "fetch_article": int(spec.fetch_article),
                "effective_interval": spec.interval,
                "next_poll_at": to_epoch(now),
                "created_at": to_epoch(now),
            }
        )
        return self.get_source(inserted_id(table))

    def import_sources(self, specs: Iterable[SourceSpec], now: datetime) -> int:
        """Add the sources that are not present yet; return how many were added."""
        added = 0
        with self.transaction():
            for spec in specs:
                if self._source_id_by_url(spec.url) is None:
                    self.add_source(spec, now)
                    added += 1
        return added

    def get_source(self, source_id: int) -> Source:
        return _source(self.db.table("sources").get(source_id))

    def list_sources(self) -> list[Source]:
        return [_source(row) for row in self.db.query("SELECT * FROM sources ORDER BY id")]

    def remove_source(self, source_id: int) -> bool:
        """Delete a source; its articles stay (they may be in alerts) but lose the link."""
        with self.transaction():
            self.db.execute("UPDATE articles SET source_id = NULL WHERE source_id = ?", [source_id])
            cursor = self.db.execute("DELETE FROM sources WHERE id = ?", [source_id])
        return cursor.rowcount > 0

    def due_sources(self, now: datetime) -> list[Source]:
        rows = self.db.query(
            "SELECT * FROM sources WHERE active = 1 AND next_poll_at <= ? ORDER BY next_poll_at",
            [to_epoch(now)],
        )
        return [_source(row) for row in rows]

    def record_poll_success(
        self,
        source_id: int,
        now: datetime,
        next_poll_at: datetime,
        effective_interval: float,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """A good poll: the streak of failures, if any, is over."""
        self.db.table("sources").update(
            source_id,
            {
                "seeded": 1,
                "last_polled_at": to_epoch(now),
                "last_success_at": to_epoch(now),
                "next_poll_at": to_epoch(next_poll_at),
                "effective_interval": effective_interval,
                "error_count": 0,
                "last_error": None,
                "failing_since": None,
                "failure_notified": 0,
                "etag": etag,
                "last_modified": last_modified,
            },
        )

    def record_poll_failure(
        self, source_id: int, now: datetime, next_poll_at: datetime, error: str
    ) -> None:
        """A failed poll: one more error in the streak, which starts now if it is the first."""
        self.db.execute(
            "UPDATE sources SET last_polled_at = ?, next_poll_at = ?, "
            "error_count = error_count + 1, last_error = ?, "
            "failing_since = coalesce(failing_since, ?) WHERE id = ?",
            [to_epoch(now), to_epoch(next_poll_at), error[:500], to_epoch(now), source_id],
        )

    def mark_failure_notified(self, source_id: int) -> None:
        self.db.table("sources").update(source_id, {"failure_notified": 1})

    def set_source_active(self, source_id: int, active: bool, now: datetime) -> bool:
        """Pause or resume; a resumed source is due at once. False if there is no such source."""
        cursor = self.db.execute(
            "UPDATE sources SET active = ?, next_poll_at = ? WHERE id = ?",
            [int(active), to_epoch(now), source_id],
        )
        return cursor.rowcount > 0

    def set_source_interval(self, source_id: int, interval: float | None) -> bool:
        """A fixed interval, or None to let it adapt. False if there is no such source."""
        values = [0, interval, interval, source_id] if interval else [1, None, None, source_id]
        cursor = self.db.execute(
            "UPDATE sources SET adaptive = ?, interval = coalesce(?, interval), "
            "effective_interval = coalesce(?, effective_interval) WHERE id = ?",
            values,
        )
        return cursor.rowcount > 0

    def items_since(self, moment: datetime) -> dict[int, int]:
        """Articles first stored since `moment`, per source id."""
        rows = self.db.execute(
            "SELECT source_id, count(*) FROM articles WHERE fetched_at >= ? "
            "AND source_id IS NOT NULL GROUP BY source_id",
            [to_epoch(moment)],
        ).fetchall()
        return {source_id: count for source_id, count in rows}

    def _source_id_by_url(self, url: str) -> int | None:
        rows = list(self.db.query("SELECT id FROM sources WHERE url = ?", [url]))
        return int(rows[0]["id"]) if rows else None


def _source(row: dict[str, Any]) -> Source:
    next_poll = from_epoch(row["next_poll_at"])
    assert next_poll is not None
    return Source(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        interval=row["interval"],
        active=bool(row["active"]),
        seeded=bool(row["seeded"]),
        next_poll_at=next_poll,
        last_success_at=from_epoch(row["last_success_at"]),
        error_count=row["error_count"],
        last_error=row["last_error"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        adaptive=bool(row["adaptive"]),
        effective_interval=row["effective_interval"] or row["interval"],
        failing_since=from_epoch(row["failing_since"]),
        failure_notified=bool(row["failure_notified"]),
        fetch_article=bool(row["fetch_article"]),
    )
