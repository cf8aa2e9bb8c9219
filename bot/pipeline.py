"""One poll of one source, stage by stage: fetch → parse → store → match → outbox.

Rules:
- This function is the only place that knows the stage order; stages never call each other.
- Storing the new articles, queueing their alerts and moving the source's schedule happen in
  one transaction, so a crash never leaves an article stored but unalerted.
- A source's first successful poll stores what the feed holds and alerts on none of it (no
  flood of old news when a source is added); later polls alert only on articles never stored.
- Any failure of fetch or parse is recorded on the source (shown in `/sources`) and moves its
  next poll back; it never propagates to the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from bot.fetch import FetchError, fetch_feed
from bot.match import Document, LiveIndex
from bot.models import Source, StoredArticle
from bot.parse import ParseError, parse_feed
from bot.sources import next_poll_after_failure, next_poll_after_success
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollReport:
    """What one poll did, for logs and tests."""

    source_id: int
    new_articles: int
    queued_alerts: int
    error: str | None


async def poll_source(
    source: Source,
    *,
    client: httpx.AsyncClient,
    store: Store,
    index: LiveIndex,
    max_bytes: int,
) -> PollReport:
    """Run every stage once for this source and record the outcome on it."""
    try:
        result = await fetch_feed(
            client,
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            max_bytes=max_bytes,
        )
        articles = await asyncio.to_thread(parse_feed, result)
    except (FetchError, ParseError) as exc:
        now = datetime.now(UTC)
        failures = source.error_count + 1
        store.record_poll_failure(
            source.id, now, next_poll_after_failure(now, source.interval, failures), str(exc)
        )
        log.warning("source=%s url=%s poll failed: %s", source.id, source.url, exc)
        return PollReport(source.id, 0, 0, str(exc))
    now = datetime.now(UTC)
    with store.transaction():
        stored = store.save_articles(source, articles, now)
        queued = 0
        if source.seeded and stored:
            queued = store.enqueue(_alerts(stored, index), now)
        store.record_poll_success(
            source.id,
            now,
            next_poll_after_success(now, source.interval),
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
    return PollReport(source.id, len(stored), queued, None)


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
