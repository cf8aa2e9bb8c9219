"""Periods and calendars of coverage views, in the chat's zone.

Rules:
- A period is the last N local days, today included (so today's bar grows during the day):
  7, 30 or 90 (`PERIODS`), 30 unless asked.
- Days are local days of the chat's zone; their bounds are worked out with `zoneinfo`, so a
  day of a zone with daylight saving time is 23 or 25 hours long, as it should be.
- Date labels are short and in the chat's language ("13 Sep"), months from the catalogue.
- The weekly report is due on Monday at `WEEKLY_AT` local time: `next_weekly` is the first
  such moment after a given one, in the chat's zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import DayBounds
from bot.texts import text

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
WEEKLY_DAY = 0  # Monday
WEEKLY_AT = time(8, 0)
_PERIOD = re.compile(r"(\d{1,2})d", re.IGNORECASE)


def parse_period(word: str) -> int | None:
    """`7d`, `30d` or `90d` as days; None for anything else."""
    found = _PERIOD.fullmatch(word)
    days = int(found.group(1)) if found else None
    return days if days in PERIODS else None


def day_bounds(today: date, days: int, zone: ZoneInfo) -> list[DayBounds]:
    """The `days` local days ending with `today`, oldest first, with their UTC bounds."""
    first = today - timedelta(days=days - 1)
    bounds = []
    for number in range(days):
        day = first + timedelta(days=number)
        start = datetime.combine(day, time(0), zone).timestamp()
        end = datetime.combine(day + timedelta(days=1), time(0), zone).timestamp()
        bounds.append(DayBounds(day.isoformat(), start, end))
    return bounds


def day_label(day: str, language: str) -> str:
    """ "2023-09-13" as "13 Sep" (months in the chat's language)."""
    moment = date.fromisoformat(day)
    return f"{moment.day} {text(language, 'months').split()[moment.month - 1]}"


def next_weekly(after: datetime, zone: ZoneInfo) -> datetime:
    """The first Monday `WEEKLY_AT` in `zone` strictly after `after` (an aware datetime)."""
    local = after.astimezone(zone)
    ahead = (WEEKLY_DAY - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=ahead), WEEKLY_AT, zone)
    if candidate <= local:
        candidate = datetime.combine(candidate.date() + timedelta(days=7), WEEKLY_AT, zone)
    return candidate
