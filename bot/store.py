"""Storage: the only module that writes SQL. One SQLite file through sqlite-utils, WAL mode.

Schema (times are epoch seconds, UTC):
- `sources(id, name, url UNIQUE, interval, active, seeded, next_poll_at, last_polled_at,
  last_success_at, error_count, last_error, etag, last_modified, created_at, adaptive,
  effective_interval, failing_since, failure_notified)`: `seeded` turns true after the first
  successful poll, whose items are stored but never alerted; `active` 0 is paused; an
  `adaptive` source polls at `effective_interval`, worked out from how often it publishes,
  otherwise at `interval`; `failing_since` starts a failure streak, `failure_notified` says the
  admins were told of it.
- `articles(id, source_id → sources (NULL once the source is removed), key UNIQUE, url, title, summary,
  published_at, fetched_at)`: `key` is the dedup key from `parse`, so an article is stored once
  whichever feed carries it, and `save_articles` returns only the new ones.
- `chats(id, type, language, title, active, created_at, previews, timezone)`: `previews` 1
  shows link previews under this chat's alerts; `timezone` (IANA, empty for the configured
  default) is how the chat sees times; `digest` (off, hourly, daily) at `digest_at`, `quiet`
  ("22:00-06:00") and `paused` say how and when alerts reach it; `channel_id` (and its
  `channel_name`) is a channel the chat's alerts are posted to instead.
- `watches(id, chat_id → chats, query, display, created_at, muted, deleted_at)`: `query` as
  typed, `display` as the query language understood it; one live watch per (chat, display);
  a deleted watch keeps its row (`deleted_at`) so the delete can be undone.
- `deliveries(id, chat_id → chats, article_id → articles, watches JSON, status, attempts,
  not_before, created_at, sent_at, message_id, last_error)`, UNIQUE (chat_id, article_id):
  the outbox. `status` is pending, sent or failed; a pending row is sent once `not_before` has
  passed and is marked sent only after Telegram confirms it; `held` waits for the chat's
  next digest (`held_reason`: digest, quiet, storm, resumed); `dropped` was discarded on
  /resume. Later columns: `watch_ids`,
  `terms`, `summary` (what the alert shows), `also` (other outlets that reported the same
  story, JSON [name, url] pairs), `widely` (enough outlets soon enough) and `edit_pending`
  (the sent message must be edited to show them).
- `meta(key, value)`: one-off facts such as whether the shipped sources were imported, and
  `watches_version`, bumped by every change that alters what the match index must hold
  (watches, chats going away or coming back, alias groups).
- `aliases(id, names JSON, created_by, created_at)`: alias groups added by admins.

Migrations are sqlite-utils `Migrations`, applied in order at every open; a migration is never
edited once released, a new one is appended.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from bot.models import (
    Alert,
    Article,
    ChatSettings,
    Delivery,
    Planned,
    RecentAlert,
    Source,
    Stats,
    StoredArticle,
    Watch,
)
from bot.sources import SourceSpec

migrations = Migrations("pantau")


@migrations()
def m001_initial(db: Database) -> None:
    """The walking skeleton's tables."""
    db["sources"].create(
        {
            "id": int,
            "name": str,
            "url": str,
            "interval": float,
            "active": int,
            "seeded": int,
            "next_poll_at": float,
            "last_polled_at": float,
            "last_success_at": float,
            "error_count": int,
            "last_error": str,
            "etag": str,
            "last_modified": str,
            "created_at": float,
        },
        pk="id",
        not_null={"name", "url", "interval", "next_poll_at", "created_at"},
        defaults={"active": 1, "seeded": 0, "error_count": 0},
    )
    db["sources"].create_index(["url"], unique=True)
    db["articles"].create(
        {
            "id": int,
            "source_id": int,
            "key": str,
            "url": str,
            "title": str,
            "summary": str,
            "published_at": float,
            "fetched_at": float,
        },
        pk="id",
        not_null={"key", "url", "title", "fetched_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db["articles"].create_index(["key"], unique=True)
    db["chats"].create(
        {"id": int, "type": str, "language": str, "title": str, "active": int, "created_at": float},
        pk="id",
        not_null={"type", "language", "created_at"},
        defaults={"active": 1},
    )
    db["watches"].create(
        {"id": int, "chat_id": int, "query": str, "created_at": float},
        pk="id",
        not_null={"chat_id", "query", "created_at"},
        foreign_keys=[("chat_id", "chats", "id")],
    )
    db["watches"].create_index(["chat_id", "query"], unique=True)
    db["deliveries"].create(
        {
            "id": int,
            "chat_id": int,
            "article_id": int,
            "watches": str,
            "status": str,
            "attempts": int,
            "not_before": float,
            "created_at": float,
            "sent_at": float,
            "message_id": int,
            "last_error": str,
        },
        pk="id",
        not_null={"chat_id", "article_id", "watches", "status", "not_before", "created_at"},
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("chat_id", "chats", "id"), ("article_id", "articles", "id")],
    )
    db["deliveries"].create_index(["chat_id", "article_id"], unique=True)
    db["deliveries"].create_index(["status", "not_before"])
    db["meta"].create({"key": str, "value": str}, pk="key")


@migrations()
def m002_queries_and_aliases(db: Database) -> None:
    """Watches keep the query as understood; admins' alias groups; a watch-set version."""
    db["watches"].add_column("display", str)
    db.execute("UPDATE watches SET display = query")
    db.execute("DROP INDEX idx_watches_chat_id_query")
    db["watches"].create_index(["chat_id", "display"], unique=True)
    db["aliases"].create(
        {"id": int, "names": str, "created_by": int, "created_at": float},
        pk="id",
        not_null={"names", "created_at"},
    )


@migrations()
def m003_polite_polling(db: Database) -> None:
    """Adaptive intervals, failure streaks and their one-time admin notices."""
    table = db["sources"]
    table.add_column("adaptive", int, not_null_default=0)
    table.add_column("effective_interval", float)
    table.add_column("failing_since", float)
    table.add_column("failure_notified", int, not_null_default=0)
    db.execute("UPDATE sources SET effective_interval = interval")
    db["articles"].create_index(["source_id", "fetched_at"])
    db["articles"].create_index(["fetched_at"])


@migrations()
def m004_alert_content(db: Database) -> None:
    """What an alert shows beyond the article: which watches and terms, the chosen summary;
    sources that are not worth an article fetch; watches muted from an alert's button."""
    deliveries = db["deliveries"]
    deliveries.add_column("watch_ids", str)
    deliveries.add_column("terms", str)
    deliveries.add_column("summary", str)
    db["sources"].add_column("fetch_article", int, not_null_default=1)
    db["watches"].add_column("muted", int, not_null_default=0)


@migrations()
def m005_one_alert_per_story(db: Database) -> None:
    """Outlets that reported an alerted story too, and alerts whose message needs an edit."""
    deliveries = db["deliveries"]
    deliveries.add_column("also", str)
    deliveries.add_column("widely", int, not_null_default=0)
    deliveries.add_column("edit_pending", int, not_null_default=0)
    deliveries.create_index(["chat_id", "created_at"])
    db["chats"].add_column("previews", int, not_null_default=0)
    db["chats"].add_column("timezone", str)


@migrations()
def m006_digests(db: Database) -> None:
    """Digest mode, quiet hours and pausing per chat; held alerts wait for a digest."""
    chats = db["chats"]
    chats.add_column("digest", str, not_null_default="off")
    chats.add_column("digest_at", str, not_null_default="07:00")
    chats.add_column("quiet", str)
    chats.add_column("paused", int, not_null_default=0)
    db["deliveries"].add_column("held_reason", str)


@migrations()
def m007_search(db: Database) -> None:
    """Full-text search over stored articles (a pre-filter for /search)."""
    db["articles"].enable_fts(
        ["title", "summary"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migrations()
def m008_watch_undo(db: Database) -> None:
    """Deleted watches are kept a while so that a delete can be undone."""
    db["watches"].add_column("deleted_at", float)
    db["watches"].create_index(
        ["chat_id", "display"], unique=False, index_name="idx_watches_display"
    )
    db.execute("DROP INDEX idx_watches_chat_id_display")


@migrations()
def m009_topics(db: Database) -> None:
    """A watch made inside a forum topic delivers to that topic."""
    db["watches"].add_column("thread_id", int)
    db["deliveries"].add_column("thread_id", int)


@migrations()
def m010_allowlist(db: Database) -> None:
    """Users admins allowed from chat, for allowlist mode."""
    db["allowed_users"].create({"id": int, "added_by": int, "created_at": float}, pk="id")


@migrations()
def m011_channels(db: Database) -> None:
    """A chat can have its alerts posted to a channel instead."""
    db["chats"].add_column("channel_id", int)
    db["chats"].add_column("channel_name", str)


@migrations()
def m012_left_chats(db: Database) -> None:
    """When a chat went away, so that its watches can be dropped after a grace period."""
    db["chats"].add_column("left_at", float)


class DuplicateSource(Exception):
    """A source with this URL exists already."""


class NotABackup(Exception):
    """The file to restore is not a Pantau database; the message says what it is instead."""


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class Store:
    """Queries and updates, each named for what the pipeline or a command needs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating folder and file) and migrate; the connection may cross threads."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, timeout=10)
        db = Database(connection)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        return cls(db)

    def close(self) -> None:
        self.db.close()

    def answers(self) -> bool:
        """Whether the database answers a query (for /healthz)."""
        try:
            return self.db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    @classmethod
    def restore(cls, backup: Path, target: Path) -> None:
        """Replace the database at `target` with `backup`, then migrate it to this version.

        The copy goes through SQLite's backup API rather than a file copy, so WAL and journal
        files left beside `target` cannot mix old pages into the restored database.
        """
        try:
            source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise NotABackup(f"{backup} cannot be opened: {exc}") from exc
        with closing(source):
            try:
                tables = {
                    name
                    for (name,) in source.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
            except sqlite3.DatabaseError as exc:
                raise NotABackup(f"{backup} is not a SQLite database") from exc
            if not {"_sqlite_migrations", "sources", "deliveries"} <= tables:
                raise NotABackup(f"{backup} is not a Pantau database")
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target, timeout=10)) as live:
                source.backup(live)
        cls.open(target).close()

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite's online backup), safe while running."""
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(target)
        try:
            self.db.conn.backup(copy)
        finally:
            copy.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several calls so that they all happen or none does."""
        with self.db.atomic():
            yield

    # meta

    def get_meta(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM meta WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    # sources

    def add_source(self, spec: SourceSpec, now: datetime) -> Source:
        """Store a new source, due at once; a URL already present raises `DuplicateSource`."""
        if self._source_id_by_url(spec.url) is not None:
            raise DuplicateSource(spec.url)
        table = self.db["sources"]
        table.insert(
            {
                "name": spec.name,
                "url": spec.url,
                "interval": spec.interval,
                "adaptive": int(spec.adaptive),
                "fetch_article": int(spec.fetch_article),
                "effective_interval": spec.interval,
                "next_poll_at": _epoch(now),
                "created_at": _epoch(now),
            }
        )
        return self.get_source(int(table.last_pk))

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
        return _source(self.db["sources"].get(source_id))

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
            [_epoch(now)],
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
        self.db["sources"].update(
            source_id,
            {
                "seeded": 1,
                "last_polled_at": _epoch(now),
                "last_success_at": _epoch(now),
                "next_poll_at": _epoch(next_poll_at),
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
            [_epoch(now), _epoch(next_poll_at), error[:500], _epoch(now), source_id],
        )

    def mark_failure_notified(self, source_id: int) -> None:
        self.db["sources"].update(source_id, {"failure_notified": 1})

    def set_source_active(self, source_id: int, active: bool, now: datetime) -> bool:
        """Pause or resume; a resumed source is due at once. False if there is no such source."""
        cursor = self.db.execute(
            "UPDATE sources SET active = ?, next_poll_at = ? WHERE id = ?",
            [int(active), _epoch(now), source_id],
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
            [_epoch(moment)],
        ).fetchall()
        return {source_id: count for source_id, count in rows}

    def _source_id_by_url(self, url: str) -> int | None:
        rows = list(self.db.query("SELECT id FROM sources WHERE url = ?", [url]))
        return int(rows[0]["id"]) if rows else None

    # articles

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
        table = self.db["articles"]
        for article in fresh:
            table.insert(
                {
                    "source_id": source.id,
                    "key": article.key,
                    "url": article.url,
                    "title": article.title,
                    "summary": article.summary,
                    "published_at": _epoch(article.published_at) if article.published_at else None,
                    "fetched_at": _epoch(now),
                }
            )
            stored.append(
                StoredArticle(
                    id=int(table.last_pk),
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
            [_epoch(since), limit],
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
        return self.db["articles"].count

    def prune_articles(self, before: datetime) -> int:
        """Delete articles first stored before `before`, with their finished deliveries.

        An article still waiting in the outbox is kept, so pruning never loses an alert.
        """
        cutoff = _epoch(before)
        waiting = "SELECT article_id FROM deliveries WHERE status = 'pending'"
        with self.transaction():
            self.db.execute(
                f"DELETE FROM deliveries WHERE status != 'pending' AND article_id IN "
                f"(SELECT id FROM articles WHERE fetched_at < ? AND id NOT IN ({waiting}))",
                [cutoff],
            )
            cursor = self.db.execute(
                f"DELETE FROM articles WHERE fetched_at < ? AND id NOT IN ({waiting})",
                [cutoff],
            )
        return cursor.rowcount

    # chats and watches

    def ensure_chat(
        self, chat_id: int, chat_type: str, language: str, title: str, now: datetime
    ) -> None:
        """Record a chat the first time it talks to the bot; reactivate it if it had left."""
        rows = list(self.db.query("SELECT active FROM chats WHERE id = ?", [chat_id]))
        if not rows:
            self.db["chats"].insert(
                {
                    "id": chat_id,
                    "type": chat_type,
                    "language": language,
                    "title": title,
                    "active": 1,
                    "created_at": _epoch(now),
                }
            )
        elif not rows[0]["active"]:
            self.db["chats"].update(chat_id, {"active": 1, "title": title, "left_at": None})
            self._bump_watches()

    def chat_language(self, chat_id: int) -> str | None:
        rows = list(self.db.query("SELECT language FROM chats WHERE id = ?", [chat_id]))
        return rows[0]["language"] if rows else None

    def migrate_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its settings, watches and queued alerts move along."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO chats (id, type, language, title, active, created_at, "
                "previews) SELECT ?, 'supergroup', language, title, active, created_at, previews "
                "FROM chats WHERE id = ?",
                [new, old],
            )
            self.db.execute("UPDATE watches SET chat_id = ? WHERE chat_id = ?", [new, old])
            self.db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", [new, old]
            )
            self.db.execute("UPDATE chats SET active = 0 WHERE id = ?", [old])
            self._bump_watches()

    def chat_settings(self, chat_id: int) -> tuple[str, ChatSettings, bool]:
        """(language, delivery settings, link previews) of a chat that has talked to the bot."""
        row = next(iter(self.db.query("SELECT * FROM chats WHERE id = ?", [chat_id])))
        return row["language"], _chat_settings(row), bool(row["previews"])

    def allow_user(self, user_id: int, admin_id: int, now: datetime) -> None:
        self.db["allowed_users"].upsert(
            {"id": user_id, "added_by": admin_id, "created_at": _epoch(now)}, pk="id"
        )

    def is_allowed(self, user_id: int) -> bool:
        return bool(
            self.db.execute("SELECT 1 FROM allowed_users WHERE id = ?", [user_id]).fetchall()
        )

    def set_channel(self, chat_id: int, channel_id: int | None, name: str | None) -> None:
        """Post this chat's alerts to a channel (None: back to the chat itself)."""
        self.db.execute(
            "UPDATE chats SET channel_id = ?, channel_name = ? WHERE id = ?",
            [channel_id, name, chat_id],
        )

    def set_language(self, chat_id: int, language: str) -> None:
        self.db.execute("UPDATE chats SET language = ? WHERE id = ?", [language, chat_id])

    def set_timezone(self, chat_id: int, zone: str) -> None:
        """The IANA zone in which this chat sees times."""
        self.db.execute("UPDATE chats SET timezone = ? WHERE id = ?", [zone, chat_id])

    def set_digest(self, chat_id: int, mode: str, at: str) -> None:
        self.db.execute(
            "UPDATE chats SET digest = ?, digest_at = ? WHERE id = ?", [mode, at, chat_id]
        )

    def set_quiet(self, chat_id: int, window: str | None) -> None:
        """Quiet hours as "HH:MM-HH:MM", or None for none."""
        self.db.execute("UPDATE chats SET quiet = ? WHERE id = ?", [window, chat_id])

    def set_paused(self, chat_id: int, paused: bool) -> None:
        self.db.execute("UPDATE chats SET paused = ? WHERE id = ?", [int(paused), chat_id])

    def count_pending(self, chat_id: int) -> int:
        rows = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = 'pending'", [chat_id]
        ).fetchall()
        return int(rows[0][0])

    def resume(self, chat_id: int, missed_as_digest: bool) -> int:
        """Unpause; the alerts missed meanwhile go to a digest now, or are dropped."""
        with self.transaction():
            if missed_as_digest:
                cursor = self.db.execute(
                    "UPDATE deliveries SET status = 'held', held_reason = 'resumed' "
                    "WHERE chat_id = ? AND status = 'pending'",
                    [chat_id],
                )
            else:
                cursor = self.db.execute(
                    "UPDATE deliveries SET status = 'dropped' WHERE chat_id = ? AND status = 'pending'",
                    [chat_id],
                )
            self.set_paused(chat_id, False)
        return cursor.rowcount

    def hold(self, delivery_id: int, reason: str) -> None:
        """Keep an alert for the chat's next digest."""
        self.db.execute(
            "UPDATE deliveries SET status = 'held', held_reason = ? WHERE id = ?",
            [reason, delivery_id],
        )

    def sent_since(self, chat_id: int, moment: datetime) -> int:
        rows = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = 'sent' AND sent_at >= ?",
            [chat_id, _epoch(moment)],
        ).fetchall()
        return int(rows[0][0])

    def held(self) -> dict[int, list[Delivery]]:
        """Held alerts of active, unpaused chats, oldest first, by chat."""
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = 'held' AND c.active = 1 AND c.paused = 0 "
            "ORDER BY d.id"
        )
        by_chat: dict[int, list[Delivery]] = {}
        for row in rows:
            by_chat.setdefault(row["chat_id"], []).append(_delivery(row))
        return by_chat

    def mark_digest_sent(self, delivery_ids: Sequence[int], message_id: int, now: datetime) -> None:
        with self.transaction():
            for delivery_id in delivery_ids:
                self.mark_sent(delivery_id, message_id, now)

    def set_previews(self, chat_id: int, shown: bool) -> None:
        """Whether this chat's alerts show Telegram's link preview (off unless asked for)."""
        self.db.execute("UPDATE chats SET previews = ? WHERE id = ?", [int(shown), chat_id])

    def deactivate_chat(self, chat_id: int) -> None:
        """The chat blocked or removed the bot: alerts stop; its watches wait for its return."""
        self.db.execute(
            "UPDATE chats SET active = 0, left_at = coalesce(left_at, ?) WHERE id = ?",
            [_epoch(datetime.now(UTC)), chat_id],
        )
        self._bump_watches()

    def drop_watches_of_chats_gone_since(self, before: datetime) -> int:
        """Delete the watches of chats that left before `before` and never came back."""
        cursor = self.db.execute(
            "DELETE FROM watches WHERE chat_id IN "
            "(SELECT id FROM chats WHERE active = 0 AND left_at < ?)",
            [_epoch(before)],
        )
        return cursor.rowcount

    def add_watch(
        self, chat_id: int, query: str, display: str, now: datetime, thread_id: int | None = None
    ) -> tuple[Watch, bool]:
        """Add a watch; return it and whether it is new (one understood the same is reused)."""
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE chat_id = ? AND display = ? AND deleted_at IS NULL",
                [chat_id, display],
            )
        )
        if rows:
            return _watch(rows[0]), False
        table = self.db["watches"]
        table.insert(
            {
                "chat_id": chat_id,
                "query": query,
                "display": display,
                "created_at": _epoch(now),
                "thread_id": thread_id,
            }
        )
        self._bump_watches()
        return Watch(int(table.last_pk), chat_id, query, display, thread_id=thread_id), True

    def remove_watch(self, chat_id: int, watch_id: int | None, text: str) -> Watch | None:
        """Delete this chat's watch by id or by its text; None when it has no such watch."""
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE chat_id = ? AND deleted_at IS NULL "
                "AND (id = ? OR lower(query) = lower(?) OR lower(display) = lower(?))",
                [chat_id, watch_id, text, text],
            )
        )
        if not rows:
            return None
        self.db.execute(
            "UPDATE watches SET deleted_at = ? WHERE id = ?",
            [_epoch(datetime.now(UTC)), rows[0]["id"]],
        )
        self._bump_watches()
        return _watch(rows[0])

    def restore_watch(self, chat_id: int, watch_id: int) -> Watch | None:
        """Undo a delete, unless the chat has since added the same watch again."""
        found = self.find_watch(chat_id, watch_id, deleted=True)
        if found is None or self._live_watch(chat_id, found.display) is not None:
            return None
        self.db.execute("UPDATE watches SET deleted_at = NULL WHERE id = ?", [watch_id])
        self._bump_watches()
        return found

    def find_watch(self, chat_id: int, watch_id: int, *, deleted: bool = False) -> Watch | None:
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE id = ? AND chat_id = ? AND deleted_at IS "
                + ("NOT NULL" if deleted else "NULL"),
                [watch_id, chat_id],
            )
        )
        return _watch(rows[0]) if rows else None

    def _live_watch(self, chat_id: int, display: str) -> Watch | None:
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE chat_id = ? AND display = ? AND deleted_at IS NULL",
                [chat_id, display],
            )
        )
        return _watch(rows[0]) if rows else None

    def set_muted(self, chat_id: int, watch_id: int, muted: bool) -> Watch | None:
        """Mute or unmute one of this chat's watches; None when the chat has no such watch."""
        cursor = self.db.execute(
            "UPDATE watches SET muted = ? WHERE id = ? AND chat_id = ? AND deleted_at IS NULL",
            [int(muted), watch_id, chat_id],
        )
        if not cursor.rowcount:
            return None
        self._bump_watches()
        return _watch(next(iter(self.db.query("SELECT * FROM watches WHERE id = ?", [watch_id]))))

    def list_watches(self, chat_id: int) -> list[Watch]:
        rows = self.db.query(
            "SELECT * FROM watches WHERE chat_id = ? AND deleted_at IS NULL ORDER BY id", [chat_id]
        )
        return [_watch(row) for row in rows]

    def active_watches(self) -> list[Watch]:
        rows = self.db.query(
            "SELECT watches.* FROM watches JOIN chats ON chats.id = watches.chat_id "
            "WHERE chats.active = 1 AND watches.muted = 0 AND watches.deleted_at IS NULL "
            "ORDER BY watches.id"
        )
        return [_watch(row) for row in rows]

    def active_watch_ids(self) -> set[int]:
        """Ids of the watches the match index must hold: those of active chats."""
        rows = self.db.execute(
            "SELECT watches.id FROM watches JOIN chats ON chats.id = watches.chat_id "
            "WHERE chats.active = 1 AND watches.muted = 0 AND watches.deleted_at IS NULL"
        ).fetchall()
        return {row[0] for row in rows}

    def watches_by_ids(self, ids: Iterable[int]) -> list[Watch]:
        wanted = sorted(ids)
        found: list[Watch] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            rows = self.db.query(f"SELECT * FROM watches WHERE id IN ({placeholders})", chunk)
            found += [_watch(row) for row in rows]
        return found

    def watches_version(self) -> int:
        """Changes whenever the set of active watches or the alias groups change."""
        return int(self.get_meta("watches_version") or 0)

    def aliases_version(self) -> int:
        """Changes whenever admins add or remove an alias group."""
        return int(self.get_meta("aliases_version") or 0)

    def _bump_watches(self) -> None:
        self._bump("watches_version")

    def _bump(self, key: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [key],
        )

    # aliases

    def add_alias_group(self, names: list[str], user_id: int, now: datetime) -> int:
        table = self.db["aliases"]
        table.insert({"names": json.dumps(names), "created_by": user_id, "created_at": _epoch(now)})
        self._bump("aliases_version")
        self._bump_watches()
        return int(table.last_pk)

    def alias_groups(self) -> list[tuple[int, list[str]]]:
        rows = self.db.query("SELECT id, names FROM aliases ORDER BY id")
        return [(row["id"], json.loads(row["names"])) for row in rows]

    def remove_alias_group(self, group_id: int) -> bool:
        cursor = self.db.execute("DELETE FROM aliases WHERE id = ?", [group_id])
        self._bump("aliases_version")
        self._bump_watches()
        return cursor.rowcount > 0

    # outbox

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
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
                [
                    alert.chat_id,
                    stored[alert.article_key].id,
                    json.dumps(list(alert.watches)),
                    json.dumps(list(alert.watch_ids)),
                    json.dumps(list(alert.terms)),
                    alert.summary,
                    alert.thread_id,
                    _epoch(now),
                    _epoch(now),
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
                "SELECT d.also, d.created_at, d.status, coalesce(s.name, '') AS first_source "
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
        self.db["deliveries"].update(
            delivery_id,
            {
                "also": json.dumps(also),
                "widely": int(len(outlets) + 1 >= widely[0] and within),
                "edit_pending": int(row["status"] == "sent"),
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
            [*wanted, _epoch(since)],
        )
        return [RecentAlert(r["id"], r["chat_id"], r["title"], r["summary"]) for r in rows]

    def due_edits(self, limit: int = 50) -> list[Delivery]:
        """Sent alerts whose message must be edited (another outlet reported the story)."""
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = 'sent' AND d.edit_pending = 1 AND c.active = 1 "
            "ORDER BY d.id LIMIT ?",
            [limit],
        )
        return [_delivery(row) for row in rows]

    def edit_done(self, delivery_id: int) -> None:
        self.db["deliveries"].update(delivery_id, {"edit_pending": 0})

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        rows = self.db.query(
            _DELIVERY_SELECT + "WHERE d.status = 'pending' AND d.not_before <= ? AND c.active = 1 "
            "AND c.paused = 0 ORDER BY d.id LIMIT ?",
            [_epoch(now), limit],
        )
        return [_delivery(row) for row in rows]

    def mark_sent(self, delivery_id: int, message_id: int, now: datetime) -> None:
        self.db["deliveries"].update(
            delivery_id,
            {
                "status": "sent",
                "sent_at": _epoch(now),
                "message_id": message_id,
                "last_error": None,
            },
        )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ? "
            "WHERE id = ?",
            [error[:500], delivery_id],
        )

    def defer(self, delivery_id: int, until: datetime, error: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, not_before = ?, last_error = ? "
            "WHERE id = ?",
            [_epoch(until), error[:500], delivery_id],
        )

    def stats(self, since: datetime) -> Stats:
        """Counts for /stats; alerts failed since `since` are those queued since then."""
        moment = _epoch(since)
        states = Counter(source.state for source in self.list_sources())

        def count(sql: str) -> int:
            return int(self.db.execute(sql, [moment]).fetchone()[0])

        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        page_size = self.db.execute("PRAGMA page_size").fetchone()[0]
        return Stats(
            sources_active=states["active"],
            sources_failing=states["failing"],
            sources_paused=states["paused"],
            articles_today=count("SELECT count(*) FROM articles WHERE fetched_at >= ?"),
            alerts_sent_today=count(
                "SELECT count(*) FROM deliveries WHERE status = 'sent' AND sent_at >= ?"
            ),
            alerts_failed_today=count(
                "SELECT count(*) FROM deliveries WHERE status = 'failed' AND created_at >= ?"
            ),
            queued=self.count_deliveries("pending"),
            held=self.count_deliveries("held"),
            database_bytes=pages * page_size,
        )

    def oldest_pending(self) -> datetime | None:
        """When the oldest alert still waiting to be sent was queued (for the outbox age)."""
        row = self.db.execute(
            "SELECT min(created_at) FROM deliveries WHERE status = 'pending'"
        ).fetchone()
        return _moment(row[0])

    def count_deliveries(self, status: str) -> int:
        rows = self.db.query("SELECT count(*) AS n FROM deliveries WHERE status = ?", [status])
        return int(next(iter(rows))["n"])


_ARTICLE_SELECT = (
    "SELECT a.id, a.url, a.title, a.summary, a.published_at, a.key, "
    "coalesce(s.name, '') AS source_name, coalesce(s.url, '') AS source_url "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
)


def _chat_settings(row: dict[str, Any]) -> ChatSettings:
    quiet, paused = row["quiet"] or "", bool(row["paused"])
    return ChatSettings(row["timezone"] or "", row["digest"], row["digest_at"], quiet, paused)


def _stored(row: dict[str, Any]) -> StoredArticle:
    return StoredArticle(
        row["id"],
        row["source_name"],
        row["source_url"],
        row["url"],
        row["title"],
        row["summary"] or "",
        _moment(row["published_at"]),
        row["key"],
    )


_DELIVERY_SELECT = (
    "SELECT d.id, d.attempts, d.chat_id, d.watches, d.watch_ids, d.terms, d.summary AS chosen, "
    "d.also, d.widely, d.message_id, d.held_reason, d.created_at, d.thread_id, c.language, "
    "c.previews, c.channel_id, "
    "c.timezone, c.digest, c.digest_at, c.quiet, c.paused, "
    "a.id AS article_id, a.url, a.title, a.summary, a.published_at, "
    "coalesce(s.name, '') AS source_name, coalesce(s.url, '') AS source_url "
    "FROM deliveries d JOIN articles a ON a.id = d.article_id "
    "JOIN chats c ON c.id = d.chat_id LEFT JOIN sources s ON s.id = a.source_id "
)


def _source(row: dict[str, Any]) -> Source:
    next_poll = _moment(row["next_poll_at"])
    assert next_poll is not None
    return Source(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        interval=row["interval"],
        active=bool(row["active"]),
        seeded=bool(row["seeded"]),
        next_poll_at=next_poll,
        last_success_at=_moment(row["last_success_at"]),
        error_count=row["error_count"],
        last_error=row["last_error"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        adaptive=bool(row["adaptive"]),
        effective_interval=row["effective_interval"] or row["interval"],
        failing_since=_moment(row["failing_since"]),
        failure_notified=bool(row["failure_notified"]),
        fetch_article=bool(row["fetch_article"]),
    )


def _watch(row: dict[str, Any]) -> Watch:
    display = row["display"] or row["query"]
    return Watch(
        row["id"], row["chat_id"], row["query"], display, bool(row["muted"]), row["thread_id"]
    )


def _delivery(row: dict[str, Any]) -> Delivery:
    article = StoredArticle(
        id=row["article_id"],
        source_name=row["source_name"],
        source_url=row["source_url"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"] or "",
        published_at=_moment(row["published_at"]),
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
    settings = _chat_settings(row)
    return Delivery(
        row["id"],
        row["attempts"],
        alert,
        row["message_id"],
        settings,
        row["held_reason"] or "",
        _moment(row["created_at"]),
    )
