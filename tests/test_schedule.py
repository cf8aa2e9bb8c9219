"""Bounded schedules: whatever a feed, a server or a failure streak says, the next poll is
between one second and a day away, a server's hint is capped at `max_interval`, and a source
that keeps failing (or crashing) backs off instead of being polled every tick."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_config
from bot.console import ConsoleSender
from bot.service import Service
from bot.sources import MAX_BACKOFF, MAX_WAIT, MIN_WAIT, SourceSpec, next_poll
from bot.store import Store
from tests.conftest import write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss
from tests.test_pipeline import SETTINGS, poll

CADENCE = SETTINGS.cadence  # min 2 min, max 1 h, default 5 min
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    yield opened
    opened.close()


def seconds_until(moment: datetime) -> float:
    return (moment - datetime.now(UTC)).total_seconds()


def feed_with_ttl(minutes: str) -> bytes:
    return rss([OLD_STORY]).replace(
        b"<description>uji</description>",
        f"<description>uji</description><ttl>{minutes}</ttl>".encode(),
    )


def failing_source(store, feeds, errors: int, interval: float = 120):
    feeds.serve("/down", Page(b"", status=500, content_type="text/plain"))
    source = store.add_source(
        SourceSpec("Down", feeds.url("/down"), interval, fetch_article=False), datetime.now(UTC)
    )
    store.db.table("sources").update(source.id, {"error_count": errors})
    return source


@given(
    interval=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**400), 10**400),
    errors=st.integers(-5, 10**30),
    asked=st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(0, 10**400),
)
def test_any_input_gives_a_next_poll_between_a_second_and_a_day(interval, errors, asked):
    moment = next_poll(NOW, interval, CADENCE, random.Random(0), errors=errors, asked=asked)
    assert MIN_WAIT <= (moment - NOW).total_seconds() <= MAX_WAIT


@pytest.mark.parametrize(
    ("errors", "low", "high"),
    [
        (0, 120, 132),
        (1, 120, 132),
        (2, 240, 264),
        (40, MAX_BACKOFF, MAX_BACKOFF * 1.1),
        (10_000, MAX_BACKOFF, MAX_BACKOFF * 1.1),
        (10**100, MAX_BACKOFF, MAX_BACKOFF * 1.1),
    ],
)
def test_backoff_doubles_up_to_its_cap(errors, low, high):
    wait = (next_poll(NOW, 120, CADENCE, random.Random(0), errors=errors) - NOW).total_seconds()
    assert low <= wait <= high


@pytest.mark.parametrize(
    ("interval", "asked", "low", "high"),
    [
        (60, 900, 900, 990),  # a hint longer than the interval is honoured
        (600, 60, 600, 660),  # a shorter one does not hurry the source
        (60, 86_400, 3600, 3960),  # a day-long hint is capped at max_interval
        (60, 6e16, 3600, 3960),
        (6 * 3600, 86_400, 6 * 3600, 6 * 3600 * 1.1),  # a source's own longer interval stays
    ],
)
def test_server_hints_count_up_to_max_interval(interval, asked, low, high):
    wait = (next_poll(NOW, interval, CADENCE, random.Random(0), asked=asked) - NOW).total_seconds()
    assert low <= wait <= high


def test_a_source_failing_for_ten_thousand_polls_is_recorded_and_backs_off(store, feeds):
    source = failing_source(store, feeds, errors=10_000)
    report = poll(store, source.id)
    assert report.error and "HTTP 500" in report.error
    failing = store.get_source(source.id)
    assert failing.error_count == 10_001
    assert MAX_BACKOFF - 5 <= seconds_until(failing.next_poll_at) <= MAX_BACKOFF * 1.1


def test_a_ttl_of_ten_to_the_fifteen_minutes_stores_the_articles_and_polls_within_max_interval(
    store, feeds
):
    feeds.serve("/ttl", Page(feed_with_ttl("1000000000000000")))
    source = store.add_source(
        SourceSpec("TTL", feeds.url("/ttl"), 60, fetch_article=False), datetime.now(UTC)
    )
    report = poll(store, source.id)
    assert report.error is None and report.new_articles == 1
    assert 3590 <= seconds_until(store.get_source(source.id).next_poll_at) <= 3600 * 1.1 + 1


@pytest.mark.parametrize(
    ("page", "name"),
    [
        (Page(rss([OLD_STORY]), headers={"Cache-Control": "public, max-age=86400"}), "max-age"),
        (Page(feed_with_ttl("1440")), "ttl"),
        (Page(rss([OLD_STORY]), headers={"Cache-Control": "max-age=" + "9" * 400}), "huge"),
    ],
)
def test_a_cdn_asking_for_a_day_is_polled_again_within_max_interval(store, feeds, page, name):
    feeds.serve("/cdn", page)
    source = store.add_source(
        SourceSpec(name, feeds.url("/cdn"), 60, fetch_article=False), datetime.now(UTC)
    )
    assert poll(store, source.id).error is None
    assert 3590 <= seconds_until(store.get_source(source.id).next_poll_at) <= 3600 * 1.1 + 1


def test_a_retry_after_of_a_year_is_capped_like_any_hint(store, feeds):
    feeds.serve(
        "/busy",
        Page(b"", status=429, content_type="text/plain", headers={"Retry-After": "31536000"}),
    )
    source = store.add_source(
        SourceSpec("Busy", feeds.url("/busy"), 60, fetch_article=False), datetime.now(UTC)
    )
    assert "HTTP 429" in poll(store, source.id).error
    assert 3590 <= seconds_until(store.get_source(source.id).next_poll_at) <= 3600 * 1.1 + 1


@pytest.fixture
def service_store(tmp_path):
    """The configuration of a service that may poll the local feed server, and its store."""
    config = load_config(
        write_config(tmp_path, [], "allow_private_networks = true\nhealth_port = 0\n"),
        {"PANTAU_DB": str(tmp_path / "pantau.db")},
    )
    store = Store.open(config.database)
    yield config, store
    store.close()


def run_ticks(config, store, ticks: int) -> None:
    """Start the service (its first tick polls what is due), then run the poll-due loop
    `ticks` more times, each after the polls of the one before have ended."""

    async def notify(key: str, values: dict[str, object]) -> None:
        return None

    async def run() -> None:
        service = Service(config, store, notify)
        await service.start(ConsoleSender())
        try:
            for _ in range(ticks):
                await asyncio.gather(*service._in_flight.values(), return_exceptions=True)
                await service._poll_due()
            await asyncio.gather(*service._in_flight.values(), return_exceptions=True)
        finally:
            await service.stop()

    asyncio.run(run())


def test_a_source_at_sixty_errors_is_not_polled_every_tick(service_store, feeds):
    """The failing source is polled once, its failure recorded and its next poll moved hours
    away (it was polled on every tick, two tracebacks a second, when the backoff overflowed)."""
    config, store = service_store
    source = failing_source(store, feeds, errors=60)
    run_ticks(config, store, 5)
    assert feeds.count("/down") == 1
    failing = store.get_source(source.id)
    assert failing.error_count == 61 and "HTTP 500" in failing.last_error
    assert seconds_until(failing.next_poll_at) >= MAX_BACKOFF - 60


def test_a_poll_that_crashes_is_recorded_and_backs_off(service_store, feeds):
    """A poll that fails where no stage expected it (here the database refuses the articles)
    still records the failure and moves the schedule."""
    config, store = service_store
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    source = store.add_source(
        SourceSpec("Crash", feeds.url("/rss"), 120, fetch_article=False), datetime.now(UTC)
    )
    store.db.table("sources").update(source.id, {"error_count": 60})
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'disk'); END"
    )
    run_ticks(config, store, 3)
    assert feeds.count("/rss") == 1
    crashed = store.get_source(source.id)
    assert crashed.error_count == 61 and "internal error" in crashed.last_error
    assert seconds_until(crashed.next_poll_at) >= MAX_BACKOFF - 60
