"""Storage: the only package that writes SQL. One SQLite file through sqlite-utils, WAL mode.

One `Store` type, one module per aggregate (open the file named after the thing):
- `schema`: the tables (stated in its docstring) and their migrations;
- `base`: the connection and its worker thread (`run`), transactions, meta, backup, restore;
- `sources`, `articles`, `chats` (settings, allowlist), `watches` (and alias groups),
  `outbox` (alerts, digest parts and notices), `states` (their `DeliveryState`, named once), `coverage` (each
  watch's match history and its counts: trends, spikes, reports), `feedback` ("not relevant"
  taps, the fixes they offer, a watch's query changes and their undo).

The off-loop rule: async code never calls a store method directly; it awaits
`store.run(store.method, *args)`, which runs it on the store's one worker thread. Several calls
that belong together go in one function given to `run` (inside `store.transaction()` when they
must all happen or none). Sync code (CLI, doctor, tests) calls the methods directly.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.models import Stats
from bot.store.articles import ArticlesMixin
from bot.store.base import BUSY_TIMEOUT, NotABackup, OnEventLoop, to_epoch
from bot.store.chats import ChatsMixin
from bot.store.coverage import CoverageMixin
from bot.store.feedback import FeedbackMixin, Fix, Flagged
from bot.store.outbox import OutboxMixin
from bot.store.schema import migrations
from bot.store.sources import DuplicateSource, SourcesMixin
from bot.store.states import DeliveryState
from bot.store.watches import WatchesMixin

__all__ = [
    "BUSY_TIMEOUT",
    "DeliveryState",
    "DuplicateSource",
    "Fix",
    "Flagged",
    "NotABackup",
    "OnEventLoop",
    "Store",
    "migrations",
]


class Store(
    FeedbackMixin, SourcesMixin, ArticlesMixin, ChatsMixin, WatchesMixin, OutboxMixin, CoverageMixin
):
    """Queries and updates, each named for what the pipeline or a command needs."""

    def stats(self, since: datetime) -> Stats:
        """Counts for /stats across the aggregates; alerts failed since `since` are those
        queued since then."""
        moment = to_epoch(since)
        states = Counter(source.state for source in self.list_sources())

        def count(sql: str, *values: object) -> int:
            return int(self.db.execute(sql, [*values, moment]).fetchone()[0])

        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        page_size = self.db.execute("PRAGMA page_size").fetchone()[0]
        return Stats(
            sources_active=states["active"],
            sources_failing=states["failing"],
            sources_paused=states["paused"],
            articles_today=count("SELECT count(*) FROM articles WHERE fetched_at >= ?"),
            alerts_sent_today=count(
                "SELECT count(*) FROM deliveries WHERE status = ? AND sent_at >= ?",
                DeliveryState.SENT,
            ),
            alerts_failed_today=count(
                "SELECT count(*) FROM deliveries WHERE status = ? AND created_at >= ?",
                DeliveryState.FAILED,
            ),
            queued=self.count_deliveries(DeliveryState.PENDING),
            held=self.count_deliveries(DeliveryState.HELD),
            database_bytes=pages * page_size,
        )
