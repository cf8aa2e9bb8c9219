"""When an alert goes out alone, waits for a digest, or waits for the chat — and the digest.

Rules (times are the chat's local time):
- A paused chat receives nothing; its alerts wait. On /resume the user chooses to get them as
  one digest or to drop them.
- In digest mode (`hourly`, or `daily` at HH:MM) every alert is held for the next digest.
- During quiet hours (`22:00-06:00` crosses midnight) alerts are held; the digest goes out
  when the window ends.
- An alert storm is bounded: past `storm_limit` alerts sent to a chat in the last hour, the
  rest are held for the next hour's digest, with a one-line notice in it.
- A digest is due at the first scheduled moment (top of the hour; HH:MM daily) after its
  oldest held alert — or, for alerts held only by quiet hours or by /resume, as soon as the
  window is over — and never during quiet hours.
- A digest is one message grouping the articles by watch, each a linked title with source
  and time; past Telegram's limit it is split between articles, never inside one.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.compose import format_time, shorten
from bot.texts import text

DIGEST_LIMIT = 3800
HOLD_DIGEST, HOLD_QUIET, HOLD_STORM, HOLD_RESUMED = "digest", "quiet", "storm", "resumed"


@dataclass(frozen=True, slots=True)
class ChatPolicy:
    """A chat's delivery settings."""

    zone: ZoneInfo
    digest: str = "off"
    digest_at: time = time(7, 0)
    quiet: tuple[time, time] | None = None
    paused: bool = False


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
    """ "wait" (paused), a hold reason, or None to send the alert now."""
    if policy.paused:
        return "wait"
    if policy.digest != "off":
        return HOLD_DIGEST
    if in_quiet_hours(policy, now):
        return HOLD_QUIET
    if sent_last_hour >= storm_limit:
        return HOLD_STORM
    return None


def last_boundary(policy: ChatPolicy, now: datetime) -> datetime:
    """The latest scheduled digest moment at or before now: the hour, or HH:MM daily."""
    local = now.astimezone(policy.zone)
    if policy.digest == "daily":
        today = local.replace(
            hour=policy.digest_at.hour, minute=policy.digest_at.minute, second=0, microsecond=0
        )
        return today if today <= local else today - timedelta(days=1)
    return local.replace(minute=0, second=0, microsecond=0)


def digest_due(policy: ChatPolicy, now: datetime, oldest_held: datetime, reasons: set[str]) -> bool:
    """Whether the held alerts of this chat should go out now as a digest."""
    if policy.paused or in_quiet_hours(policy, now):
        return False
    if reasons <= {HOLD_QUIET, HOLD_RESUMED}:
        return True
    return last_boundary(policy, now) > oldest_held


def digest_messages(items: Sequence[DigestItem], zone: ZoneInfo, language: str) -> list[str]:
    """The digest as Telegram HTML messages, grouped by watch, split between articles."""
    by_watch: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_watch[", ".join(item.watches)].append(item)
    blocks: list[str] = [text(language, "digest_header", count=len(items))]
    if any(item.reason == HOLD_STORM for item in items):
        blocks.append(text(language, "digest_storm"))
    for watch, group in by_watch.items():
        blocks.append(f"\n🔎 <b>{html.escape(shorten(watch, 200), quote=False)}</b>")
        blocks += [_line(item, zone, language) for item in group]
    messages, current = [], ""
    for block in blocks:
        if current and len(current) + len(block) + 1 > DIGEST_LIMIT:
            messages.append(current)
            current = text(language, "digest_more")
        current = f"{current}\n{block}" if current else block
    messages.append(current)
    return messages


def _line(item: DigestItem, zone: ZoneInfo, language: str) -> str:
    title = html.escape(shorten(item.title, 200), quote=False)
    details = [shorten(item.source, 60)] if item.source else []
    if item.published_at:
        details.append(format_time(item.published_at, zone, language))
    tail = f" — {html.escape(' · '.join(details), quote=False)}" if details else ""
    return f'• <a href="{html.escape(item.url, quote=True)}">{title}</a>{tail}'
