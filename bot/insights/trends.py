"""Trends: a watch's or a query's articles per day, counted by the store, drawn off the loop.

Rules:
- A watch counts from its own history (`match_days`, which outlives the articles). A query
  that is no watch of the chat is counted over the stored articles, as `/search` finds them:
  the full-text index pre-filters (at most `AD_HOC_ARTICLES`, newest first), the matcher
  decides, the store counts the matched ones per local day and outlet.
- Days are the chat's local days (`periods`). One series: stacked daily bars of its
  `TOP_OUTLETS` busiest outlets and the rest ("lainnya"). Up to `MAX_SERIES` series: one line
  each, their shares in the caption (share of voice).
- Matching and drawing are CPU work: both run on this module's one worker thread, never on
  the event loop, so polling and delivery go on while a chart is drawn.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.insights import charts
from bot.insights.captions import label, share_caption, trend_caption
from bot.insights.charts import Chart, Series
from bot.insights.periods import day_bounds, day_label
from bot.lookup import stored_document
from bot.match import MatchIndex, Query
from bot.models import DayBounds, Headline, OutletDay, StoredArticle, Watch
from bot.store import Store
from bot.texts import text

P = ParamSpec("P")
T = TypeVar("T")
MAX_SERIES = 4
TOP_OUTLETS = 5
AD_HOC_ARTICLES = 20_000


@dataclass(frozen=True, slots=True)
class Target:
    """What one series counts: a watch of the chat (its history) or a query (stored articles)."""

    label: str
    watch_id: int | None = None
    query: Query | None = None


@dataclass(frozen=True, slots=True)
class Counted:
    """A target's articles per day and outlet; for a query, the articles it matched."""

    target: Target
    rows: tuple[OutletDay, ...]
    article_ids: tuple[int, ...] = ()
    capped: bool = False

    @property
    def total(self) -> int:
        return sum(row.articles for row in self.rows)


@dataclass(frozen=True, slots=True)
class Photo:
    """A chart and its caption (Telegram HTML)."""

    png: bytes
    caption: str


class Trends:
    """Counts through the store, matches and draws on one worker thread."""

    def __init__(
        self,
        store: Store,
        default_zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._default_zone = default_zone
        self._clock = clock
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insights")

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    async def off_loop(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn` on the worker thread (matching, drawing)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, functools.partial(fn, *args, **kwargs))

    def zone(self, name: str) -> ZoneInfo:
        """A chat's zone (its setting, else the configured one)."""
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
        return self._default_zone

    def period(self, zone: ZoneInfo, days: int, today: datetime | None = None) -> list[DayBounds]:
        """The last `days` local days, today included."""
        moment = (today or self._clock()).astimezone(zone)
        return day_bounds(moment.date(), days, zone)

    async def count(self, targets: Sequence[Target], days: Sequence[DayBounds]) -> list[Counted]:
        store = self._store
        counted = []
        for target in targets:
            if target.watch_id is not None:
                rows = await store.run(
                    store.daily_counts, target.watch_id, days[0].day, days[-1].day
                )
                counted.append(Counted(target, tuple(rows)))
                continue
            assert target.query is not None
            phrases = [term.tokens for term in target.query.terms()]
            candidates = await store.run(store.search_articles, phrases, limit=AD_HOC_ARTICLES)
            found = await self.off_loop(matched, target.query, candidates)
            ids = tuple(article.id for article, _ in found)
            rows = await store.run(store.article_day_counts, ids, days)
            counted.append(
                Counted(target, tuple(rows), ids, capped=len(candidates) >= AD_HOC_ARTICLES)
            )
        return counted

    async def photo(
        self, language: str, targets: Sequence[Target], bounds: list[DayBounds]
    ) -> Photo | None:
        """The trend chart and caption of these targets over these days; None when none of
        them has a single article in the period."""
        counted = await self.count(targets, bounds)
        if not any(c.total for c in counted):
            return None
        if len(counted) == 1:
            return await self._single(language, counted[0], bounds)
        return await self._share(language, counted, bounds)

    async def _single(self, language: str, counted: Counted, bounds: list[DayBounds]) -> Photo:
        days = len(bounds)
        daily = per_day(counted.rows, bounds)
        outlets = Counter[str]()
        for row in counted.rows:
            outlets[row.outlet] += row.articles
        top = sorted(outlets.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_OUTLETS]
        others = text(language, "chart_others")
        series = [
            Series(name or "?", tuple(per_day(counted.rows, bounds, outlet=name)))
            for name, _ in top
        ]
        shown = {name for name, _ in top}
        rest = per_day([row for row in counted.rows if row.outlet not in shown], bounds)
        if any(rest):
            series.append(Series(others, tuple(rest)))
        peak_day = max(reversed(range(days)), key=lambda number: daily[number])
        peak = await self._top_headline(counted, bounds[peak_day])
        notes = []
        if counted.target.watch_id is None:
            notes.append(text(language, "trend_stored"))
            if counted.capped:
                notes.append(text(language, "trend_capped", count=AD_HOC_ARTICLES))
        caption = trend_caption(
            language,
            counted.target.label,
            days,
            [(bound.day, count) for bound, count in zip(bounds, daily, strict=True)],
            top,
            peak,
            notes,
        )
        chart = Chart(
            f"{label(counted.target.label)} · {text(language, 'chart_days', days=days)}",
            tuple(day_label(bound.day, language) for bound in bounds),
            tuple(series),
            stacked=True,
            unit=text(language, "chart_unit"),
            others=others,
        )
        return Photo(await self.off_loop(charts.render, chart), caption)

    async def _share(
        self, language: str, counted: Sequence[Counted], bounds: list[DayBounds]
    ) -> Photo:
        days = len(bounds)
        caption = share_caption(language, days, [(c.target.label, c.total) for c in counted])
        chart = Chart(
            f"{text(language, 'chart_share')} · {text(language, 'chart_days', days=days)}",
            tuple(day_label(bound.day, language) for bound in bounds),
            tuple(Series(c.target.label, tuple(per_day(c.rows, bounds))) for c in counted),
            stacked=False,
            unit=text(language, "chart_unit"),
        )
        return Photo(await self.off_loop(charts.render, chart), caption)

    async def _top_headline(self, counted: Counted, day: DayBounds) -> Headline | None:
        store = self._store
        start, end = _moment(day.start), _moment(day.end)
        if counted.target.watch_id is not None:
            found = await store.run(
                store.headlines, start, end, 1, watch_ids=[counted.target.watch_id]
            )
        else:
            found = await store.run(store.headlines, start, end, 1, article_ids=counted.article_ids)
        return found[0] if found else None


def per_day(
    rows: Sequence[OutletDay], bounds: Sequence[DayBounds], outlet: str | None = None
) -> list[int]:
    """Articles per day of `bounds` (of one outlet, or all)."""
    position = {bound.day: number for number, bound in enumerate(bounds)}
    counts = [0] * len(bounds)
    for row in rows:
        if (outlet is None or row.outlet == outlet) and row.day in position:
            counts[position[row.day]] += row.articles
    return counts


def matched(
    query: Query, articles: Sequence[StoredArticle]
) -> list[tuple[StoredArticle, tuple[str, ...]]]:
    """The articles (in the order given) this query matches, each with the terms it found."""
    probe = Watch(0, 0, query.display, query.display)
    index = MatchIndex([(probe, query)])
    found = []
    for article in articles:
        matches = index.match(stored_document(article))
        if matches:
            terms = {hit.term.strip('"'): None for m in matches for hit in m.hits()}
            found.append((article, tuple(terms)))
    return found


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
