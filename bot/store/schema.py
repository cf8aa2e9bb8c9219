"""The schema and its migrations: the only place tables, columns and indexes are declared.

Schema (times are epoch seconds, UTC):
- `sources(id, name, url UNIQUE, interval, active, seeded, next_poll_at, last_polled_at,
  last_success_at, error_count, last_error, etag, last_modified, created_at, adaptive,
  effective_interval, failing_since, failure_notified, fetch_article)`: `seeded` turns true
  after the first successful poll, whose items are stored but never alerted; `active` 0 is
  paused; an `adaptive` source polls at `effective_interval`, worked out from how often it
  publishes, otherwise at `interval`; `failing_since` starts a failure streak,
  `failure_notified` says the admins were told of it; `fetch_article` 0 never fetches pages.
- `articles(id, source_id → sources (NULL once the source is removed), key UNIQUE, url, title,
  summary, published_at, fetched_at, outlet, outlet_url)`: `key` is the dedup key from
  `parse`, so an article is stored once whichever feed carries it; `outlet` and `outlet_url`
  name the publisher of an aggregator's item (Google News), NULL otherwise.
- `article_texts(article_id → articles, text)`: the article page's text, zlib-compressed UTF-8
  (see `articles.py` for why), for the articles whose page was read.
- `articles_fts(title, summary, text)`: an FTS5 index of each article's title, feed text and
  page text, for /search and the /watch previews. It is contentless (it keeps no copy of the
  text) and `detail=none` (no word positions): a pre-filter the matcher narrows, a third of
  the size of a full index. Rows are added and removed by `articles.py`, with the text as
  indexed (no triggers: SQLite cannot decompress in a trigger).
- `chats(id, type, language, title, active, created_at, previews, timezone, digest, digest_at,
  quiet, paused, channel_id, channel_name, left_at)`: `previews` 1 shows link previews under
  the chat's alerts; `timezone` (IANA, empty for the configured default) is how the chat sees
  times; `digest` (off, hourly, daily) at `digest_at`, `quiet` ("22:00-06:00") and `paused`
  say how and when alerts reach it; `channel_id` (and its `channel_name`) is a channel the
  chat's alerts are posted to instead; `left_at` is when it removed or blocked the bot;
  `held_since`, `held_boundary` and `digest_due_at` sum up its held alerts (see `outbox`).
- `allowed_users(id, added_by, created_at)`: users admins allowed from chat (allowlist mode).
- `watches(id, chat_id → chats, query, display, created_at, muted, deleted_at, thread_id)`:
  `query` as typed, `display` as the query language understood it; one live watch per (chat,
  display); a deleted watch keeps its row (`deleted_at`) so the delete can be undone;
  `thread_id` is the forum topic it was made in.
- `aliases(id, names JSON, created_by, created_at)`: alias groups added by admins.
- `context_rules(id, kind, words JSON, created_by, created_at)`: context rules added by admins
  (`kind` name: a longer name that is something else; variant: single-word spellings of one
  word; person: a known person's full name), merged after `config/context.toml`'s.
- `deliveries(id, chat_id → chats, article_id → articles, watches JSON, status, attempts,
  not_before, created_at, sent_at, message_id, last_error, watch_ids, terms, summary, also,
  widely, edit_pending, held_reason, thread_id)`, UNIQUE (chat_id, article_id): the outbox.
  `status` is one of `states.DeliveryState` (pending, sent, failed, held, dropped);
  `held_reason` says why a held alert waits (digest, quiet, storm, resumed). `summary` is what
  the alert shows, `also` the other outlets that reported the same story (JSON [name, url]
  pairs), `widely` enough outlets soon enough, `edit_pending` that the sent message must be
  edited to show them (retried at `edit_not_before`, `edit_attempts` so far); `part_id` is the
  digest part (`messages`) a held alert went out in.
- `messages(id, chat_id, kind, html, thread_id, status, attempts, not_before, created_at,
  sent_at, message_id, last_error)`: the rest of the outbox — digest parts (`kind` digest) and
  notices (`kind` notice, to admins or to a chat), each sent, retried and failed on its own;
  replies and reports the bot makes on its own (`kind` trend, spike, report) may carry a
  photo or document (`media` photo or document, `filename`, `file` bytes, emptied once sent or
  failed) whose caption is `html`.
- `watch_matches(id, watch_id → watches, article_id → articles, at, terms JSON, live)`: every
  (watch, article) match, `at` the article's time (published, never after it was stored),
  `live` 1 when recorded at ingest, 0 when back-filled; deleted with its article (cascade).
- `match_days(watch_id, day, outlet, articles)`: matches per watch, local day (YYYY-MM-DD in
  the chat's zone when folded) and outlet, kept 400 days: history that outlives articles.
- `match_hours(watch_id, hour, articles)`: matches per watch and UTC hour (epoch hour), kept
  for spike baselines. Both are folded from `watch_matches` (meta `coverage_folded`).
- `watch_coverage(watch_id, backfilled_at, spike_started_at, spike_seen_at)`: when a watch's
  history was back-filled from stored articles, and its spike in progress.
- `chats` also holds `spike_alerts` (1: spike alerts on), `weekly_report` (1: on),
  `weekly_due_at` and `weekly_zone` (the next weekly report, worked out in that zone).
- `feedback_taps(delivery_id → deliveries, watch_id → watches, user_id, at)`: a "not relevant"
  tap under an alert, once per (alert, watch, user); `watch_fixes(id, delivery_id →
  deliveries, watch_id → watches, base, query, created_at)`: the one-tap fixes such a tap
  offered (`query` replaces `base`). Both go with their alert (cascade), so article retention
  bounds them. `watches` also holds `previous_query` and `previous_display` (what a fix
  replaced, for its undo) and `revised` (the `watches_version` of its last query change, so
  the live index picks up a changed query, not only new and removed watches).
- `meta(key, value)`: one-off facts such as whether the shipped sources were imported, and
  `watches_version` / `aliases_version`, bumped by every change that alters what the match
  index must hold (watches, chats going away or coming back, alias groups, context rules).

Migrations are sqlite-utils `Migrations`, applied in order at every open; a migration is never
edited once released (so it keeps its literals, not today's constants), a new one is appended.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("pantau")


@migrations()
def m001_initial(db: Database) -> None:
    """The walking skeleton's tables."""
    db.table("sources").create(
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
    db.table("sources").create_index(["url"], unique=True)
    db.table("articles").create(
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
    db.table("articles").create_index(["key"], unique=True)
    db.table("chats").create(
        {"id": int, "type": str, "language": str, "title": str, "active": int, "created_at": float},
        pk="id",
        not_null={"type", "language", "created_at"},
        defaults={"active": 1},
    )
    db.table("watches").create(
        {"id": int, "chat_id": int, "query": str, "created_at": float},
        pk="id",
        not_null={"chat_id", "query", "created_at"},
        foreign_keys=[("chat_id", "chats", "id")],
    )
    db.table("watches").create_index(["chat_id", "query"], unique=True)
    db.table("deliveries").create(
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
    db.table("deliveries").create_index(["chat_id", "article_id"], unique=True)
    db.table("deliveries").create_index(["status", "not_before"])
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migrations()
def m002_queries_and_aliases(db: Database) -> None:
    """Watches keep the query as understood; admins' alias groups; a watch-set version."""
    db.table("watches").add_column("display", str)
    db.execute("UPDATE watches SET display = query")
    db.execute("DROP INDEX idx_watches_chat_id_query")
    db.table("watches").create_index(["chat_id", "display"], unique=True)
    db.table("aliases").create(
        {"id": int, "names": str, "created_by": int, "created_at": float},
        pk="id",
        not_null={"names", "created_at"},
    )


@migrations()
def m003_polite_polling(db: Database) -> None:
    """Adaptive intervals, failure streaks and their one-time admin notices."""
    table = db.table("sources")
    table.add_column("adaptive", int, not_null_default=0)
    table.add_column("effective_interval", float)
    table.add_column("failing_since", float)
    table.add_column("failure_notified", int, not_null_default=0)
    db.execute("UPDATE sources SET effective_interval = interval")
    db.table("articles").create_index(["source_id", "fetched_at"])
    db.table("articles").create_index(["fetched_at"])


@migrations()
def m004_alert_content(db: Database) -> None:
    """What an alert shows beyond the article: which watches and terms, the chosen summary;
    sources that are not worth an article fetch; watches muted from an alert's button."""
    deliveries = db.table("deliveries")
    deliveries.add_column("watch_ids", str)
    deliveries.add_column("terms", str)
    deliveries.add_column("summary", str)
    db.table("sources").add_column("fetch_article", int, not_null_default=1)
    db.table("watches").add_column("muted", int, not_null_default=0)


@migrations()
def m005_one_alert_per_story(db: Database) -> None:
    """Outlets that reported an alerted story too, and alerts whose message needs an edit."""
    deliveries = db.table("deliveries")
    deliveries.add_column("also", str)
    deliveries.add_column("widely", int, not_null_default=0)
    deliveries.add_column("edit_pending", int, not_null_default=0)
    deliveries.create_index(["chat_id", "created_at"])
    db.table("chats").add_column("previews", int, not_null_default=0)
    db.table("chats").add_column("timezone", str)


@migrations()
def m006_digests(db: Database) -> None:
    """Digest mode, quiet hours and pausing per chat; held alerts wait for a digest."""
    chats = db.table("chats")
    chats.add_column("digest", str, not_null_default="off")
    chats.add_column("digest_at", str, not_null_default="07:00")
    chats.add_column("quiet", str)
    chats.add_column("paused", int, not_null_default=0)
    db.table("deliveries").add_column("held_reason", str)


@migrations()
def m007_search(db: Database) -> None:
    """Full-text search over stored articles (a pre-filter for /search)."""
    db.table("articles").enable_fts(
        ["title", "summary"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migrations()
def m008_watch_undo(db: Database) -> None:
    """Deleted watches are kept a while so that a delete can be undone."""
    db.table("watches").add_column("deleted_at", float)
    db.table("watches").create_index(
        ["chat_id", "display"], unique=False, index_name="idx_watches_display"
    )
    db.execute("DROP INDEX idx_watches_chat_id_display")


@migrations()
def m009_topics(db: Database) -> None:
    """A watch made inside a forum topic delivers to that topic."""
    db.table("watches").add_column("thread_id", int)
    db.table("deliveries").add_column("thread_id", int)


@migrations()
def m010_allowlist(db: Database) -> None:
    """Users admins allowed from chat, for allowlist mode."""
    db.table("allowed_users").create({"id": int, "added_by": int, "created_at": float}, pk="id")


@migrations()
def m011_channels(db: Database) -> None:
    """A chat can have its alerts posted to a channel instead."""
    db.table("chats").add_column("channel_id", int)
    db.table("chats").add_column("channel_name", str)


@migrations()
def m012_left_chats(db: Database) -> None:
    """When a chat went away, so that its watches can be dropped after a grace period."""
    db.table("chats").add_column("left_at", float)


@migrations()
def m013_delivery_units(db: Database) -> None:
    """Digest parts and admin notices become outbox units of their own (`messages`); a chat
    keeps a summary of its held alerts so that finding due digests never reads them all; edits
    back off; every per-tick outbox query has an index that bounds it."""
    db.table("messages").create(
        {
            "id": int,
            "chat_id": int,
            "kind": str,
            "html": str,
            "thread_id": int,
            "status": str,
            "attempts": int,
            "not_before": float,
            "created_at": float,
            "sent_at": float,
            "message_id": int,
            "last_error": str,
        },
        pk="id",
        not_null={"chat_id", "kind", "html", "status", "not_before", "created_at"},
        defaults={"status": "pending", "attempts": 0},
    )
    db.execute("CREATE INDEX idx_messages_due ON messages (not_before) WHERE status = 'pending'")
    deliveries = db.table("deliveries")
    deliveries.add_column("part_id", int)
    deliveries.add_column("edit_attempts", int, not_null_default=0)
    deliveries.add_column("edit_not_before", float, not_null_default=0)
    db.execute(
        "CREATE INDEX idx_deliveries_due ON deliveries (not_before) WHERE status = 'pending'"
    )
    db.execute(
        "CREATE INDEX idx_deliveries_edits ON deliveries (edit_not_before) WHERE edit_pending = 1"
    )
    db.execute(
        "CREATE INDEX idx_deliveries_held ON deliveries (chat_id, id) "
        "WHERE status = 'held' AND part_id IS NULL"
    )
    db.execute("CREATE INDEX idx_deliveries_part ON deliveries (part_id) WHERE part_id IS NOT NULL")
    deliveries.create_index(["chat_id", "sent_at"])
    chats = db.table("chats")
    chats.add_column("held_since", float)
    chats.add_column("held_boundary", int, not_null_default=0)
    chats.add_column("digest_due_at", float, not_null_default=0)
    db.execute(
        "CREATE INDEX idx_chats_digest_due ON chats (digest_due_at) WHERE held_since IS NOT NULL"
    )
    db.execute(
        "UPDATE chats SET held_since = (SELECT min(created_at) FROM deliveries "
        "WHERE deliveries.chat_id = chats.id AND status = 'held'), "
        "held_boundary = EXISTS (SELECT 1 FROM deliveries WHERE deliveries.chat_id = chats.id "
        "AND status = 'held' AND held_reason IN ('digest', 'storm'))"
    )


@migrations()
def m014_article_text_and_outlets(db: Database) -> None:
    """Article page text, compressed; one full-text index over title, feed text and page text
    that keeps no copy of them; the outlet an aggregator's item names."""
    articles = db.table("articles")
    articles.add_column("outlet", str)
    articles.add_column("outlet_url", str)
    db.table("article_texts").create(
        {"article_id": int, "text": bytes},
        pk="article_id",
        not_null={"text"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    articles.disable_fts()
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, text, content='', "
        "detail=none, tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO articles_fts (rowid, title, summary, text) "
        "SELECT id, title, coalesce(summary, ''), '' FROM articles"
    )


@migrations()
def m015_coverage_history(db: Database) -> None:
    """Coverage history per watch (what `/tren`, spike alerts and reports count): every match
    recorded, daily counts per outlet kept past article retention, hourly counts for spike
    baselines, spike and back-fill state; per-chat report settings; photos and documents in
    the outbox."""
    db.execute(
        "CREATE TABLE watch_matches ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE, "
        "article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        "at REAL NOT NULL, terms TEXT NOT NULL DEFAULT '[]', live INTEGER NOT NULL DEFAULT 1, "
        "UNIQUE (watch_id, article_id))"
    )
    db.execute("CREATE INDEX idx_watch_matches_at ON watch_matches (watch_id, at)")
    db.execute("CREATE INDEX idx_watch_matches_article ON watch_matches (article_id)")
    db.execute("CREATE INDEX idx_deliveries_article ON deliveries (article_id)")
    db.execute(
        "CREATE TABLE match_days ("
        "watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE, "
        "day TEXT NOT NULL, outlet TEXT NOT NULL, articles INTEGER NOT NULL, "
        "PRIMARY KEY (watch_id, day, outlet)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE match_hours ("
        "watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE, "
        "hour INTEGER NOT NULL, articles INTEGER NOT NULL, "
        "PRIMARY KEY (watch_id, hour)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE watch_coverage ("
        "watch_id INTEGER PRIMARY KEY REFERENCES watches(id) ON DELETE CASCADE, "
        "backfilled_at REAL, spike_started_at REAL, spike_seen_at REAL)"
    )
    chats = db.table("chats")
    chats.add_column("spike_alerts", int, not_null_default=1)
    chats.add_column("weekly_report", int, not_null_default=0)
    chats.add_column("weekly_due_at", float, not_null_default=0)
    chats.add_column("weekly_zone", str)
    db.execute("CREATE INDEX idx_chats_weekly ON chats (weekly_due_at) WHERE weekly_report = 1")
    messages = db.table("messages")
    messages.add_column("media", str)
    messages.add_column("filename", str)
    messages.add_column("file", bytes)


@migrations()
def m016_context_rules(db: Database) -> None:
    """Context rules admins add from chat, beside their alias groups."""
    db.table("context_rules").create(
        {"id": int, "kind": str, "words": str, "created_by": int, "created_at": float},
        pk="id",
        not_null={"kind", "words", "created_at"},
    )


@migrations()
def m017_not_relevant(db: Database) -> None:
    """ "Not relevant" taps and the fixes they offered, bounded by their alerts; the query a
    fix replaced, for its undo; the version of a watch's last query change."""
    db.execute(
        "CREATE TABLE feedback_taps ("
        "delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE, "
        "watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE, "
        "user_id INTEGER NOT NULL, at REAL NOT NULL, "
        "PRIMARY KEY (delivery_id, watch_id, user_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_feedback_taps_watch ON feedback_taps (watch_id, at)")
    db.execute(
        "CREATE TABLE watch_fixes ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE, "
        "watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE, "
        "base TEXT NOT NULL, query TEXT NOT NULL, created_at REAL NOT NULL, "
        "UNIQUE (delivery_id, watch_id, query))"
    )
    db.execute("CREATE INDEX idx_watch_fixes_watch ON watch_fixes (watch_id)")
    watches = db.table("watches")
    watches.add_column("previous_query", str)
    watches.add_column("previous_display", str)
    watches.add_column("revised", int, not_null_default=0)
    db.execute("CREATE INDEX idx_watches_revised ON watches (revised)")
