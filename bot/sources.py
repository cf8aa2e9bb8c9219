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
  weekly blog hourly). Either way a feed's `ttl` or the server's max-age/Expires is honoured
  when longer, and up to 10% of random jitter keeps sources from polling in lockstep.
- After a failure the next poll backs off exponentially (interval × 2^(errors-1)), capped at
  `MAX_BACKOFF`, or later if a 429/503 said Retry-After; one success returns the source to
  its interval, so a source never stays dead after a long outage.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus, urlsplit
from xml.etree import ElementTree

from bot.config import ConfigError, format_duration, parse_duration, read_tables
from bot.models import Source

MAX_BACKOFF = timedelta(hours=6)


GNEWS_PREFIX = "gnews:"
GNEWS_SEARCH = "https://news.google.com/rss/search?q={query}&hl=id&gl=ID&ceid=ID:id"
JITTER = 0.1
_QUOTED_OPERATOR = re.compile(r'"([a-z]+:[^"\s]+)"')
MAX_WAIT = timedelta(days=1)


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


def next_poll_after_success(
    now: datetime, interval: float, fresh_for: float | None, rng: random.Random
) -> datetime:
    """One interval away — or as long as the feed or server asked, if longer — plus jitter."""
    wait = max(interval, fresh_for or 0.0) * (1 + rng.uniform(0, JITTER))
    return now + min(timedelta(seconds=wait), MAX_WAIT)


def next_poll_after_failure(
    now: datetime, interval: float, error_count: int, retry_after: float | None = None
) -> datetime:
    """Twice as long after each consecutive error, up to a cap; Retry-After if it is later."""
    delay = min(timedelta(seconds=interval * 2 ** max(error_count - 1, 0)), MAX_BACKOFF)
    asked = timedelta(seconds=min(retry_after or 0.0, MAX_WAIT.total_seconds()))
    return now + max(delay, asked)
