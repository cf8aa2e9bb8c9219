"""The running service: APScheduler drives polling and delivery inside the bot's event loop.

Rules:
- The schedule lives in the database (`sources.next_poll_at`); polling and delivery are one
  job each, so adding, pausing or backing off a source is a row update and a restart loses nothing.
  - `poll-due`, every second: start a poll for each due source not already being polled; at
    most `max_concurrent_polls` fetch their feeds at once (the fetcher's feed slots, taken by
    the pipeline, so a poll waiting for article pages holds none). A slow feed never delays
    the others.
  - `deliver`, every second: drain the outbox (also drained right after a poll queues alerts).
- A poll that crashes (an error no stage expected) is recorded as a failure — retried until
  the database takes it — and backs off like one: it never leaves its source due every tick.
- The match index is rebuilt when the store's `watches_version` changes (a watch, a chat, an
  alias group or a context rule changed), in a worker thread, with the lexicon of `lexicons`
  (shared with the chat commands, so a query is understood the same way everywhere); a poll
  waits for the rebuild, so a new watch is in force for every article stored after `/watch`
  answered.
- Each tick also tells `health` the scheduler is alive and updates the outbox gauges.
- `prune`, daily and at start: articles older than `retention_days` are deleted (their
  matches folded into the coverage counts first), coverage counts older than 400 days, and
  the watches of chats that removed or blocked the bot more than 30 days ago.
- `coverage`, every 10 s: back-fill new watches' history, fold new matches into counts, check
  the watches that got matches for spikes, queue weekly reports that are due
  (`insights.jobs`).
- A source that has failed for `failure_alert_after` is reported to the admins once through
  `notify`, and its recovery once.
- `start` runs in the event loop (python-telegram-bot's post_init). `stop` runs while the bot
  can still send (post_stop): it lets the alert being sent finish within `stop_timeout`, stops
  the scheduler, cancels polls in flight (their sources stay due and are polled again on the
  next start; a poll stores its articles and alerts in one transaction, so a cancelled poll
  leaves nothing half-done), and closes the client. Queued alerts wait in the outbox.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Config
from bot.deliver import Deliverer, Sender, delivery_waited
from bot.discover import Discovered, discover
from bot.fetch import Fetcher, make_client
from bot.health import ARTICLE_BACKLOG, OUTBOX, OUTBOX_AGE, Health, serve
from bot.insights.jobs import TICK_SECONDS as COVERAGE_SECONDS
from bot.insights.jobs import CoverageJobs
from bot.insights.reports import Reports
from bot.insights.spikes import SpikeRule
from bot.insights.trends import Trends
from bot.lexicon import Lexicons
from bot.match import Lexicon, LiveIndex, Query, parse_watches
from bot.match.query import AliasTable
from bot.models import Source, Watch
from bot.pipeline import PollSettings, poll_source
from bot.sources import Cadence, next_poll_after_failure
from bot.store import DeliveryState, Store
from bot.workers import ParseWorkers

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0
CHAT_GRACE = timedelta(days=30)
HEALTH_DATABASE_WAIT = 2.0  # under the Docker HEALTHCHECK's 4 s
Notify = Callable[[str, dict[str, object]], Awaitable[None]]


class Service:
    """Owns the HTTP client, the scheduler and the polls in flight."""

    def __init__(self, config: Config, store: Store, notify: Notify) -> None:
        self._config = config
        self._store = store
        self._notify = notify
        self._fetcher: Fetcher | None = None
        self._health_server: ThreadingHTTPServer | None = None
        self._settings = PollSettings(
            Cadence(config.min_interval, config.max_interval, config.default_interval),
            config.failure_alert_after,
            random.Random(),
            config.article_timeout,
            (config.widely_reported, timedelta(seconds=config.widely_reported_within)),
        )
        self._parser = ParseWorkers(config.parse_processes)
        self._deliverer: Deliverer | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self.lexicons = Lexicons.from_config(store, config.aliases_file)
        self._index: LiveIndex | None = None
        self._index_version = -1
        self._index_lock = asyncio.Lock()
        self._lexicon: Lexicon | None = None
        self._indexed: set[int] = set()
        self._stopped = False
        self._kick: asyncio.Task[int] | None = None
        self.trends = Trends(store, config.timezone)
        self.reports = Reports(store, self.trends)
        self._coverage = CoverageJobs(
            store,
            self.trends,
            self.reports,
            SpikeRule(config.spike_min_articles, config.spike_factor),
            config.timezone,
            self.lexicons,
        )

    async def start(self, bot: Sender) -> None:
        client = make_client(
            timeout=self._config.fetch_timeout,
            allow_private_networks=self._config.allow_private_networks,
            contact_url=self._config.contact_url,
        )
        fetcher = self._fetcher = Fetcher(
            client,
            max_bytes=self._config.max_feed_bytes,
            per_host=self._config.max_per_host,
            feeds_at_once=self._config.max_concurrent_polls,
            page_spacing=self._config.article_spacing,
        )
        ARTICLE_BACKLOG.set_function(lambda: fetcher.page_backlog)
        self._health = Health(
            lambda: self._store.answers(within=HEALTH_DATABASE_WAIT),
            lambda: delivery_waited(self._store, HEALTH_DATABASE_WAIT),
        )
        if self._config.health_port:
            self._health_server = serve(
                self._health, self._config.listen_address, self._config.health_port
            )
        self._deliverer = Deliverer(
            self._store, bot, self._config.timezone, storm_limit=self._config.alerts_per_hour
        )
        scheduler = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 5},
        )
        scheduler.add_job(self._poll_due, "interval", seconds=TICK_SECONDS, id="poll-due")
        scheduler.add_job(self._deliverer.drain, "interval", seconds=TICK_SECONDS, id="deliver")
        scheduler.add_job(self._prune, "interval", days=1, id="prune", next_run_time=_now())
        scheduler.add_job(
            self._coverage.tick,
            "interval",
            seconds=COVERAGE_SECONDS,
            id="coverage",
            next_run_time=_now() + timedelta(seconds=COVERAGE_SECONDS / 2),
        )
        scheduler.start()
        self._scheduler = scheduler
        sources = await self._store.run(self._store.list_sources)
        log.info("service started: %d sources", len(sources))
        await self._poll_due()

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        # Delivery stops first: shutting the scheduler down cancels the jobs still running,
        # and a drain cancelled mid-request would send its message again on the next start.
        if self._deliverer is not None:
            await self._deliverer.stop(self._config.stop_timeout)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._health_server is not None:
            self._health_server.shutdown()
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._fetcher is not None:
            await self._fetcher.client.aclose()
        self._parser.close()
        self.trends.close()
        queued = await self._store.run(self._store.count_deliveries, DeliveryState.PENDING)
        log.info("service stopped; %d alerts queued for the next start", queued)

    async def _poll_due(self) -> None:
        self._health.tick()
        store = self._store
        OUTBOX.set(await store.run(store.count_deliveries, DeliveryState.PENDING))
        oldest = await store.run(store.oldest_pending)
        OUTBOX_AGE.set((_now() - oldest).total_seconds() if oldest else 0)
        # Half a tick of slack: a source due just after this tick is polled now, not a tick late.
        horizon = _now() + timedelta(seconds=TICK_SECONDS / 2)
        for source in await store.run(store.due_sources, horizon):
            if source.id not in self._in_flight:
                task = asyncio.create_task(self._poll(source), name=f"poll:{source.id}")
                self._in_flight[source.id] = task
                task.add_done_callback(functools.partial(self._forget, source.id))

    def _forget(self, source_id: int, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(source_id, None)

    def article_backlog(self) -> int:
        """Article page requests waiting or in flight now (for /stats)."""
        return self._fetcher.page_backlog if self._fetcher is not None else 0

    async def discover(self, url: str) -> Discovered:
        """Find and check the feed behind a URL (for /addsource), with the shared client."""
        assert self._fetcher is not None, "the service is not started"
        return await discover(self._fetcher, url)

    async def _prune(self) -> None:
        cutoff = _now() - timedelta(days=self._config.retention_days)
        await self._coverage.fold()  # counted before their articles go
        pruned = await self._store.run(self._store.prune_articles, cutoff)
        await self._store.run(self._store.prune_coverage, _now())
        gone = await self._store.run(
            self._store.drop_watches_of_chats_gone_since, _now() - CHAT_GRACE
        )
        log.info(
            "pruned %d articles stored before %s, %d watches of chats gone",
            pruned,
            cutoff.date(),
            gone,
        )

    async def _poll(self, source: Source) -> None:
        assert self._fetcher is not None and self._deliverer is not None
        try:
            report = await poll_source(
                source,
                fetcher=self._fetcher,
                parser=self._parser,
                store=self._store,
                index=await self.current_index(),
                settings=self._settings,
            )
        except Exception as exc:
            # Recorded whatever the wait: an unrecorded crash leaves the source due, and it
            # would be polled again every tick. The schedule maths cannot raise.
            log.exception("source=%s poll crashed", source.id)
            now = _now()
            settings = self._settings
            retry = next_poll_after_failure(source, now, settings.cadence, settings.rng)
            await self._store.run_retrying(
                self._store.record_poll_failure,
                source.id,
                now,
                retry,
                f"internal error: {exc!r}",
            )
            return
        if report.notice:
            await self._notify(
                f"source_{report.notice}",
                {"id": source.id, "name": source.name, "error": report.error or ""},
            )
        if report.queued_alerts:
            self._deliver_now()

    def _deliver_now(self) -> None:
        """Drain now rather than at the next tick, in a task of its own: a poll is cancelled
        on stop, and a send must not be cancelled with it."""
        assert self._deliverer is not None
        if self._kick is None or self._kick.done():
            self._kick = asyncio.create_task(self._deliverer.drain(), name="deliver-now")

    async def current_index(self) -> LiveIndex:
        """The match index for the watches as they are now, brought up to date if they changed.

        A new, removed or changed (`revised`) watch updates the small part of the live index; a
        new lexicon (an admin changed aliases or context rules), or too many changes, rebuilds
        it whole. Either way the parsing and the building happen in a worker thread, the
        reading in the store's.
        """
        async with self._index_lock:
            store = self._store
            version = await store.run(store.watches_version)
            if self._index is not None and version == self._index_version:
                return self._index
            started = time.perf_counter()
            ids = await store.run(store.active_watch_ids)
            lexicon = await self.lexicons.current()
            full = self._index is None or lexicon is not self._lexicon
            if full:
                added, removed = ids, set()
            else:
                revised = await store.run(store.revised_watches, self._index_version)
                added, removed = (ids - self._indexed) | (revised & ids), self._indexed - ids
            entries = await asyncio.to_thread(
                self._parse, await store.run(store.watches_by_ids, added), lexicon
            )
            if full:
                index = await asyncio.to_thread(LiveIndex, entries)
            else:
                assert self._index is not None
                index = await asyncio.to_thread(self._index.changed, entries, removed)
                if index.needs_rebuild:
                    everything = await asyncio.to_thread(
                        self._parse, await store.run(store.watches_by_ids, ids), lexicon
                    )
                    index = await asyncio.to_thread(LiveIndex, everything)
            self._index, self._index_version = index, version
            self._lexicon, self._indexed = lexicon, ids
            log.info(
                "match index %s: %d watches (+%d -%d) in %.0f ms",
                "built" if full else "updated",
                index.watch_count,
                len(added),
                len(removed),
                (time.perf_counter() - started) * 1000,
            )
            return index

    @staticmethod
    def _parse(watches: list[Watch], aliases: AliasTable) -> list[tuple[Watch, Query]]:
        entries, refused = parse_watches(watches, aliases)
        for watch, error in refused:
            log.warning("watch=%s not indexed: %s %s", watch.id, error.code, error.details)
        return entries


def _now() -> datetime:
    return datetime.now(UTC)
