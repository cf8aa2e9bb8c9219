"""When an alert goes out alone, waits for a digest, or waits for the chat — and the digest.

Rules (times are the chat's local time):
- A paused chat receives nothing; its alerts are held (`paused`). On /resume the user chooses
  to get them as one digest or to drop them.
- In digest mode (`hourly`, or `daily` at HH:MM) every alert is held for the next digest.
- During quiet hours (`22:00-06:00` crosses midnight) alerts are held; the digest goes out
  when the window ends.
- An alert storm is bounded: past `storm_limit` alerts sent to a chat one by one in the last
  hour, the rest are held for the next hour's digest, with a one-line notice in it.
- A digest is due at the first scheduled moment (top of the hour; HH:MM daily) after its
  oldest held alert — or, for alerts held only by quiet hours or by /resume, at once — and
  never during quiet hours (then when they end). `digest_due_at` says when, so the outbox
  stores the moment instead of asking every second.
- A digest groups the articles by watch, each a linked title with source and time. It is cut
  into parts between articles, never inside one, each part within `DIGEST_LIMIT` as Telegram
  counts: UTF-16 code units of the text after entity parsing (an emoji is two). A part says
  which items it carries, so that each can be sent, and recorded, on its own.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.compose import format_time, shorten
from bot.texts import MESSAGE_LIMIT, telegram_length, text

DIGEST_LIMIT = MESSAGE_LIMIT - 96  # a margin under Telegram's count, for what it may add
HOLD_DIGEST, HOLD_QUIET, HOLD_STORM, HOLD_RESUMED = "digest", "quiet", "storm", "resumed"
HOLD_PAUSED = "paused"
AT_ONCE = frozenset({HOLD_QUIET, HOLD_RESUMED, HOLD_PAUSED})  # no scheduled moment to wait for


@dataclass(frozen=True, slots=True)
class ChatPolicy:
    """A chat's delivery settings."""

    zone: ZoneInfo
    digest: str = "off"
    digest_at: time = time(7, 0)
    quiet: tuple[time, time] | None = None
    paused: bool = False


@dataclass(frozen=True, slots=True)
class DigestPart:
    """One message of a digest: its HTML and the indexes of the items it carries."""

    html: str
    items: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One held article of a digest."""

    watches: tuple[str, ...]
    title: str
    url: str
    source: str
    published_at: datetime | None
    reason: str


def parse_clock(text: str) -> time:
    """ "07:30" → 07:30; ValueError otherwise."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def in_quiet_hours(policy: ChatPolicy, now: datetime) -> bool:
    if policy.quiet is None:
        return False
    start, end = policy.quiet
    local = now.astimezone(policy.zone).time()
    return start <= local < end if start < end else local >= start or local < end


def route(policy: ChatPolicy, now: datetime, sent_last_hour: int, storm_limit: int) -> str | None:
    """The reason to hold the alert, or None to send it now."""
    if policy.paused:
        return HOLD_PAUSED
    if policy.digest != "off":
        return HOLD_DIGEST
    if in_quiet_hours(policy, now):
        return HOLD_QUIET
    if sent_last_hour >= storm_limit:
        return HOLD_STORM
    return None


def waits_for_boundary(reasons: Iterable[str]) -> bool:
    """Whether alerts held for these reasons wait for a scheduled digest moment."""
    return not set(reasons) <= AT_ONCE


def first_boundary_after(policy: ChatPolicy, moment: datetime) -> datetime:
    """The first scheduled digest moment after `moment`: the next hour, or HH:MM daily."""
    local = moment.astimezone(policy.zone)
    if policy.digest == "daily":
        at = local.replace(
            hour=policy.digest_at.hour, minute=policy.digest_at.minute, second=0, microsecond=0
        )
        return at if at > local else at + timedelta(days=1)
    return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def quiet_end_after(policy: ChatPolicy, moment: datetime) -> datetime:
    """When the quiet hours `moment` falls in end (`moment` itself outside them)."""
    if not in_quiet_hours(policy, moment):
        return moment
    assert policy.quiet is not None
    end = policy.quiet[1]
    local = moment.astimezone(policy.zone)
    at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def digest_due_at(
    policy: ChatPolicy, oldest_held: datetime, boundary: bool, now: datetime
) -> datetime:
    """When held alerts go out as a digest: the first scheduled moment after the oldest one
    (`boundary`) or now, moved past quiet hours. Meaningless while the chat is paused."""
    moment = max(first_boundary_after(policy, oldest_held) if boundary else oldest_held, now)
    return quiet_end_after(policy, moment)


def digest_due(policy: ChatPolicy, now: datetime, oldest_held: datetime, reasons: set[str]) -> bool:
    """Whether the held alerts of this chat should go out now as a digest."""
    if policy.paused:
        return False
    return digest_due_at(policy, oldest_held, waits_for_boundary(reasons), now) <= now


def digest_parts(
    items: Sequence[DigestItem], zone: ZoneInfo, language: str, limit: int = DIGEST_LIMIT
) -> list[DigestPart]:
    """The digest as Telegram HTML messages, grouped by watch, cut between articles so that
    each stays within `limit` as Telegram counts; a continued watch repeats its heading."""
    by_watch: dict[str, list[int]] = defaultdict(list)
    for number, item in enumerate(items):
        by_watch[", ".join(item.watches)].append(number)
    opening = [text(language, "digest_header", count=len(items))]
    if any(item.reason == HOLD_STORM for item in items):
        opening.append(text(language, "digest_storm"))
    parts: list[DigestPart] = []
    lines, used = list(opening), _length(opening)
    carried: list[int] = []
    for watch, numbers in by_watch.items():
        heading = f"\n🔎 <b>{html.escape(shorten(watch, 200), quote=False)}</b>"
        lines.append(heading)
        used += telegram_length(heading) + 1
        for number in numbers:
            line = _line(items[number], zone, language)
            size = telegram_length(line) + 1
            if carried and used + size > limit:
                parts.append(DigestPart("\n".join(lines), tuple(carried)))
                lines = [text(language, "digest_more"), heading]
                carried, used = [], _length(lines)
            lines.append(line)
            carried.append(number)
            used += size
    parts.append(DigestPart("\n".join(lines), tuple(carried)))
    return parts


def _length(lines: Sequence[str]) -> int:
    return telegram_length("\n".join(lines))


def _line(item: DigestItem, zone: ZoneInfo, language: str) -> str:
    title = html.escape(shorten(item.title, 200), quote=False)
    details = [shorten(item.source, 60)] if item.source else []
    if item.published_at:
        details.append(format_time(item.published_at, zone, language))
    tail = f" — {html.escape(' · '.join(details), quote=False)}" if details else ""
    return f'• <a href="{html.escape(item.url, quote=True)}">{title}</a>{tail}'
