"""Sources: the shipped list, URL checks, and when each source is polled next.

Rules:
- `config/sources.toml` holds `[[source]]` tables with `name`, `url` and an optional
  `interval` ("30s", "5m", "1h"; at least 1s). It is read once, into an empty database;
  after that the database is the source of truth.
- A source URL is http(s) with a host; anything else is refused here, before it is stored.
- The schedule is data: after a success the next poll is one interval away; after a failure
  it backs off exponentially (interval × 2^(errors-1)), capped at `MAX_BACKOFF`, and a single
  success returns the source to its interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import ConfigError, parse_duration, read_tables

MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class SourceSpec:
    """A source before it has a database id."""

    name: str
    url: str
    interval: float


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


def make_spec(
    url: str, name: str | None, interval: str | None, default_interval: float
) -> SourceSpec:
    """Check one source's fields the same way for the file, the CLI and the chat."""
    url = check_url(url)
    seconds = parse_duration(interval) if interval else default_interval
    return SourceSpec(name=(name or "").strip() or default_name(url), url=url, interval=seconds)


def read_sources_file(path: Path, default_interval: float) -> list[SourceSpec]:
    """Read the `[[source]]` tables of a sources file; a missing file is an empty list."""
    specs = []
    for number, table in enumerate(read_tables(path, "source"), start=1):
        if "url" not in table:
            raise ConfigError(f"source #{number} in {path} has no url")
        interval = table.get("interval")
        specs.append(
            make_spec(
                str(table["url"]),
                table.get("name"),
                str(interval) if interval is not None else None,
                default_interval,
            )
        )
    return specs


def next_poll_after_success(now: datetime, interval: float) -> datetime:
    """A healthy source is polled again one interval later."""
    return now + timedelta(seconds=interval)


def next_poll_after_failure(now: datetime, interval: float, error_count: int) -> datetime:
    """A failing source waits twice as long after each consecutive error, up to a cap."""
    delay = timedelta(seconds=interval * 2 ** max(error_count - 1, 0))
    return now + min(delay, MAX_BACKOFF)
