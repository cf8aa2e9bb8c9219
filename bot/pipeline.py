"""One poll of one source, stage by stage: fetch → parse → (fetch, parse) every new article's
page → match → store → outbox.

Rules:
- This function is the only place that knows the stage order; stages never call each other.
- A source's first successful poll stores what the feed holds and alerts on none of it (no
  flood of old news when a source is added), and reads no pages; later polls alert only on
  articles never stored.
- Every new article of a later poll is read: its page fetched (politely: `Fetcher.article`)
  and its text extracted, all of a poll's pages at once and for at most `article_timeout`
  from the moment the feed was parsed. Matching runs on the headline, the page text and the
  feed's text, so a watch named only in the body fires. A page that is slow, fails, is refused,
  disallowed by robots.txt or stuck behind the backlog leaves the article with its feed text,
  and it is matched and alerted on that, within the same deadline. Not read: sources with
  `fetch_article = false`, and links to aggregators (a Google News item's link is a page of
  Google's, not the outlet's).
- A story a chat was alerted to in the last 48 hours is not alerted again from another
  outlet: the outlet is added to the first alert (see `stories`).
- Alerts are planned before anything is stored; then storing the new articles (with the page
  text read), queueing their alerts and moving the source's schedule happen in one
  transaction, so a crash never leaves an article stored but unalerted (the next poll simply
  sees it as new again).
- At most `max_concurrent_polls` polls fetch and parse their feed at once (`Fetcher.feed_slot`,
  which also bounds the memory large feeds take); a poll waiting for article pages holds no
  slot, so slow pages never starve the feeds.
- Feeds and pages are parsed through `ParseWorkers` (a worker process; see `bot.workers`), never
  on the event loop.
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
from urllib.parse import urlsplit

from bot.fetch import Fetcher, FetchError, PageSkipped
from bot.health import ALERTS_QUEUED, ARTICLE_PAGES, ARTICLES, FETCH_SECONDS, MATCHES, POLLS
from bot.lookup import body_of
from bot.match import Document, LiveIndex, QueryMatch, hosts_of
from bot.models import Article, Planned, RecentAlert, Source, StoredArticle, Watch
from bot.parse import ParseError, extract_article, parse_feed
from bot.sources import Cadence, adaptive_interval, next_poll, next_poll_after_failure
from bot.store import Store
from bot.stories import WINDOW as STORY_WINDOW
from bot.stories import Recent, earlier_report, fingerprint
from bot.summary import clean_text, mention_patterns, summarize
from bot.workers import ParseWorkers

log = logging.getLogger(__name__)
AGGREGATOR_HOSTS = frozenset({"news.google.com"})


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
    parser: ParseWorkers,
    store: Store,
    index: LiveIndex,
    settings: PollSettings,
) -> PollReport:
    """Run every stage once for this source and record the outcome on it."""
    try:
        async with fetcher.feed_slot():
            with FETCH_SECONDS.time():
                result = await fetcher.feed(
                    source.url, etag=source.etag, last_modified=source.last_modified
                )
                feed = await parser.run(parse_feed, result)
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
        if source.fetch_article:
            fresh = await read_pages(fresh, fetcher, parser, settings.article_timeout)
        planned = plan_alerts(source, fresh, index)
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


async def read_pages(
    articles: Sequence[Article], fetcher: Fetcher, parser: ParseWorkers, timeout: float
) -> list[Article]:
    """The articles with the text of their pages, for those read within `timeout` seconds.

    A page's publication time is taken for an article whose feed gave none. Each outcome is
    counted in `pantau_article_pages_total`.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    return list(await asyncio.gather(*(_read(a, fetcher, parser, deadline) for a in articles)))


async def _read(
    article: Article, fetcher: Fetcher, parser: ParseWorkers, deadline: float
) -> Article:
    if not _is_article_page(article.url):
        return article
    try:
        async with asyncio.timeout_at(deadline):
            page = await fetcher.article(article.url)
            dated = article.published_at is None
            extracted = await parser.run(extract_article, page, dated=dated)
    except TimeoutError:
        outcome = "late"
    except PageSkipped as exc:
        outcome = exc.reason
    except FetchError as exc:
        log.info("article page not read: %s (%s)", article.url, exc)
        outcome = "failed"
    except Exception:  # trafilatura failing on a hostile page must not fail the poll
        log.warning("article page not extracted: %s", article.url, exc_info=True)
        outcome = "failed"
    else:
        text = clean_text(extracted.text, article.title)
        ARTICLE_PAGES.labels("read" if text else "empty").inc()
        return replace(
            article, text=text, published_at=article.published_at or extracted.published_at
        )
    ARTICLE_PAGES.labels(outcome).inc()
    return article


def _is_article_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in AGGREGATOR_HOSTS


def plan_alerts(source: Source, articles: Sequence[Article], index: LiveIndex) -> list[Planned]:
    """The alerts these new articles cause, matched on headline, page text and feed text; the
    summary is the page's lead, or the feed text's when the page was not read."""
    planned = []
    for article in articles:
        found = index.match(document_of(article, source))
        if found:
            text = article.text or clean_text(article.summary, article.title)
            planned += _per_chat(article, found, text)
    return planned


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


def document_of(article: Article, source: Source) -> Document:
    """What the matcher reads of a new article: headline, texts, and its outlet."""
    return Document(
        article.title,
        body_of(article.text, article.summary),
        article.outlet or source.name,
        hosts_of(article.url, source.url, article.outlet_url),
    )
