"""Articles: what the feeds published, stored once by dedup key.

Rules:
- `key` (from `parse`) makes an article the same whichever feed carries it; `save_articles`
  stores only unseen keys and returns exactly those, so nothing downstream asks "seen it?".
- Pruning never deletes an article an alert still waits for.
- `search_articles` is a full-text pre-filter (a superset); the matcher has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.models import Article, Source, StoredArticle
from bot.store.base import StoreBase, from_epoch, inserted_id, to_epoch
from bot.store.outbox import DeliveryState

_ARTICLE_SELECT = (
    "SELECT a.id, a.url, a.title, a.summary, a.published_at, a.key, "
    "coalesce(s.name, '') AS source_name, coalesce(s.url, '') AS source_url "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
)


class ArticlesMixin(StoreBase):
    """The `articles` table and its full-text index."""

    def save_articles(
        self, source: Source, articles: Sequence[Article], now: datetime
    ) -> list[StoredArticle]:
        """Store the articles not seen before (by key) and return exactly those."""
        unique = {article.key: article for article in reversed(articles)}
        if not unique:
            return []
        keys = list(unique)
        placeholders = ",".join("?" * len(keys))
        seen = {
            row["key"]
            for row in self.db.query(
                f"SELECT key FROM articles WHERE key IN ({placeholders})", keys
            )
        }
        fresh = [unique[key] for key in keys if key not in seen]
        stored = []
        table = self.db.table("articles")
        for article in fresh:
            table.insert(
                {
                    "source_id": source.id,
                    "key": article.key,
                    "url": article.url,
                    "title": article.title,
                    "summary": article.summary,
                    "published_at": to_epoch(article.published_at)
                    if article.published_at
                    else None,
                    "fetched_at": to_epoch(now),
                }
            )
            stored.append(
                StoredArticle(
                    id=inserted_id(table),
                    source_name=source.name,
                    source_url=source.url,
                    url=article.url,
                    title=article.title,
                    summary=article.summary,
                    published_at=article.published_at,
                    key=article.key,
                )
            )
        return stored

    def unseen(self, articles: Sequence[Article]) -> list[Article]:
        """The articles whose key is not stored yet, once each, in feed order."""
        unique = {article.key: article for article in reversed(articles)}
        if not unique:
            return []
        keys = list(unique)
        placeholders = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT key FROM articles WHERE key IN ({placeholders})", keys
        ).fetchall()
        seen = {row[0] for row in rows}
        return [unique[key] for key in reversed(keys) if key not in seen]

    def recent_articles(self, since: datetime, limit: int = 5000) -> list[StoredArticle]:
        """Articles first stored since `since`, newest first."""
        rows = self.db.query(
            _ARTICLE_SELECT + "WHERE a.fetched_at >= ? ORDER BY a.fetched_at DESC, a.id DESC "
            "LIMIT ?",
            [to_epoch(since), limit],
        )
        return [_stored(row) for row in rows]

    def search_articles(
        self, phrases: Sequence[Sequence[str]], limit: int = 500
    ) -> list[StoredArticle]:
        """Newest articles whose text holds any of these word sequences (the last word as a
        prefix, so clitics count), by full-text index: a superset that the matcher narrows."""
        terms = [
            " + ".join(f'"{token}"' for token in phrase) + "*"
            for phrase in phrases
            if phrase and all('"' not in token for token in phrase)
        ]
        if not terms:
            return []
        rows = self.db.query(
            _ARTICLE_SELECT + "JOIN articles_fts ON articles_fts.rowid = a.id "
            "WHERE articles_fts MATCH ? ORDER BY a.fetched_at DESC, a.id DESC LIMIT ?",
            [" OR ".join(terms), limit],
        )
        return [_stored(row) for row in rows]

    def count_articles(self) -> int:
        return self.db.table("articles").count

    def prune_articles(self, before: datetime) -> int:
        """Delete articles first stored before `before`, with their finished deliveries.

        An article still waiting in the outbox is kept, so pruning never loses an alert.
        """
        cutoff = to_epoch(before)
        waiting = "SELECT article_id FROM deliveries WHERE status = ?"
        with self.transaction():
            self.db.execute(
                f"DELETE FROM deliveries WHERE status != ? AND article_id IN "
                f"(SELECT id FROM articles WHERE fetched_at < ? AND id NOT IN ({waiting}))",
                [DeliveryState.PENDING, cutoff, DeliveryState.PENDING],
            )
            cursor = self.db.execute(
                f"DELETE FROM articles WHERE fetched_at < ? AND id NOT IN ({waiting})",
                [cutoff, DeliveryState.PENDING],
            )
        return cursor.rowcount


def _stored(row: dict[str, Any]) -> StoredArticle:
    return StoredArticle(
        row["id"],
        row["source_name"],
        row["source_url"],
        row["url"],
        row["title"],
        row["summary"] or "",
        from_epoch(row["published_at"]),
        row["key"],
    )
