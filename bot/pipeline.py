"""One poll of one source, stage by stage: fetch → parse → store → match → outbox.

Rules:
- This function is the only place that knows the stage order; stages never call each other.
- Storing the new articles, queueing their alerts and moving the source's schedule happen in
  one transaction, so a crash never leaves an article stored but unalerted.
- A source's first successful poll stores what the feed holds and alerts on none of it (no
  flood of old news when a source is added); later polls alert only on articles never stored.
- Any failure of fetch or parse is recorded on the source (shown in `/sources`) and moves its
  next poll back; it never propagates to the scheduler. A streak of failures longer than
  `failure_alert_after` is reported once (`PollReport.notice`), and so is its end.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bot.fetch import Fetcher, FetchError
from bot.match import Document, LiveIndex
from bot.models import Source, StoredArticle
from bot.parse import ParseError, parse_feed
from bot.sources import (
    Cadence,
    adaptive_interval,
    next_poll_after_failure,
    next_poll_after_success,
)
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollReport:
    """What one poll did, for logs, admin notices and tests.

    `notice` is "failing" when this poll made the failure streak long enough to tell the
    admins, "recovered" when it ended a streak they had been told of.
    """

    source_id: int
    new_articles: int
    queued_alerts: int
    error: str | None
    notice: str | None = None


@dataclass(frozen=True)
class PollSettings:
    """What a poll needs of the configuration."""

    cadence: Cadence
    failure_alert_after: float
    rng: random.Random


async def poll_source(
    source: Source,
    *,
    fetcher: Fetcher,
    store: Store,
    index: LiveIndex,
    settings: PollSettings,
) -> PollReport:
    """Run every stage once for this source and record the outcome on it."""
    try:
        result = await fetcher.feed(
            source.url, etag=source.etag, last_modified=source.last_modified
        )
        feed = await asyncio.to_thread(parse_feed, result)
    except (FetchError, ParseError) as exc:
        return _failed(source, store, exc, settings)
    now = datetime.now(UTC)
    interval = source.interval
    if source.adaptive:
        published = [a.published_at for a in feed.articles if a.published_at]
        interval = (
            adaptive_interval(published, settings.cadence)
            if published
            else (source.effective_interval)
        )
    fresh_for = max(filter(None, (result.fresh_for, feed.ttl)), default=None)
    with store.transaction():
        stored = store.save_articles(source, feed.articles, now)
        queued = 0
        if source.seeded and stored:
            queued = store.enqueue(_alerts(stored, index), now)
        store.record_poll_success(
            source.id,
            now,
            next_poll_after_success(now, interval, fresh_for, settings.rng),
            interval,
            result.etag,
            result.last_modified,
        )
    log.info(
        "source=%s new=%d queued=%d%s",
        source.id,
        len(stored),
        queued,
        "" if source.seeded else " (first poll: stored without alerts)",
    )
    notice = "recovered" if source.failure_notified else None
    return PollReport(source.id, len(stored), queued, None, notice)


def _failed(
    source: Source, store: Store, error: FetchError | ParseError, settings: PollSettings
) -> PollReport:
    """Record the failure, back off, and say whether the admins should now hear of it."""
    now = datetime.now(UTC)
    retry_after = error.retry_after if isinstance(error, FetchError) else None
    interval = source.effective_interval if source.adaptive else source.interval
    retry = next_poll_after_failure(now, interval, source.error_count + 1, retry_after)
    store.record_poll_failure(source.id, now, retry, str(error))
    log.warning("source=%s url=%s poll failed: %s", source.id, source.url, error)
    since = source.failing_since or now
    notice = None
    if (
        not source.failure_notified
        and (now - since).total_seconds() >= settings.failure_alert_after
    ):
        store.mark_failure_notified(source.id)
        notice = "failing"
    return PollReport(source.id, 0, 0, str(error), notice)


def _alerts(
    articles: Sequence[StoredArticle], index: LiveIndex
) -> list[tuple[int, int, list[str]]]:
    """One outbox entry per (chat, article), naming all of that chat's watches that fired."""
    entries = []
    for article in articles:
        per_chat: dict[int, list[str]] = defaultdict(list)
        for found in index.match(document_of(article)):
            for watch in found.watches:
                per_chat[watch.chat_id].append(watch.display)
        entries += [(chat_id, article.id, displays) for chat_id, displays in per_chat.items()]
    return entries


def document_of(article: StoredArticle) -> Document:
    """What the matcher reads of an article: headline, text, and where it came from."""
    hosts = tuple(
        host.removeprefix("www.")
        for host in (urlsplit(article.url).hostname, urlsplit(article.source_url).hostname)
        if host
    )
    return Document(article.title, article.summary, article.source_name, hosts)
