"""Discovery: from any URL an admin gives to a checked feed (for /addsource).

Order: the URL itself, if it is a feed; else the feeds its HTML page announces
(`<link rel="alternate" type="application/rss+xml|atom+xml">`), in page order; else the common
paths `/rss`, `/feed`, `/rss.xml`, `/feed.xml`, `/atom.xml`, `/index.xml` of its site. The first
candidate that fetches and parses as a feed with entries wins; it is fetched through the same
guarded client as polls (SSRF guard, size cap, timeouts). Every refusal is a
`DiscoveryError` whose `code` names a text for the admin: `unreachable` or `no_feed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from bot.fetch import Fetcher, FetchError
from bot.models import Feed
from bot.parse import ParseError, feed_links, parse_feed

COMMON_PATHS = ("/rss", "/feed", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
HEADLINES = 3


class DiscoveryError(Exception):
    """No feed could be found or checked; `code` names the reason, `detail` says more."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Discovered:
    """A checked feed: where it is, its title, and its newest headlines."""

    url: str
    title: str
    headlines: tuple[str, ...]


async def discover(fetcher: Fetcher, url: str) -> Discovered:
    """The first working feed for this URL, or `DiscoveryError`."""
    try:
        first = await fetcher.page(url)
    except FetchError as exc:
        raise DiscoveryError("unreachable", str(exc)) from exc
    try:
        return _checked(first.url, parse_feed(first))
    except (ParseError, DiscoveryError):
        pass
    candidates = [*feed_links(first), *(urljoin(first.url, path) for path in COMMON_PATHS)]
    for candidate in dict.fromkeys(candidates):
        try:
            result = await fetcher.feed(candidate, etag=None, last_modified=None)
            return _checked(result.url, parse_feed(result))
        except (FetchError, ParseError, DiscoveryError):
            continue
    raise DiscoveryError("no_feed", url)


def _checked(url: str, feed: Feed) -> Discovered:
    if not feed.articles:
        raise DiscoveryError("no_feed", url)
    headlines = tuple(article.title for article in feed.articles[:HEADLINES])
    return Discovered(url, feed.title or url, headlines)
