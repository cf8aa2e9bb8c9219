"""Coverage: the history of each watch's matches, counted for trends, spike alerts and reports.

Rules:
- Every (watch, article) match is recorded once in `watch_matches`: where the pipeline stores
  its articles (`record_matches`, in the poll's transaction), or by back-fill for a watch the
  history does not know yet (`backfill_watch`, from stored articles the matcher chose). Its
  time `at` is the article's publication time, never later than when it was stored (a feed's
  future date counts as its arrival). A match row goes with its article (cascade).
- `fold_matches` adds the matches recorded since the last fold to the counts that outlive the
  articles: per watch, local day (in the chat's zone) and outlet in `match_days`, kept
  `DAYS_KEPT` days, and per watch and UTC hour in `match_hours`, kept `HOURS_KEPT` days for
  spike baselines. A cursor in meta (`coverage_folded`; match ids only grow) folds each match
  exactly once, in one transaction with the counts.
- Counting is SQL, on indexes: trends read `match_days` by its primary key (watch, day,
  outlet); an ad-hoc query's matched articles are counted per local day with the day bounds
  given (so days follow the zone, DST included); spikes read `watch_matches (watch_id, at)`
  and `match_hours` by primary key.
- A spike is claimed once: `claim_spike` says whether a spike starts now (none seen within
  `SPIKE_LASTS` seconds) and remembers it, so a burst that goes on alerts once.
- Per chat (columns of `chats`, so they follow a group to its supergroup): spike alerts on by
  default, the weekly report off; its due time is worked out again when the chat's zone is
  no longer the one it was worked out in.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import (
    CoverageWatch,
    DayBounds,
    Headline,
    OutletDay,
    Planned,
    ReportRow,
    StoredArticle,
    Watch,
    WeeklyChat,
)
from bot.store.base import StoreBase, from_epoch, to_epoch
from bot.store.chats import chat_settings_of

FOLDED = "coverage_folded"
DAYS_KEPT = 400
HOURS_KEPT = 31
SPIKE_LASTS = 3600.0
FOLD_BATCH = 5000
_AT = "min(coalesce(a.published_at, a.fetched_at), a.fetched_at)"  # an article's time
_OUTLETS = (  # how many outlets carried the article's story: the most of any chat's alert
    "coalesce((SELECT max(json_array_length(coalesce(d.also, '[]'))) FROM deliveries d "
    "WHERE d.article_id = a.id), 0)"
)
_WATCH_COLUMNS = "w.id, w.chat_id, w.query, w.display, w.muted, w.thread_id"


class CoverageMixin(StoreBase):
    """The tables `watch_matches`, `match_days`, `match_hours`, `watch_coverage`, and the
    coverage settings of `chats`."""

    # recording and folding

    def record_matches(self, planned: Iterable[Planned], articles: Sequence[StoredArticle]) -> int:
        """Record each planned alert's watches as matches of its article, if the article was
        just stored; return how many matches were new. A watch deleted meanwhile is skipped."""
        stored = {article.key: article.id for article in articles}
        added = 0
        for alert in planned:
            article_id = stored.get(alert.article_key)
            if article_id is None:
                continue
            terms = json.dumps(list(alert.terms), ensure_ascii=False)
            for watch_id in alert.watch_ids:
                added += self._add_match(watch_id, article_id, terms, live=True)
        return added

    def _add_match(self, watch_id: int, article_id: int, terms: str, *, live: bool) -> int:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO watch_matches (watch_id, article_id, at, terms, live) "
            f"SELECT w.id, a.id, {_AT}, ?, ? FROM articles a JOIN watches w ON w.id = ? "
            "WHERE a.id = ?",
            [terms, int(live), watch_id, article_id],
        )
        return cursor.rowcount

    def fold_matches(self, default_zone: str, limit: int = FOLD_BATCH) -> tuple[set[int], int]:
        """Add up to `limit` matches recorded since the last fold to the daily and hourly
        counts; return the watches that got matches at ingest (for the spike check) and how
        many matches were folded (call again while that is `limit`)."""
        with self.transaction():
            after = int(self.get_meta(FOLDED) or 0)
            rows = self.db.execute(
                "SELECT m.id, m.watch_id, m.at, m.live, coalesce(s.name, ''), "
                "coalesce(c.timezone, '') FROM watch_matches m "
                "JOIN watches w ON w.id = m.watch_id JOIN chats c ON c.id = w.chat_id "
                "JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.id = a.source_id "
                "WHERE m.id > ? ORDER BY m.id LIMIT ?",
                [after, limit],
            ).fetchall()
            if not rows:
                return set(), 0
            days: Counter[tuple[int, str, str]] = Counter()
            hours: Counter[tuple[int, int]] = Counter()
            live = set()
            zones: dict[str, ZoneInfo] = {}
            for _, watch_id, at, is_live, outlet, name in rows:
                zone = zones.get(name) or zones.setdefault(name, _zone(name, default_zone))
                days[watch_id, local_day(at, zone), outlet] += 1
                hours[watch_id, int(at // 3600)] += 1
                if is_live:
                    live.add(watch_id)
            for (watch_id, day, outlet), count in days.items():
                self.db.execute(
                    "INSERT INTO match_days (watch_id, day, outlet, articles) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
                    [watch_id, day, outlet, count],
                )
            for (watch_id, hour), count in hours.items():
                self.db.execute(
                    "INSERT INTO match_hours (watch_id, hour, articles) VALUES (?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
                    [watch_id, hour, count],
                )
            self.set_meta(FOLDED, str(rows[-1][0]))
        return live, len(rows)

    def prune_coverage(self, now: datetime) -> int:
        """Forget daily counts older than `DAYS_KEPT` days and hourly ones older than
        `HOURS_KEPT`; return how many daily rows went."""
        oldest_day = (now - timedelta(days=DAYS_KEPT)).date().isoformat()
        oldest_hour = int((to_epoch(now) - HOURS_KEPT * 86400) // 3600)
        with self.transaction():
            cursor = self.db.execute("DELETE FROM match_days WHERE day < ?", [oldest_day])
            self.db.execute("DELETE FROM match_hours WHERE hour < ?", [oldest_hour])
        return cursor.rowcount

    # back-fill

    def watches_to_backfill(self, limit: int) -> list[Watch]:
        """Live watches of active chats whose history was never back-filled, oldest first."""
        rows = self.db.query(
            f"SELECT {_WATCH_COLUMNS} FROM watches w JOIN chats c ON c.id = w.chat_id "
            "LEFT JOIN watch_coverage v ON v.watch_id = w.id "
            "WHERE v.backfilled_at IS NULL AND w.deleted_at IS NULL AND c.active = 1 "
            "ORDER BY w.id LIMIT ?",
            [limit],
        )
        return [_watch(row) for row in rows]

    def backfill_watch(
        self, watch_id: int, matches: Sequence[tuple[int, Sequence[str]]], now: datetime
    ) -> int:
        """Record these stored articles (id, matched terms) as the watch's earlier matches and
        mark its history back-filled; return how many were new."""
        added = 0
        with self.transaction():
            for article_id, terms in matches:
                encoded = json.dumps(list(terms), ensure_ascii=False)
                added += self._add_match(watch_id, article_id, encoded, live=False)
            self.db.execute(
                "INSERT INTO watch_coverage (watch_id, backfilled_at) SELECT id, ? FROM watches "
                "WHERE id = ? ON CONFLICT DO UPDATE SET backfilled_at = excluded.backfilled_at",
                [to_epoch(now), watch_id],
            )
        return added

    # trends

    def daily_counts(self, watch_id: int, first_day: str, last_day: str) -> list[OutletDay]:
        """The watch's matches per local day and outlet, from `first_day` to `last_day`."""
        rows = self.db.execute(
            "SELECT day, outlet, sum(articles) FROM match_days "
            "WHERE watch_id = ? AND day BETWEEN ? AND ? GROUP BY day, outlet ORDER BY day, outlet",
            [watch_id, first_day, last_day],
        ).fetchall()
        return [OutletDay(day, outlet, int(count)) for day, outlet, count in rows]

    def article_day_counts(
        self, article_ids: Sequence[int], days: Sequence[DayBounds]
    ) -> list[OutletDay]:
        """These stored articles counted per day of `days` (by their time) and outlet."""
        rows = self.db.execute(
            "WITH days(day, start, finish) AS (SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)), "
            f"picked AS (SELECT {_AT} AS at, coalesce(s.name, '') AS outlet FROM articles a "
            "LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.id IN (SELECT value FROM json_each(?))) "
            "SELECT days.day, picked.outlet, count(*) FROM picked JOIN days "
            "ON picked.at >= days.start AND picked.at < days.finish "
            "GROUP BY days.day, picked.outlet ORDER BY days.day, picked.outlet",
            [
                json.dumps([[d.day, d.start, d.end] for d in days]),
                json.dumps(list(article_ids)),
            ],
        ).fetchall()
        return [OutletDay(day, outlet, int(count)) for day, outlet, count in rows]

    def headlines(
        self,
        start: datetime,
        end: datetime,
        limit: int,
        *,
        watch_ids: Sequence[int] = (),
        article_ids: Sequence[int] = (),
    ) -> list[Headline]:
        """The articles of these watches (or of these ids) between `start` and `end`, the
        stories most outlets carried first, then the earliest."""
        if watch_ids:
            among = (
                "SELECT article_id FROM watch_matches WHERE watch_id IN "
                "(SELECT value FROM json_each(?)) AND at >= ? AND at < ?"
            )
            values: list[object] = [json.dumps(list(watch_ids)), to_epoch(start), to_epoch(end)]
        else:
            among, values = "SELECT value FROM json_each(?)", [json.dumps(list(article_ids))]
        rows = self.db.execute(
            f"SELECT a.title, a.url, coalesce(s.name, ''), {_AT} AS at FROM articles a "
            f"LEFT JOIN sources s ON s.id = a.source_id WHERE a.id IN ({among}) "
            f"AND at >= ? AND at < ? ORDER BY {_OUTLETS} DESC, at, a.id LIMIT ?",
            [*values, to_epoch(start), to_epoch(end), limit],
        ).fetchall()
        return [Headline(title, url, outlet, _moment(at)) for title, url, outlet, at in rows]

    # spikes

    def spike_counts(self, watch_id: int, now: datetime, days: int) -> tuple[int, int]:
        """(the watch's matches in the hour before `now`, its matches in the same clock hour
        and the one before on each of the previous `days` days): the burst and its baseline,
        which covers `2 * days` hours."""
        moment = to_epoch(now)
        last = self.db.execute(
            "SELECT count(*) FROM watch_matches WHERE watch_id = ? AND at > ? AND at <= ?",
            [watch_id, moment - 3600, moment],
        ).fetchone()[0]
        hour = int(moment // 3600)
        hours = [hour - 24 * day - back for day in range(1, days + 1) for back in (0, 1)]
        usual = self.db.execute(
            "SELECT coalesce(sum(articles), 0) FROM match_hours WHERE watch_id = ? "
            "AND hour IN (SELECT value FROM json_each(?))",
            [watch_id, json.dumps(hours)],
        ).fetchone()[0]
        return int(last), int(usual)

    def claim_spike(self, watch_id: int, now: datetime) -> bool:
        """Remember that the watch is spiking now; True when this starts a spike (none was
        seen within the last `SPIKE_LASTS` seconds), False while the same spike goes on."""
        moment = to_epoch(now)
        with self.transaction():
            row = self.db.execute(
                "SELECT spike_seen_at FROM watch_coverage WHERE watch_id = ?", [watch_id]
            ).fetchone()
            new = row is None or row[0] is None or row[0] < moment - SPIKE_LASTS
            self.db.execute(
                "INSERT INTO watch_coverage (watch_id, spike_started_at, spike_seen_at) "
                "VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET spike_seen_at = excluded.spike_seen_at, "
                "spike_started_at = CASE WHEN ? THEN excluded.spike_started_at "
                "ELSE spike_started_at END",
                [watch_id, moment, moment, int(new)],
            )
        return new

    def coverage_watches(self, watch_ids: Iterable[int]) -> list[CoverageWatch]:
        """These watches (unless deleted) with their chats' settings, by id."""
        rows = self.db.query(
            f"SELECT {_WATCH_COLUMNS}, c.language, c.timezone, c.digest, c.digest_at, c.quiet, "
            "c.paused, c.active, c.spike_alerts FROM watches w JOIN chats c ON c.id = w.chat_id "
            "WHERE w.id IN (SELECT value FROM json_each(?)) AND w.deleted_at IS NULL ORDER BY w.id",
            [json.dumps(sorted(set(watch_ids)))],
        )
        return [
            CoverageWatch(
                _watch(row),
                row["language"],
                chat_settings_of(row),
                bool(row["active"]),
                bool(row["spike_alerts"]),
            )
            for row in rows
        ]

    # reports

    def report_rows(
        self, watch_ids: Sequence[int], start: datetime, end: datetime, limit: int
    ) -> list[ReportRow]:
        """One row per article these watches matched between `start` and `end`, oldest first,
        naming every one of these watches that matched it and their terms; at most `limit`."""
        rows = self.db.execute(
            "SELECT m.article_id, m.at, coalesce(s.name, ''), a.title, a.url, w.display, m.terms "
            "FROM watch_matches m JOIN watches w ON w.id = m.watch_id "
            "JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE m.watch_id IN (SELECT value FROM json_each(?)) AND m.at >= ? AND m.at < ? "
            "ORDER BY m.at, m.article_id, m.watch_id",
            [json.dumps(list(watch_ids)), to_epoch(start), to_epoch(end)],
        )
        found: dict[int, tuple[Any, ...]] = {}
        watches: dict[int, dict[str, None]] = {}
        terms: dict[int, dict[str, None]] = {}
        for article_id, at, outlet, title, url, display, matched in rows:
            if article_id not in found:
                if len(found) >= limit:
                    break
                found[article_id] = (at, outlet, title, url)
                watches[article_id], terms[article_id] = {}, {}
            watches[article_id][display] = None
            terms[article_id].update(dict.fromkeys(json.loads(matched or "[]")))
        return [
            ReportRow(_moment(at), outlet, title, url, tuple(watches[i]), tuple(terms[i]))
            for i, (at, outlet, title, url) in found.items()
        ]

    # settings

    def coverage_settings(self, chat_id: int) -> tuple[bool, bool]:
        """(spike alerts on, weekly report on) for a chat that has talked to the bot."""
        row = self.db.execute(
            "SELECT spike_alerts, weekly_report FROM chats WHERE id = ?", [chat_id]
        ).fetchone()
        return (True, False) if row is None else (bool(row[0]), bool(row[1]))

    def set_spike_alerts(self, chat_id: int, on: bool) -> None:
        self.db.execute("UPDATE chats SET spike_alerts = ? WHERE id = ?", [int(on), chat_id])

    def set_weekly_report(self, chat_id: int, on: bool) -> None:
        """Turn the weekly report on (its due time is then worked out) or off."""
        self.db.execute(
            "UPDATE chats SET weekly_report = ?, weekly_due_at = 0, weekly_zone = NULL "
            "WHERE id = ?",
            [int(on), chat_id],
        )

    def weekly_chats(self, now: datetime) -> list[WeeklyChat]:
        """Active chats with the weekly report on whose report is due by `now`, or whose due
        time is still to be worked out (`due_at` None)."""
        rows = self.db.execute(
            "SELECT id, language, coalesce(timezone, ''), weekly_zone, weekly_due_at, paused "
            "FROM chats "
            "WHERE weekly_report = 1 AND active = 1 "
            "AND (weekly_due_at <= ? OR weekly_zone IS NOT coalesce(timezone, '')) ORDER BY id",
            [to_epoch(now)],
        ).fetchall()
        return [
            WeeklyChat(
                chat_id,
                language,
                zone,
                _moment(due) if due and worked_in == zone else None,
                bool(paused),
            )
            for chat_id, language, zone, worked_in, due, paused in rows
        ]

    def set_weekly_due(self, chat_id: int, due_at: datetime, zone: str) -> None:
        """The chat's next weekly report, worked out in `zone` (its zone setting, "" default)."""
        self.db.execute(
            "UPDATE chats SET weekly_due_at = ?, weekly_zone = ? WHERE id = ?",
            [to_epoch(due_at), zone, chat_id],
        )


def local_day(epoch: float, zone: ZoneInfo) -> str:
    """The local date ("YYYY-MM-DD") in `zone` of a moment in epoch seconds."""
    return datetime.fromtimestamp(epoch, zone).date().isoformat()


def _zone(name: str, default: str) -> ZoneInfo:
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")


def _moment(epoch: float) -> datetime:
    found = from_epoch(epoch)
    assert found is not None
    return found


def _watch(row: dict[str, Any]) -> Watch:
    return Watch(
        row["id"],
        row["chat_id"],
        row["query"],
        row["display"] or row["query"],
        bool(row["muted"]),
        row["thread_id"],
    )


__all__ = ["DAYS_KEPT", "HOURS_KEPT", "SPIKE_LASTS", "CoverageMixin", "local_day"]
