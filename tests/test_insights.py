"""Insights without Telegram: the spike rule on synthetic histories (checked by the real jobs
with a clock), the weekly schedule in the chat's zone, charts as real PNGs drawn off the event
loop, captions within Telegram's limits, the CSV, and how `/tren` reads its arguments."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import struct
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import read_alias_groups
from bot.insights.captions import fit_caption, number, spike_caption, trend_caption
from bot.insights.charts import Chart, Series, render
from bot.insights.jobs import CoverageJobs
from bot.insights.periods import day_bounds, next_weekly, parse_period
from bot.insights.reports import Reports, csv_bytes, filename
from bot.insights.spikes import SpikeRule
from bot.insights.trends import Trends
from bot.lexicon import Lexicons
from bot.match import ContextRules
from bot.models import Headline, ReportRow
from bot.store import Store
from bot.telegram.insights import split_request
from bot.texts import telegram_length
from tests.conftest import ROOT
from tests.coverage_data import fold_all, publish, watch
from tests.fake_telegram import parse_telegram_html

WIB, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura")
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 09:00 WIB


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    yield opened
    opened.close()


def jobs_for(store: Store, clock: Clock, aliases: list[list[str]] | None = None) -> CoverageJobs:
    trends = Trends(store, WIB, clock)
    rule = SpikeRule(5, 3.0)
    lexicons = Lexicons(store, aliases or [], ContextRules())
    return CoverageJobs(store, trends, Reports(store, trends), rule, WIB, lexicons, clock)


def spikes_queued(store: Store) -> list[str]:
    rows = store.db.execute("SELECT html FROM messages WHERE kind = 'spike' ORDER BY id")
    return [row[0] for row in rows]


def history(store: Store, clock: Clock, korea, per_hour, hours: int) -> None:
    """`per_hour(hour)` articles each hour for `hours` hours, folded without checks (the
    baseline); the clock moves on."""
    with store.transaction():
        for hour in range(hours):
            for count in range(per_hour(hour)):
                publish(store, [korea], "Tempo", clock.now + timedelta(minutes=1 + count))
            clock.now += timedelta(hours=1)
    fold_all(store)


def run_hours(store: Store, clock: Clock, korea, per_hour, hours: int) -> None:
    """`per_hour(hour)` articles each hour for `hours` hours, checked as they arrive."""
    jobs = jobs_for(store, clock)
    for hour in range(hours):
        start = clock.now
        for count in range(per_hour(hour)):
            clock.now = start + timedelta(minutes=1 + count)
            publish(store, [korea], ["ANTARA", "detik"][count % 2], clock.now)
            asyncio.run(jobs.fold_and_check(clock.now))
        clock.now = start + timedelta(hours=1)


def test_steady_flow_is_no_spike(store):
    clock = Clock(START - timedelta(days=14))
    korea = watch(store, 1, "Korea Utara", clock.now)
    history(store, clock, korea, lambda hour: 8, 14 * 24)
    run_hours(store, clock, korea, lambda hour: 8, 6)
    assert spikes_queued(store) == []


def test_a_burst_after_a_quiet_baseline_is_one_spike_even_while_it_goes_on(store):
    clock = Clock(START - timedelta(days=14))
    korea = watch(store, 1, "Korea Utara", clock.now)
    history(store, clock, korea, lambda hour: 1 if hour % 6 == 0 else 0, 14 * 24)
    run_hours(store, clock, korea, lambda hour: 1, 2)
    assert spikes_queued(store) == []
    run_hours(store, clock, korea, lambda hour: 12, 3)  # three hours of burst
    (alert,) = spikes_queued(store)
    assert "Lonjakan pemberitaan" in alert and "5 berita dalam 1 jam terakhir" in alert
    row = store.db.execute(
        "SELECT media, length(file) FROM messages WHERE kind = 'spike'"
    ).fetchone()
    assert row[0] == "photo" and row[1] > 10_000
    run_hours(store, clock, korea, lambda hour: 0, 2)  # it ends
    run_hours(store, clock, korea, lambda hour: 12, 1)  # a new burst
    assert len(spikes_queued(store)) == 2


def test_a_busy_hour_of_a_busy_watch_is_no_spike_but_three_times_its_usual_is(store):
    clock = Clock(START - timedelta(days=14))
    korea = watch(store, 1, "Korea Utara", clock.now)
    history(store, clock, korea, lambda hour: 10, 14 * 24)
    run_hours(store, clock, korea, lambda hour: 25, 1)
    assert spikes_queued(store) == []
    run_hours(store, clock, korea, lambda hour: 31, 1)
    assert "30 berita dalam 1 jam terakhir (biasanya 10,0 per jam)" in spikes_queued(store)[0]


def test_no_spike_alert_when_turned_off_and_none_for_back_filled_history(store):
    clock = Clock(START)
    korea = watch(store, 1, "Korea Utara", clock.now)
    store.set_spike_alerts(1, False)
    run_hours(store, clock, korea, lambda hour: 12, 1)
    assert spikes_queued(store) == []
    other = watch(store, 2, "Korea Utara", clock.now)
    ids = [publish(store, [], "ANTARA", clock.now - timedelta(minutes=m)) for m in range(9)]
    store.backfill_watch(other.id, [(i, ("Korea Utara",)) for i in ids], clock.now)
    asyncio.run(jobs_for(store, clock).fold_and_check(clock.now))
    assert spikes_queued(store) == []


def test_spike_alert_waits_for_the_end_of_quiet_hours(store):
    clock = Clock(datetime(2026, 11, 2, 16, 0, tzinfo=UTC))  # 23:00 WIB
    korea = watch(store, 1, "Korea Utara", clock.now)
    store.set_quiet(1, "22:00-06:00")
    run_hours(store, clock, korea, lambda hour: 6, 1)
    due = store.db.execute("SELECT not_before FROM messages WHERE kind = 'spike'").fetchone()[0]
    assert datetime.fromtimestamp(due, WIB).hour == 6


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (datetime(2026, 11, 2, 0, 59, tzinfo=UTC), WIB, datetime(2026, 11, 2, 8, 0)),  # Mon 07:59
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), WIB, datetime(2026, 11, 9, 8, 0)),  # Mon 08:00
        (datetime(2026, 11, 1, 23, 30, tzinfo=UTC), WIT, datetime(2026, 11, 9, 8, 0)),  # Mon 08:30
        (datetime(2026, 11, 1, 22, 30, tzinfo=UTC), WIT, datetime(2026, 11, 2, 8, 0)),  # Mon 07:30
        (datetime(2026, 11, 5, 12, 0, tzinfo=UTC), WIB, datetime(2026, 11, 9, 8, 0)),
    ],
)
def test_weekly_report_is_due_monday_0800_in_the_chat_zone(now, zone, expected):
    assert next_weekly(now, zone) == expected.replace(tzinfo=zone)


def test_next_weekly_across_daylight_saving_time():
    berlin = ZoneInfo("Europe/Berlin")  # clocks go back on Sunday 25 October 2026
    due = next_weekly(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), berlin)
    assert due == datetime(2026, 10, 26, 8, 0, tzinfo=berlin)
    assert due.utcoffset() == timedelta(hours=1)


def test_weekly_report_goes_out_when_due_and_once(store):
    clock = Clock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC))  # Sunday
    korea = watch(store, 1, "Korea Utara", clock.now)
    store.set_timezone(1, "Asia/Jayapura")
    for day in range(7):
        publish(store, [korea], "ANTARA", clock.now - timedelta(days=day), f"Hari {day}")
    fold_all(store)
    store.set_weekly_report(1, True)
    jobs = jobs_for(store, clock)
    asyncio.run(jobs.weekly(clock.now))
    assert store.db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    due = store.weekly_chats(datetime(2030, 1, 1, tzinfo=UTC))[0].due_at
    assert due == datetime(2026, 11, 2, 8, 0, tzinfo=WIT)
    clock.now = due
    asyncio.run(jobs.weekly(clock.now))
    asyncio.run(jobs.weekly(clock.now + timedelta(minutes=1)))
    kinds = store.db.execute("SELECT media, html FROM messages ORDER BY id").fetchall()
    assert [media for media, _ in kinds] == [None, "photo", "document"]
    assert "Laporan mingguan" in kinds[0][1] and "7 berita untuk 1 pantauan" in kinds[0][1]
    assert store.weekly_chats(due + timedelta(days=6)) == []


def test_chart_is_a_phone_sized_png_drawn_off_the_event_loop(store):
    days = day_bounds(datetime(2026, 11, 27).date(), 30, WIB)
    chart = Chart(
        '"Korea Utara" · 30 hari',
        tuple(d.day for d in days),
        (Series("ANTARA", tuple(range(30))), Series("lainnya", (1,) * 30)),
        stacked=True,
        unit="berita per hari",
        others="lainnya",
    )
    png = render(chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (1200, 750)
    empty = render(Chart("x", ("a",), (Series("a", (0,)),), stacked=False, unit="u"))
    assert struct.unpack(">II", empty[16:24]) == (1200, 750)
    trends = Trends(store, WIB)
    threads: list[str] = []

    def drawing() -> bytes:
        threads.append(threading.current_thread().name)
        return render(chart)

    async def draw() -> bytes:
        return await trends.off_loop(drawing)

    assert asyncio.run(draw()) == png, "drawing is deterministic"
    assert threads[0].startswith("insights") and threads[0] != threading.main_thread().name
    trends.close()


def test_captions_stay_within_telegram_limits_and_escape_everything():
    evil = "<b>" + "Judul & <script> " * 40
    headline = Headline(evil, "https://x.example/a?b=1&c=2", "Media <x>", datetime.now(UTC))
    caption = spike_caption("id", '"Korea" <Utara>', 12, 0.25, [headline] * 3)
    assert telegram_length(caption) <= 1024
    shown = parse_telegram_html(caption)
    assert "12 berita dalam 1 jam terakhir (biasanya 0,2 per jam)" in shown
    days = [(f"2026-11-{day:02}", day) for day in range(1, 31)]
    outlets = [(f"Media {i} " + "x" * 40, 1000 + i) for i in range(5)]
    caption = trend_caption("en", "q" * 400, 30, days, outlets, headline, ["<i>note</i>"])
    assert telegram_length(caption) <= 1024
    parse_telegram_html(caption)
    assert fit_caption(["a" * 2000]) == "…"
    assert fit_caption(["one", "b" * 1030]) == "one\n…"
    assert number(12345.67, "id", 1) == "12.345,7" and number(12345.67, "en", 1) == "12,345.7"


def test_csv_is_utf8_with_bom_and_never_a_formula():
    at = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    rows = [
        ReportRow(
            at, "ANTARA", '=HYPERLINK("x")', "https://a.example", ('"Korea Utara"',), ("Korea",)
        ),
        ReportRow(at, "Tempo", 'Jokowi, "Prabowo" dan Gibran', "https://b.example", ("a", "b"), ()),
    ]
    data = csv_bytes(rows, WIB, "en")
    assert data.startswith(codecs.BOM_UTF8)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == ["date", "time", "outlet", "headline", "url", "watch", "matched terms"]
    assert parsed[1][:4] == ["2026-11-27", "00:30", "ANTARA", '\'=HYPERLINK("x")']
    assert parsed[2][3] == 'Jokowi, "Prabowo" dan Gibran' and parsed[2][5] == "a; b"
    days = day_bounds(datetime(2026, 11, 27).date(), 7, WIB)
    assert filename("laporan", '"Korea Utara" -Seoul', days, "csv") == (
        "pantau-laporan-korea-utara-seoul-2026-11-21_2026-11-27.csv"
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["1"], (["1"], 30)),
        (["1", "2", "90d"], (["1", "2"], 90)),
        (["Korea", "Utara", "7D"], (["Korea Utara"], 7)),
        (
            ['"Korea', 'Utara"', "vs", '"Korea', 'Selatan"'],
            (['"Korea Utara"', '"Korea Selatan"'], 30),
        ),
        (["#3", "lawan", "Putin"], (["#3", "Putin"], 30)),
        (["2024"], (["2024"], 30)),
        (["45d"], ([], 30)),
        ([], ([], 30)),
    ],
)
def test_tren_arguments(words, expected):
    assert split_request(words, 30) == expected
    assert parse_period("30d") == 30 and parse_period("14d") is None


def test_a_new_watch_is_back_filled_from_the_stored_articles_it_matches(store):
    clock = Clock(START)
    for day, title in enumerate(
        ["Korea Utara uji rudal", "Harga beras naik", "Korut kirim delegasi"]
    ):
        publish(store, [], "ANTARA", START - timedelta(days=day), title)
    korea = watch(store, 1, "Korea Utara", clock.now, display="")
    aliases = read_alias_groups(ROOT / "config" / "aliases.toml")
    asyncio.run(jobs_for(store, clock, aliases).backfill(clock.now))
    fold_all(store)
    counts = store.daily_counts(korea.id, "2026-10-01", "2026-11-30")
    assert sum(row.articles for row in counts) == 2, "Korut is Korea Utara's synonym"
    terms = {row[0] for row in store.db.execute("SELECT terms FROM watch_matches")}
    assert terms == {'["Korea Utara"]', '["Korut"]'}
    assert store.watches_to_backfill(10) == []
