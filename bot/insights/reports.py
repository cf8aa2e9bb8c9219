"""Reports: `/laporan` (a CSV of the matching articles and the chart of the same period) and
the weekly report (charts, the week's top stories, the CSV).

Rules:
- The CSV has one row per matching article: local date and time (the chat's zone), outlet,
  headline, URL, the watches it matched and their matched terms, oldest first; headers in
  the chat's language. It is UTF-8 with a byte-order mark, so Excel reads Indonesian text
  right, comma-separated (RFC 4180). A cell that a spreadsheet would run as a formula
  (starting with =, +, -, @) is prefixed with an apostrophe: a headline is data, never code.
- At most `REPORT_ROWS` articles a file (the caption says when the cut applied).
- One watch: its stacked chart; several: share of voice of the `MAX_SERIES` busiest.
- The weekly report covers the seven local days before it (Monday to Sunday), with a chart for
  each of the `WEEKLY_CHARTS` busiest watches, the `WEEKLY_TOP` stories most outlets carried,
  and the CSV; a quiet week is one line.
- What is sent is returned as outbox items (`Item`); the caller queues them together.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.insights.captions import fit_caption, headline_line, label, number
from bot.insights.periods import day_bounds, day_label
from bot.insights.trends import MAX_SERIES, Counted, Target, Trends
from bot.models import DayBounds, ReportRow, Watch
from bot.store import Store
from bot.texts import text

REPORT_ROWS = 20_000
WEEKLY_CHARTS = 5
WEEKLY_TOP = 5
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Item:
    """One outbox message: a caption (or text) and, maybe, (media, file name, bytes)."""

    kind: str
    caption: str
    attachment: tuple[str, str, bytes] | None = None


def csv_bytes(rows: Sequence[ReportRow], zone: ZoneInfo, language: str) -> bytes:
    """The report as UTF-8 CSV with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(text(language, "csv_columns").split(","))
    for row in rows:
        local = row.at.astimezone(zone)
        writer.writerow(
            [
                local.date().isoformat(),
                f"{local:%H:%M}",
                _cell(row.outlet),
                _cell(row.title),
                _cell(row.url),
                _cell("; ".join(row.watches)),
                _cell("; ".join(row.terms)),
            ]
        )
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def filename(prefix: str, what: str, bounds: Sequence[DayBounds], extension: str) -> str:
    """A safe ASCII file name: `pantau-<prefix>-<what>-<first day>_<last day>.<extension>`."""
    slug = _UNSAFE.sub("-", what.lower()).strip("-")[:40] or "semua"
    return f"pantau-{prefix}-{slug}-{bounds[0].day}_{bounds[-1].day}.{extension}"


class Reports:
    """Builds reports from the store's rows and the trend charts."""

    def __init__(self, store: Store, trends: Trends) -> None:
        self._store = store
        self._trends = trends

    async def laporan(
        self, language: str, zone: ZoneInfo, watches: Sequence[Watch], days: int, what: str
    ) -> list[Item]:
        """The CSV and the chart of these watches over the last `days` days (none when
        nothing matched)."""
        bounds = self._trends.period(zone, days)
        rows = await self._rows(watches, bounds)
        if not rows:
            return []
        chart = await self._chart(language, watches, bounds)
        return [*chart, self._document(language, zone, rows, bounds, what, "laporan")]

    async def weekly(
        self, language: str, zone: ZoneInfo, watches: Sequence[Watch], now: datetime
    ) -> list[Item]:
        """The report of the seven local days before `now`."""
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        bounds = day_bounds(yesterday, 7, zone)
        first, last = day_label(bounds[0].day, language), day_label(bounds[-1].day, language)
        title = text(language, "weekly_title", first=first, last=last)
        rows = await self._rows(watches, bounds)
        if not rows:
            return [Item("report", "\n".join([title, text(language, "weekly_none")]))]
        counted = await self._busiest(watches, bounds)
        store = self._store
        start, end = _moment(bounds[0].start), _moment(bounds[-1].end)
        top = await store.run(
            store.headlines, start, end, WEEKLY_TOP, watch_ids=[w.id for w in watches]
        )
        lines = [
            title,
            text(
                language,
                "weekly_counts",
                count=number(len(rows), language),
                watches=len([c for c in counted if c.total]),
            ),
            "",
            text(language, "weekly_top"),
            *(headline_line(headline) for headline in top),
        ]
        busy = [c for c in counted if c.total]
        if len(busy) > WEEKLY_CHARTS:
            lines += ["", text(language, "weekly_more_charts", count=WEEKLY_CHARTS)]
        items = [Item("report", fit_caption(lines, limit=4096))]
        for chosen in busy[:WEEKLY_CHARTS]:
            photo = await self._trends.photo(language, [chosen.target], bounds)
            if photo is not None:
                items.append(Item("report", photo.caption, ("photo", "tren.png", photo.png)))
        every = text(language, "laporan_all")
        items.append(self._document(language, zone, rows, bounds, every, "mingguan"))
        return items

    async def _rows(self, watches: Sequence[Watch], bounds: list[DayBounds]) -> list[ReportRow]:
        store = self._store
        start, end = _moment(bounds[0].start), _moment(bounds[-1].end)
        ids = [watch.id for watch in watches]
        return await store.run(store.report_rows, ids, start, end, REPORT_ROWS + 1)

    async def _busiest(self, watches: Sequence[Watch], bounds: list[DayBounds]) -> list[Counted]:
        """The watches' counts over the period, busiest first."""
        targets = [Target(watch.display, watch.id) for watch in watches]
        counted = await self._trends.count(targets, bounds)
        return sorted(counted, key=lambda c: -c.total)

    async def _chart(
        self, language: str, watches: Sequence[Watch], bounds: list[DayBounds]
    ) -> list[Item]:
        busy = [c.target for c in await self._busiest(watches, bounds) if c.total]
        photo = await self._trends.photo(language, busy[:MAX_SERIES], bounds)
        return (
            []
            if photo is None
            else [Item("report", photo.caption, ("photo", "tren.png", photo.png))]
        )

    def _document(
        self,
        language: str,
        zone: ZoneInfo,
        rows: list[ReportRow],
        bounds: list[DayBounds],
        what: str,
        prefix: str,
    ) -> Item:
        shown = rows[:REPORT_ROWS]
        lines = [
            text(
                language,
                "laporan_caption",
                what=label(what),
                first=day_label(bounds[0].day, language),
                last=day_label(bounds[-1].day, language),
                count=number(len(shown), language),
            )
        ]
        if len(rows) > REPORT_ROWS:
            lines.append(text(language, "laporan_capped", count=number(REPORT_ROWS, language)))
        name = filename(prefix, what, bounds, "csv")
        return Item(
            "report", fit_caption(lines), ("document", name, csv_bytes(shown, zone, language))
        )


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
