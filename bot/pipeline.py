"""One poll of one source, stage by stage: fetch → parse → match → (fetch, parse) the matched
articles → store → outbox.

Rules:
- This function is the only place that knows the stage order; stages never call each other.
- A story a chat was alerted to in the last 48 hours is not alerted again from another
  outlet: the outlet is added to the first alert (see `stories`).
- Alerts are planned before anything is stored; then storing the new articles, queueing their
  alerts and moving the source's schedule happen in one transaction, so a crash never leaves
  an article stored but unalerted (the next poll simply sees it as new again).
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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.fetch import Fetcher, FetchError
from bot.health import ALERTS_QUEUED, ARTICLES, FETCH_SECONDS, MATCHES, POLLS
from bot.match import Document, LiveIndex, QueryMatch, hosts_of
from bot.models import Article, PageText, Planned, RecentAlert, Source, StoredArticle, Watch
from bot.parse import ParseError, extract_article, parse_feed
from bot.sources import Cadence, adaptive_interval, next_poll, next_poll_after_failure
from bot.store import Store
from bot.stories import WINDOW as STORY_WINDOW
from bot.stories import Recent, earlier_report, fingerprint
from bot.summary import clean_text, mention_patterns, summarize

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
    article_timeout: float = 10.0
    widely: tuple[int, timedelta] = (4, timedelta(hours=1))


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
        with FETCH_SECONDS.time():
            result = await fetcher.feed(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
            feed = await asyncio.to_thread(parse_feed, result)
    except (FetchError, ParseError) as exc:
        POLLS.labels("failed").inc()
        return await _failed(source, store, exc, settings)
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
    fresh = await store.run(store.unseen, feed.articles)
    planned: list[Planned] = []
    if source.seeded:
        planned, dates = await plan_alerts(source, fresh, index, fetcher, settings)
        fresh = [
            replace(a, published_at=dates[a.key]) if not a.published_at and a.key in dates else a
            for a in fresh
        ]
    if planned:
        chats = {alert.chat_id for alert in planned}
        recent = await store.run(store.recent_alerts, chats, now - STORY_WINDOW)
        planned = repeats_marked(planned, fresh, recent)
    poll_at = next_poll(now, interval, settings.cadence, settings.rng, asked=fresh_for)

    def record() -> tuple[list[StoredArticle], int]:
        with store.transaction():
            stored = store.save_articles(source, fresh, now)
            queued = store.enqueue(planned, stored, now, settings.widely)
            store.record_matches(planned, stored)
            store.record_poll_success(
                source.id, now, poll_at, interval, result.etag, result.last_modified
            )
        return stored, queued

    stored, queued = await store.run(record)
    POLLS.labels("not_modified" if result.content is None else "ok").inc()
    ARTICLES.inc(len(stored))
    MATCHES.inc(len(planned))
    ALERTS_QUEUED.inc(queued)
    log.info(
        "source=%s new=%d queued=%d%s",
        source.id,
        len(stored),
        queued,
        "" if source.seeded else " (first poll: stored without alerts)",
    )
    notice = "recovered" if source.failure_notified else None
    return PollReport(source.id, len(stored), queued, None, notice)


async def _failed(
    source: Source, store: Store, error: FetchError | ParseError, settings: PollSettings
) -> PollReport:
    """Record the failure, back off, and say whether the admins should now hear of it."""
    now = datetime.now(UTC)
    retry_after = error.retry_after if isinstance(error, FetchError) else None
    retry = next_poll_after_failure(source, now, settings.cadence, settings.rng, retry_after)
    await store.run(store.record_poll_failure, source.id, now, retry, str(error))
    log.warning("source=%s url=%s poll failed: %s", source.id, source.url, error)
    since = source.failing_since or now
    notice = None
    if (
        not source.failure_notified
        and (now - since).total_seconds() >= settings.failure_alert_after
    ):
        await store.run(store.mark_failure_notified, source.id)
        notice = "failing"
    return PollReport(source.id, 0, 0, str(error), notice)


async def plan_alerts(
    source: Source,
    articles: Sequence[Article],
    index: LiveIndex,
    fetcher: Fetcher,
    settings: PollSettings,
) -> tuple[list[Planned], dict[str, datetime]]:
    """The alerts these new articles cause: matched on the feed's text, then on the article.

    Only articles that match some watch are fetched (it is costly and impolite otherwise), all
    at once and for at most `settings.article_timeout` in all; an article that cannot be
    fetched or extracted in time keeps the feed's description (cleaned the same way).
    Matching again on the full text adds the watches that only the body mentions. Also
    returned: publication times found on the pages of articles whose feed gave none.
    """
    first = {a.key: index.match(document_of(a, a.summary, source)) for a in articles}
    matched = [a for a in articles if first[a.key]]
    pages = await _article_pages(matched, fetcher, settings) if source.fetch_article else {}
    planned = []
    for article in matched:
        found = list(first[article.key])
        page = pages.get(article.key)
        body = clean_text(page.text, article.title) if page else ""
        if body:
            found += index.match(document_of(article, body, source))
        planned += _per_chat(article, found, body or clean_text(article.summary, article.title))
    dates = {key: page.published_at for key, page in pages.items() if page.published_at is not None}
    return planned, dates


def repeats_marked(
    planned: Sequence[Planned], articles: Sequence[Article], recent: Sequence[RecentAlert]
) -> list[Planned]:
    """Point each alert of a story the chat already has at that earlier alert."""
    titles = {article.key: article.title for article in articles}
    earlier: dict[int, list[Recent]] = defaultdict(list)
    for sent in recent:
        earlier[sent.chat_id].append(
            Recent(sent.delivery_id, fingerprint(sent.title, sent.summary))
        )
    marked = []
    for alert in planned:
        story = fingerprint(titles.get(alert.article_key, ""), alert.summary)
        repeat = earlier_report(story, earlier.get(alert.chat_id, ()))
        marked.append(replace(alert, duplicate_of=repeat) if repeat is not None else alert)
    return marked


def _per_chat(article: Article, found: Sequence[QueryMatch], text: str) -> list[Planned]:
    """One alert per chat, naming each of its watches once, with a summary for its terms."""
    chats: dict[int, dict[int, Watch]] = defaultdict(dict)
    terms: dict[int, dict[str, None]] = defaultdict(dict)
    for query_match in found:
        hit_terms = [hit.term.strip('"') for hit in query_match.hits()]
        for watch in query_match.watches:
            chats[watch.chat_id][watch.id] = watch
            terms[watch.chat_id].update(dict.fromkeys(hit_terms))
    return [
        Planned(
            chat_id=chat_id,
            article_key=article.key,
            watch_ids=tuple(watches),
            watches=tuple(w.display for w in watches.values()),
            terms=tuple(terms[chat_id]),
            summary=summarize(text, mention_patterns(list(terms[chat_id])), article.title),
            thread_id=next(iter(watches.values())).thread_id,
        )
        for chat_id, watches in chats.items()
    ]


async def _article_pages(
    articles: Sequence[Article], fetcher: Fetcher, settings: PollSettings
) -> dict[str, PageText]:
    """Extracted article pages by key, for those fetched and extracted before the deadline."""

    async def text_of(article: Article) -> tuple[str, PageText]:
        page = await fetcher.page(article.url)
        return article.key, await asyncio.to_thread(extract_article, page)

    tasks = [asyncio.create_task(text_of(a)) for a in articles if a.url.startswith("http")]
    if not tasks:
        return {}
    done, pending = await asyncio.wait(tasks, timeout=settings.article_timeout)
    for task in pending:
        task.cancel()
    pages = {}
    for task in done:
        if task.exception() is None:
            key, page = task.result()
            pages[key] = page
        else:
            log.info("article not extracted: %s", task.exception())
    return pages


def document_of(article: Article, body: str, source: Source) -> Document:
    """What the matcher reads of an article: headline, text, and where it came from."""
    return Document(article.title, body, source.name, hosts_of(article.url, source.url))
