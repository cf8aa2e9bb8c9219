"""The periodic coverage work, one `tick` every `TICK_SECONDS` (scheduled by `service`).

Each tick, in order, each step on its own (one that fails is logged; the others go on):
1. Back-fill: up to `BACKFILL_WATCHES` watches whose history is unknown (new, or from before
   coverage history existed) get the stored articles their query matches recorded as earlier
   matches: the full-text index pre-filters (at most `BACKFILL_ARTICLES`), the matcher decides,
   on the insights worker thread.
2. Fold: the matches recorded since the last tick become daily and hourly counts.
3. Spikes: every watch that got matches at ingest is checked against `SpikeRule` — as matches
   arrive, so an alert follows a burst within a tick of the poll that brought it. A new
   spike of an active chat with spike alerts on (and the watch not muted) queues one
   "📈 Lonjakan pemberitaan" photo: the burst against the usual, the top headlines of the
   hour, the watch's `SPIKE_CHART_DAYS`-day chart; in the watch's forum topic; during quiet
   hours it waits for their end. A paused chat gets none.
4. Weekly reports: a chat with the report on whose due time is unknown (just turned on, or
   its zone changed) gets it worked out — the next Monday 08:00 in its zone; a due report
   is queued (unless the chat is paused) in one transaction with the next due time, so a
   crash neither loses nor repeats it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest import ChatPolicy, parse_clock, quiet_end_after
from bot.insights.captions import spike_caption
from bot.insights.periods import next_weekly
from bot.insights.reports import Item, Reports
from bot.insights.spikes import BASELINE_DAYS, HEADLINES, SpikeRule
from bot.insights.trends import Target, Trends, matched
from bot.lexicon import Lexicons
from bot.match import QueryError, parse_query
from bot.models import ChatSettings, CoverageWatch, WeeklyChat
from bot.store import Store
from bot.store.coverage import FOLD_BATCH

log = logging.getLogger(__name__)
TICK_SECONDS = 10.0
BACKFILL_WATCHES = 5
BACKFILL_ARTICLES = 20_000
MAX_FOLDS = 20
SPIKE_CHART_DAYS = 7


class CoverageJobs:
    """Back-fill, fold, spike checks and weekly reports (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        trends: Trends,
        reports: Reports,
        rule: SpikeRule,
        default_zone: ZoneInfo,
        lexicons: Lexicons,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._trends = trends
        self._reports = reports
        self._rule = rule
        self._default_zone = default_zone
        self._lexicons = lexicons
        self._clock = clock

    async def tick(self) -> None:
        steps: tuple[tuple[str, Callable[[datetime], Awaitable[None]]], ...] = (
            ("back-fill", self.backfill),
            ("fold and spikes", self.fold_and_check),
            ("weekly reports", self.weekly),
        )
        for name, step in steps:
            try:
                await step(self._clock())
            except Exception:
                log.exception("coverage %s failed; tried again next tick", name)

    async def fold(self) -> set[int]:
        """Fold what was recorded; return the watches that got matches at ingest."""
        store, live = self._store, set()
        for _ in range(MAX_FOLDS):
            found, count = await store.run(store.fold_matches, self._default_zone.key)
            live |= found
            if count < FOLD_BATCH:
                break
        return live

    async def backfill(self, now: datetime) -> None:
        store = self._store
        watches = await store.run(store.watches_to_backfill, BACKFILL_WATCHES)
        if not watches:
            return
        aliases = await self._lexicons.current()
        for watch in watches:
            try:
                query = parse_query(watch.query, aliases)
            except QueryError:
                await store.run(store.backfill_watch, watch.id, [], now)
                continue
            phrases = [term.tokens for term in query.terms()]
            candidates = await store.run(store.search_articles, phrases, limit=BACKFILL_ARTICLES)
            found = await self._trends.off_loop(matched, query, candidates)
            pairs = [(article.id, terms) for article, terms in found]
            added = await store.run(store.backfill_watch, watch.id, pairs, now)
            log.info("watch=%s history back-filled: %d stored articles", watch.id, added)

    async def fold_and_check(self, now: datetime) -> None:
        live = await self.fold()
        if not live:
            return
        store = self._store
        for covered in await store.run(store.coverage_watches, live):
            try:
                await self._check(covered, now)
            except Exception:
                log.exception("watch=%s spike check failed", covered.watch.id)

    async def _check(self, covered: CoverageWatch, now: datetime) -> None:
        watch, store = covered.watch, self._store
        if not (covered.active and covered.spike_alerts) or watch.muted or covered.chat.paused:
            return
        last, baseline = await store.run(store.spike_counts, watch.id, now, BASELINE_DAYS)
        if not self._rule.is_spike(last, baseline):
            return
        if not await store.run(store.claim_spike, watch.id, now):
            return
        language, zone = covered.language, self._trends.zone(covered.chat.timezone)
        hour_ago, moment = now - timedelta(hours=1), now + timedelta(seconds=1)
        top = await store.run(store.headlines, hour_ago, moment, HEADLINES, watch_ids=[watch.id])
        caption = spike_caption(language, watch.display, last, self._rule.usual(baseline), top)
        bounds = self._trends.period(zone, SPIKE_CHART_DAYS, now)
        photo = await self._trends.photo(language, [Target(watch.display, watch.id)], bounds)
        attachment = None if photo is None else ("photo", "lonjakan.png", photo.png)
        due = quiet_end_after(_policy(covered.chat, zone), now)
        await store.run(
            store.queue_media,
            watch.chat_id,
            "spike",
            caption,
            attachment,
            watch.thread_id,
            now,
            due,
        )
        log.info(
            "watch=%s spike: %d articles in the last hour (baseline %d)", watch.id, last, baseline
        )

    async def weekly(self, now: datetime) -> None:
        store = self._store
        for chat in await store.run(store.weekly_chats, now):
            try:
                await self._weekly(chat, now)
            except Exception:
                log.exception("chat=%s weekly report failed; tried again next week", chat.chat_id)
                zone = self._trends.zone(chat.timezone)
                await store.run(
                    store.set_weekly_due, chat.chat_id, next_weekly(now, zone), chat.timezone
                )

    async def _weekly(self, chat: WeeklyChat, now: datetime) -> None:
        store = self._store
        zone = self._trends.zone(chat.timezone)
        following = next_weekly(now, zone)
        items: list[Item] = []
        if chat.due_at is not None and not chat.paused:
            watches = await store.run(store.list_watches, chat.chat_id)
            if watches:
                items = await self._reports.weekly(chat.language, zone, watches, now)

        def queue() -> None:
            with store.transaction():
                for item in items:
                    store.queue_media(
                        chat.chat_id, item.kind, item.caption, item.attachment, None, now
                    )
                store.set_weekly_due(chat.chat_id, following, chat.timezone)

        await store.run(queue)
        if items:
            log.info("chat=%s weekly report queued (%d messages)", chat.chat_id, len(items))


def _policy(chat: ChatSettings, zone: ZoneInfo) -> ChatPolicy:
    """The chat's quiet hours as `digest` reads them."""
    quiet = None
    if chat.quiet:
        start, _, end = chat.quiet.partition("-")
        quiet = (parse_clock(start), parse_clock(end))
    return ChatPolicy(zone, chat.digest, parse_clock(chat.digest_at), quiet, chat.paused)
