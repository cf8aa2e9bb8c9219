"""Stored articles that match a query: `/search`, the `/watch` backfill and preview, and the
console's first run all ask here, so they agree with each other and with the alerts; the
backfill of a new watch, in chat or in the console, is one function (`recent_matches`).

Rules:
- What the matcher reads of an article (`body_of`) is the same for a new article in a poll and
  a stored one: its page text, if it was read, then its feed text.
- The full-text index (`Store.search_articles`) picks candidates by their words; the matcher
  decides, off the event loop. A query without words (only `source:`) scans the recent
  articles instead, at most `CANDIDATES` of them: a reply never waits on matching the whole
  archive, and matching stops once it has what it shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.match import Document, MatchIndex, Query, hosts_of
from bot.models import StoredArticle, Watch
from bot.store import Store

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECENT_WINDOW = timedelta(hours=24)
RECENT_SHOWN = 5
CANDIDATES = 2000


def body_of(text: str, summary: str) -> str:
    """An article's body as matching reads it: page text, then feed text."""
    return "\n".join(part for part in (text, summary) if part)


async def stored_matches(
    store: Store, watch: Watch, query: Query, *, since: datetime | None, limit: int
) -> list[StoredArticle]:
    """The newest stored articles (since `since`, if given) that this watch's query matches."""
    phrases = [term.tokens for term in query.terms()]
    if phrases:
        candidates = await store.run(store.search_articles, phrases, since)
    else:
        candidates = await store.run(store.recent_articles, since or EPOCH, CANDIDATES)
    return await matching_off_loop(watch, query, candidates, limit)


async def matching_off_loop(
    watch: Watch, query: Query, articles: Sequence[StoredArticle], wanted: int
) -> list[StoredArticle]:
    """`matching` on a worker thread: CPU work the event loop must not wait for."""
    return await asyncio.to_thread(matching, watch, query, articles[:CANDIDATES], wanted)


async def recent_matches(store: Store, watch: Watch, query: Query) -> list[StoredArticle]:
    """What a new watch already matches: the newest few articles of the last day (the backfill
    of `/watch` in chat and of the console's first run)."""
    since = datetime.now(UTC) - RECENT_WINDOW
    return await stored_matches(store, watch, query, since=since, limit=RECENT_SHOWN)


def matching(
    watch: Watch, query: Query, articles: Sequence[StoredArticle], wanted: int | None = None
) -> list[StoredArticle]:
    """The stored articles (in the order given) that this watch's query matches, the first
    `wanted` of them."""
    index = MatchIndex([(watch, query)])
    found: list[StoredArticle] = []
    for article in articles:
        if index.match(stored_document(article)):
            found.append(article)
            if wanted is not None and len(found) >= wanted:
                break
    return found


def stored_document(article: StoredArticle) -> Document:
    """What the matcher reads of a stored article, as it read the article when it was new."""
    return Document(
        article.title,
        body_of(article.text, article.summary),
        article.source_name,
        hosts_of(article.url, article.source_url),
    )
