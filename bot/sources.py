"""Sources: the shipped list, URL checks, and when each source is polled next.

Rules:
- `config/sources.toml` holds `[[source]]` tables with `name`, `url`, an optional
  `interval` ("30s", "5m", "1h"; at least 1s) and `fetch_article = false` for a source whose
  pages are not worth fetching for the summary. It is read once, into an empty database;
  after that the database is the source of truth.
- Lists move in and out as OPML (other feed readers) or TOML (`pantau sources import|export`).
- A source URL is http(s) with a host; anything else is refused here, before it is stored.
  `gnews:QUERY` stands for Google News' RSS search for Indonesia on QUERY, sent as written:
  `gnews:"Korea Utara"` is the exact phrase, `gnews:"Kim Jong Un" OR Putin` keeps its inner
  quotes. Typographic quotes (“ ”, as phone keyboards type them) become plain ones, and quotes
  around a lone operator (`gnews:"site:kompas.com"`) are dropped, since Google would read a
  quoted operator as words.
- A source with an interval polls at it; one without adapts: half the median gap between its
  newest items, clamped to [min_interval, max_interval] (a busy wire every few minutes, a
  weekly blog hourly).
- `next_poll` is the one place a next poll is worked out — after a success or a failure, with
  or without a server's hint — in float seconds, clamped to [`MIN_WAIT`, `MAX_WAIT`] before it
  becomes a `timedelta`, so no feed, header or failure streak can overflow it or make it zero:
  - a server's hint (a feed's `ttl`, Cache-Control max-age or Expires, a 429/503's
    Retry-After) is honoured when longer than the interval, up to `max_interval` (as Miniflux
    caps it): a CDN's day-long max-age cannot silence a source for a day;
  - after a failure the wait backs off exponentially (interval × 2^(errors-1), the exponent
    bounded too), capped at `MAX_BACKOFF` (or the interval, if longer); one success returns
    the source to its interval, so a source never stays dead after a long outage;
  - up to 10% of random jitter keeps sources from polling in lockstep.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus, urlsplit
from xml.etree import ElementTree

from bot.config import MAX_INTERVAL, ConfigError, format_duration, parse_duration, read_tables
from bot.models import Source

GNEWS_PREFIX = "gnews:"
GNEWS_SEARCH = "https://news.google.com/rss/search?q={query}&hl=id&gl=ID&ceid=ID:id"
# Seconds. The shortest and longest waits between two polls of a source: the bounds an
# interval setting accepts (1 s to config's MAX_INTERVAL), so the scheduler never waits longer
# than a source may ask.
MIN_WAIT = 1.0
MAX_WAIT = MAX_INTERVAL
MAX_BACKOFF = 6 * 3600.0
JITTER = 0.1
# Past this many doublings even MIN_WAIT is beyond MAX_WAIT: the exponent never needs more.
MAX_DOUBLINGS = math.ceil(math.log2(MAX_WAIT / MIN_WAIT))
_QUOTED_OPERATOR = re.compile(r'"([a-z]+:[^"\s]+)"')


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source before it has a database id; `adaptive` when no interval was given."""

    name: str
    url: str
    interval: float
    adaptive: bool = False
    fetch_article: bool = True


@dataclass(frozen=True, slots=True)
class Cadence:
    """The bounds of adaptive intervals (from the configuration)."""

    minimum: float
    maximum: float
    default: float


def check_url(url: str) -> str:
    """Return the URL stripped, or raise `ConfigError` saying why it cannot be a source."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"'{url}' is not an http(s) URL; a source looks like https://host/rss")
    return url


def default_name(url: str) -> str:
    """Name a source after its host when nobody named it."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def gnews_query(text: str) -> str:
    """What Google News is asked for `gnews:TEXT` (see the module rules)."""
    query = text.strip().replace("“", '"').replace("”", '"')
    operator = _QUOTED_OPERATOR.fullmatch(query)
    return operator.group(1) if operator else query


def gnews_url(query: str) -> str:
    """Google News' RSS search for Indonesia, in Indonesian."""
    return GNEWS_SEARCH.format(query=quote_plus(query.strip()))


def make_spec(
    url: str, name: str | None, interval: str | None, default_interval: float
) -> SourceSpec:
    """Check one source's fields the same way for the file, the CLI and the chat."""
    url = url.strip()
    if url.startswith(GNEWS_PREFIX):
        query = gnews_query(url.removeprefix(GNEWS_PREFIX))
        if not query.strip('" '):
            raise ConfigError('gnews: needs a search, like gnews:"Korea Utara"')
        url, name = gnews_url(query), name or f"Google News: {query}"
    url = check_url(url)
    seconds = parse_duration(interval) if interval else default_interval
    return SourceSpec(
        name=(name or "").strip() or default_name(url),
        url=url,
        interval=seconds,
        adaptive=not interval,
    )


def read_sources_file(path: Path, default_interval: float) -> list[SourceSpec]:
    """Read the `[[source]]` tables of a sources file; a missing file is an empty list."""
    specs = []
    for number, table in enumerate(read_tables(path, "source"), start=1):
        if "url" not in table:
            raise ConfigError(f"source #{number} in {path} has no url")
        interval = table.get("interval")
        spec = make_spec(
            str(table["url"]),
            table.get("name"),
            str(interval) if interval is not None else None,
            default_interval,
        )
        specs.append(replace(spec, fetch_article=bool(table.get("fetch_article", True))))
    return specs


def read_source_list(path: Path, default_interval: float) -> list[SourceSpec]:
    """A list to import: OPML (as other feed readers export it) or Pantau's TOML."""
    head = path.read_bytes()[:512].lstrip()
    if path.suffix.lower() in (".opml", ".xml") or head.startswith((b"<?xml", b"<opml")):
        return read_opml(path, default_interval)
    return read_sources_file(path, default_interval)


def read_opml(path: Path, default_interval: float) -> list[SourceSpec]:
    """Every outline with an `xmlUrl`, at any depth (categories are folders of outlines)."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise ConfigError(f"{path} is not valid OPML: {exc}") from exc
    return [
        make_spec(
            outline.attrib["xmlUrl"],
            outline.get("title") or outline.get("text"),
            None,
            default_interval,
        )
        for outline in root.iter("outline")
        if outline.get("xmlUrl")
    ]


def to_opml(sources: Sequence[Source]) -> str:
    """The sources as OPML 2.0, for other feed readers."""
    opml = ElementTree.Element("opml", version="2.0")
    ElementTree.SubElement(ElementTree.SubElement(opml, "head"), "title").text = "Pantau sources"
    body = ElementTree.SubElement(opml, "body")
    for source in sources:
        ElementTree.SubElement(
            body, "outline", type="rss", text=source.name, title=source.name, xmlUrl=source.url
        )
    ElementTree.indent(opml)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(opml, encoding="unicode")
        + "\n"
    )


def to_toml(sources: Sequence[Source]) -> str:
    """The sources as a sources.toml; adaptive sources are written without an interval."""
    tables = []
    for source in sources:
        lines = [
            "[[source]]",
            f"name = {json.dumps(source.name)}",
            f"url = {json.dumps(source.url)}",
        ]
        if not source.adaptive:
            lines.append(f"interval = {json.dumps(format_duration(source.interval))}")
        tables.append("\n".join(lines))
    return "\n\n".join(tables) + "\n"


def adaptive_interval(published: Sequence[datetime], cadence: Cadence) -> float:
    """Half the median gap between the newest items, within the cadence's bounds."""
    newest = sorted(published, reverse=True)[:20]
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(newest)]
    gaps = [gap for gap in gaps if gap > 0]
    if not gaps:
        return cadence.default
    return min(max(statistics.median(gaps) / 2, cadence.minimum), cadence.maximum)


def next_poll(
    now: datetime,
    interval: float,
    cadence: Cadence,
    rng: random.Random,
    *,
    errors: int = 0,
    asked: float | None = None,
) -> datetime:
    """When to poll a source next; every schedule computation in Pantau goes through here.

    `interval` is what the source polls at, `errors` its failures in a row counting this one
    (0 after a success), `asked` the seconds a server or feed asked to be left alone (ttl,
    max-age, Expires, Retry-After). Any value of these, however large, gives a time within
    [`MIN_WAIT`, `MAX_WAIT`] from now.
    """
    wait = _bounded(interval, MIN_WAIT, MAX_WAIT)
    if errors > 0:
        doublings = min(errors - 1, MAX_DOUBLINGS)
        wait = min(wait * 2.0**doublings, max(wait, MAX_BACKOFF))
    if asked is not None:
        wait = max(wait, _bounded(asked, 0.0, cadence.maximum))
    wait *= 1 + rng.uniform(0, JITTER)
    return now + timedelta(seconds=_bounded(wait, MIN_WAIT, MAX_WAIT))


def next_poll_after_failure(
    source: Source,
    now: datetime,
    cadence: Cadence,
    rng: random.Random,
    retry_after: float | None = None,
) -> datetime:
    """`next_poll` for a source whose poll just failed (a fetch, a parse, or a crash)."""
    interval = source.effective_interval if source.adaptive else source.interval
    return next_poll(now, interval, cadence, rng, errors=source.error_count + 1, asked=retry_after)


def _bounded(seconds: float, low: float, high: float) -> float:
    """`seconds` within [low, high]; NaN (a float a corrupt value can hold) counts as high."""
    if isinstance(seconds, float) and math.isnan(seconds):
        return high
    return min(max(seconds, low), high)
