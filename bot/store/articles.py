"""Articles: what the feeds published, stored once by dedup key, with their page text.

Rules:
- `key` (from `parse`) makes an article the same whichever feed carries it; `save_articles`
  stores only unseen keys and returns exactly those, so nothing downstream asks "seen it?".
- An article's outlet is its source's, unless an aggregator's item named another
  (`outlet`, `outlet_url`): every query here returns that as `source_name` and `source_url`.
- Page text is kept compressed (zlib, in `article_texts`), at most `MAX_TEXT` characters.
  Measured by `benchmarks/storage.py` on 3,000 real Indonesian articles (2,100 characters on
  average): per 1,000 articles, 1.05 MB with the feed's text only, 5.44 MB with the page text
  kept plainly and fully indexed, 5.41 MB truncated to 5,000 characters, 3.66 MB compressed
  with a contentless index, 2.41 MB compressed with a contentless index without word
  positions. News articles are short, so truncating saves almost nothing; the text and its
  index are where the bytes are, so compression it is, and an index that keeps neither a
  copy of the text nor word positions. `MAX_TEXT` only bounds a freak page.
- `articles_fts` is kept here, in the same transaction as the rows it indexes: a row added with
  exactly the text indexed, removed (FTS5 "delete") with exactly that text again.
- `search_articles` is a full-text pre-filter (a superset); the matcher has the last word.
- Pruning never deletes an article an alert still waits for.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.models import Article, Source, StoredArticle
from bot.store.base import StoreBase, from_epoch, to_epoch
from bot.store.outbox import DeliveryState

MAX_TEXT = 20_000  # characters of page text kept; ten times a typical article
_CHUNK = 500  # ids per statement when deleting
_ARTICLE_SELECT = (
    "SELECT a.id, a.url, a.title, a.summary, a.published_at, a.key, t.text AS packed, "
    "coalesce(nullif(a.outlet, ''), s.name, '') AS source_name, "
    "coalesce(nullif(a.outlet_url, ''), s.url, '') AS source_url "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
    "LEFT JOIN article_texts t ON t.article_id = a.id "
)


class ArticlesMixin(StoreBase):
    """The `articles` and `article_texts` tables and their full-text index."""

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
        for article in fresh:
            text = article.text[:MAX_TEXT]
            cursor = self.db.execute(
                "INSERT INTO articles (source_id, key, url, title, summary, published_at, "
                "fetched_at, outlet, outlet_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source.id,
                    article.key,
                    article.url,
                    article.title,
                    article.summary,
                    to_epoch(article.published_at) if article.published_at else None,
                    to_epoch(now),
                    article.outlet or None,
                    article.outlet_url or None,
                ],
            )
            article_id = int(cursor.lastrowid or 0)
            if text:
                self.db.execute(
                    "INSERT INTO article_texts (article_id, text) VALUES (?, ?)",
                    [article_id, _pack(text)],
                )
            self.db.execute(
                "INSERT INTO articles_fts (rowid, title, summary, text) VALUES (?, ?, ?, ?)",
                [article_id, article.title, article.summary, text],
            )
            stored.append(
                StoredArticle(
                    id=article_id,
                    source_name=article.outlet or source.name,
                    source_url=article.outlet_url or source.url,
                    url=article.url,
                    title=article.title,
                    summary=article.summary,
                    published_at=article.published_at,
                    key=article.key,
                    text=text,
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
        self, phrases: Sequence[Sequence[str]], since: datetime | None = None, limit: int = 500
    ) -> list[StoredArticle]:
        """Newest articles whose title, feed text or page text holds all the words of any of
        these word sequences (the last word as a prefix, so clitics count), stored since
        `since` if given: a superset that the matcher narrows."""
        terms = [
            "(" + " AND ".join(f'"{token}"' for token in phrase) + "*)"
            for phrase in phrases
            if phrase and all('"' not in token for token in phrase)
        ]
        if not terms:
            return []
        rows = self.db.query(
            _ARTICLE_SELECT + "WHERE a.id IN (SELECT rowid FROM articles_fts "
            "WHERE articles_fts MATCH ?) AND a.fetched_at >= ? "
            "ORDER BY a.fetched_at DESC, a.id DESC LIMIT ?",
            [" OR ".join(terms), to_epoch(since) if since else 0.0, limit],
        )
        return [_stored(row) for row in rows]

    def count_articles(self) -> int:
        return self.db.table("articles").count

    def prune_articles(self, before: datetime) -> int:
        """Delete articles first stored before `before`, with their text, index entries and
        finished deliveries.

        An article still waiting in the outbox is kept, so pruning never loses an alert.
        """
        rows = self.db.execute(
            "SELECT id FROM articles WHERE fetched_at < ? AND id NOT IN "
            "(SELECT article_id FROM deliveries WHERE status = ?)",
            [to_epoch(before), DeliveryState.PENDING],
        ).fetchall()
        ids = [row[0] for row in rows]
        with self.transaction():
            for start in range(0, len(ids), _CHUNK):
                self._delete_articles(ids[start : start + _CHUNK])
        return len(ids)

    def _delete_articles(self, ids: Sequence[int]) -> None:
        placeholders = ",".join("?" * len(ids))
        for row in self.db.query(
            "SELECT a.id, a.title, a.summary, t.text AS packed FROM articles a "
            f"LEFT JOIN article_texts t ON t.article_id = a.id WHERE a.id IN ({placeholders})",
            list(ids),
        ):
            self.db.execute(
                "INSERT INTO articles_fts (articles_fts, rowid, title, summary, text) "
                "VALUES ('delete', ?, ?, ?, ?)",
                [row["id"], row["title"], row["summary"] or "", _unpack(row["packed"])],
            )
        for table in ("deliveries", "article_texts"):
            self.db.execute(f"DELETE FROM {table} WHERE article_id IN ({placeholders})", ids)
        self.db.execute(f"DELETE FROM articles WHERE id IN ({placeholders})", ids)


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(packed: bytes | None) -> str:
    return zlib.decompress(packed).decode("utf-8") if packed else ""


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
        _unpack(row["packed"]),
    )
