"""Coverage history in the store: matches recorded once, folded into daily counts per outlet
in the chat's zone, history that survives article pruning, spikes claimed once, report rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.insights.periods import day_bounds
from bot.models import OutletDay, Planned
from bot.store import Store
from tests.coverage_data import fold_all, publish, watch

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 10:00 WIB
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    yield opened
    opened.close()


def test_matches_fold_into_local_days_per_outlet(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    # 23:30 UTC on the 25th is 06:30 WIB on the 26th: the day is the chat's, not UTC's.
    publish(store, [korea], "ANTARA", datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    publish(store, [korea], "ANTARA", datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    publish(store, [korea], "detik", datetime(2026, 11, 26, 16, 59, tzinfo=UTC))  # 23:59 WIB
    publish(store, [korea], "detik", datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # 27th, 00:00
    assert fold_all(store) == {korea.id}
    assert fold_all(store) == set(), "each match is folded once"
    assert store.daily_counts(korea.id, "2026-11-01", "2026-11-30") == [
        OutletDay("2026-11-26", "ANTARA", 2),
        OutletDay("2026-11-26", "detik", 1),
        OutletDay("2026-11-27", "detik", 1),
    ]


def test_a_match_is_recorded_once_and_a_chat_zone_is_used(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    store.set_timezone(1, "Asia/Jayapura")  # WIT, UTC+9
    article_id = publish(store, [korea], "ANTARA", datetime(2026, 11, 26, 15, 30, tzinfo=UTC))
    again = Planned(1, "unused", (korea.id,), (korea.display,), (), "")
    assert store.record_matches([again], []) == 0
    assert store.backfill_watch(korea.id, [(article_id, ("Korea Utara",))], NOW) == 0
    fold_all(store)
    assert store.daily_counts(korea.id, "2026-11-01", "2026-11-30") == [
        OutletDay("2026-11-27", "ANTARA", 1)
    ]


def test_trends_survive_article_pruning(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    for day in range(1, 61):
        publish(store, [korea], "ANTARA", NOW - timedelta(days=day))
    fold_all(store)
    pruned = store.prune_articles(NOW - timedelta(days=30))
    assert pruned == 30
    assert store.db.execute("SELECT count(*) FROM watch_matches").fetchone()[0] == 30
    counts = store.daily_counts(korea.id, "2026-09-01", "2026-11-30")
    assert sum(row.articles for row in counts) == 60
    # The oldest count is 60 days old: kept 400 days, it goes 340 days from now.
    assert store.prune_coverage(NOW + timedelta(days=339)) == 0
    assert store.prune_coverage(NOW + timedelta(days=341)) == 1


def test_future_dates_count_as_arrival_and_ad_hoc_days_follow_the_zone(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    future = publish(store, [korea], "ANTARA", NOW)
    store.db.execute(
        "UPDATE articles SET published_at = ? WHERE id = ?", [NOW.timestamp() + 86400 * 3, future]
    )
    late = publish(store, [], "detik", datetime(2026, 11, 26, 17, 30, tzinfo=UTC))
    days = day_bounds(NOW.astimezone(WIB).date(), 7, WIB)
    assert store.article_day_counts([future, late], days) == [
        OutletDay("2026-11-27", "ANTARA", 1),
        OutletDay("2026-11-27", "detik", 1),
    ]


def test_headlines_put_the_most_reported_story_first(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    first = publish(store, [korea], "ANTARA", NOW - timedelta(hours=3), "Pertama")
    widely = publish(store, [korea], "detik", NOW - timedelta(hours=2), "Ramai")
    store.db.execute(
        "INSERT INTO deliveries (chat_id, article_id, watches, status, not_before, created_at, also) "
        "VALUES (1, ?, '[]', 'sent', 0, 0, ?)",
        [widely, '[["Kompas", "https://k"], ["Tempo", "https://t"]]'],
    )
    found = store.headlines(NOW - timedelta(days=1), NOW, 3, watch_ids=[korea.id])
    assert [h.title for h in found] == ["Ramai", "Pertama"]
    by_id = store.headlines(NOW - timedelta(days=1), NOW, 1, article_ids=[first])
    assert [h.outlet for h in by_id] == ["ANTARA"]


def test_spike_counts_and_one_claim_per_spike(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    for day in range(1, 15):  # one article a day at this hour: a baseline of 14 in 28 hours
        publish(store, [korea], "ANTARA", NOW - timedelta(days=day, minutes=10))
    for minute in range(12):
        publish(store, [korea], "detik", NOW - timedelta(minutes=minute * 4))
    fold_all(store)
    assert store.spike_counts(korea.id, NOW, 14) == (12, 14)
    assert store.claim_spike(korea.id, NOW)
    assert not store.claim_spike(korea.id, NOW + timedelta(minutes=30))
    assert not store.claim_spike(korea.id, NOW + timedelta(minutes=85)), "seen 55 minutes ago"
    assert store.claim_spike(korea.id, NOW + timedelta(hours=3)), "an hour without: a new one"


def test_report_rows_name_every_watch_once_per_article(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    putin = watch(store, 1, "Putin", NOW)
    publish(store, [korea, putin], "ANTARA", NOW - timedelta(hours=2), "Kim dan Putin")
    publish(store, [putin], "detik", NOW - timedelta(hours=1), "Putin saja", terms=("Putin",))
    publish(store, [korea], "detik", NOW - timedelta(days=9), "Lama")
    rows = store.report_rows([korea.id, putin.id], NOW - timedelta(days=7), NOW, 100)
    assert [(r.title, r.watches) for r in rows] == [
        ("Kim dan Putin", ('"Korea Utara"', '"Putin"')),
        ("Putin saja", ('"Putin"',)),
    ]
    assert rows[0].terms == ("Korea Utara",) and rows[0].outlet == "ANTARA"
    assert len(store.report_rows([korea.id, putin.id], NOW - timedelta(days=30), NOW, 2)) == 2


def test_weekly_due_is_worked_out_again_when_the_zone_changes(store):
    store.ensure_chat(5, "private", "id", "Analis", NOW)
    assert store.weekly_chats(NOW) == []
    store.set_weekly_report(5, True)
    assert [(c.chat_id, c.due_at) for c in store.weekly_chats(NOW)] == [(5, None)]
    store.set_weekly_due(5, NOW + timedelta(days=3), "")
    assert store.weekly_chats(NOW) == []
    store.set_timezone(5, "Asia/Jayapura")
    assert [(c.timezone, c.due_at) for c in store.weekly_chats(NOW)] == [("Asia/Jayapura", None)]
    store.set_weekly_due(5, NOW + timedelta(days=3), "Asia/Jayapura")
    assert [c.chat_id for c in store.weekly_chats(NOW + timedelta(days=3))] == [5]
    assert store.coverage_settings(5) == (True, True)
    store.set_spike_alerts(5, False)
    store.set_weekly_report(5, False)
    assert store.coverage_settings(5) == (False, False)


def test_backfill_and_hard_deleted_watches(store):
    korea = watch(store, 1, "Korea Utara", NOW)
    assert [w.id for w in store.watches_to_backfill(10)] == [korea.id]
    article_id = publish(store, [], "ANTARA", NOW - timedelta(days=2))
    assert store.backfill_watch(korea.id, [(article_id, ("Korea Utara",))], NOW) == 1
    assert store.watches_to_backfill(10) == []
    assert fold_all(store) == set(), "back-filled matches are history, not a burst"
    assert sum(r.articles for r in store.daily_counts(korea.id, "2026-11-01", "2026-11-30")) == 1
    store.db.execute("DELETE FROM watches WHERE id = ?", [korea.id])
    for table in ("watch_matches", "match_days", "match_hours", "watch_coverage"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    planned = Planned(1, "x", (korea.id,), ("gone",), (), "")
    assert store.record_matches([planned], []) == 0
