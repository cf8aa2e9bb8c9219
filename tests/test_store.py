"""Storage: migrations, dedup that returns only new articles, the outbox's uniqueness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Article, Planned, StoredArticle
from bot.sources import SourceSpec
from bot.store import DuplicateSource, Store

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "sub" / "pantau.db")
    yield opened
    opened.close()


def plan(chat: int, stored: StoredArticle, *watches: str) -> Planned:
    return Planned(chat, stored.key, tuple(range(len(watches))), watches, watches, "ringkasan")


def article(key: str, title: str = "Judul") -> Article:
    return Article(key=key, url=f"https://x.id/{key}", title=title, summary="", published_at=None)


def test_open_creates_folder_wal_and_is_repeatable(tmp_path):
    path = tmp_path / "deep" / "pantau.db"
    Store.open(path).close()
    again = Store.open(path)
    assert again.db.journal_mode == "wal"
    assert {"sources", "articles", "chats", "watches", "deliveries", "meta"} <= set(
        again.db.table_names()
    )
    again.close()


def test_sources_add_list_remove(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    assert source.next_poll_at == NOW and not source.seeded and source.active
    with pytest.raises(DuplicateSource):
        store.add_source(SourceSpec("Lagi", "https://x.id/rss", 60), NOW)
    assert [s.url for s in store.list_sources()] == ["https://x.id/rss"]
    assert store.remove_source(source.id) and not store.remove_source(source.id)
    assert store.list_sources() == []


def test_schedule_is_data(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    assert [s.id for s in store.due_sources(NOW)] == [source.id]
    store.record_poll_success(source.id, NOW, NOW + timedelta(seconds=60), 60, '"e"', None)
    assert store.due_sources(NOW + timedelta(seconds=59)) == []
    store.record_poll_failure(source.id, NOW, NOW + timedelta(seconds=120), "HTTP 500")
    failed = store.get_source(source.id)
    assert failed.error_count == 1 and failed.last_error == "HTTP 500" and failed.seeded
    assert [s.id for s in store.due_sources(NOW + timedelta(seconds=120))] == [source.id]


def test_save_articles_returns_only_new_ones(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    first = store.save_articles(source, [article("a"), article("b"), article("a")], NOW)
    assert [a.url for a in first] == ["https://x.id/a", "https://x.id/b"]
    second = store.save_articles(source, [article("b"), article("c")], NOW)
    assert [a.url for a in second] == ["https://x.id/c"]
    assert store.count_articles() == 3


def test_outbox_holds_one_row_per_chat_and_article(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    [stored] = store.save_articles(source, [article("a")], NOW)
    store.ensure_chat(7, "private", "id", "Analis", NOW)
    assert store.enqueue([plan(7, stored, "Rusia")], [stored], NOW) == 1
    assert store.enqueue([plan(7, stored, "Rusia", "Putin")], [stored], NOW) == 0
    [delivery] = store.due_deliveries(NOW)
    assert delivery.alert.watches == ("Rusia",) and delivery.alert.article.source_name == "Uji"
    store.defer(delivery.id, NOW + timedelta(seconds=30), "retry after 30s")
    assert store.due_deliveries(NOW) == []
    assert len(store.due_deliveries(NOW + timedelta(seconds=30))) == 1
    store.mark_sent(delivery.id, 99, NOW)
    assert store.due_deliveries(NOW + timedelta(days=1)) == []
    assert store.count_deliveries("sent") == 1


def test_removed_source_keeps_its_articles_for_pending_alerts(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    [stored] = store.save_articles(source, [article("a")], NOW)
    store.ensure_chat(7, "private", "id", "Analis", NOW)
    store.enqueue([plan(7, stored, "Rusia")], [stored], NOW)
    store.remove_source(source.id)
    [delivery] = store.due_deliveries(NOW)
    assert delivery.alert.article.source_name == ""


def test_watches_belong_to_their_chat(store):
    store.ensure_chat(1, "private", "id", "A", NOW)
    store.ensure_chat(2, "private", "en", "B", NOW)
    watch, new = store.add_watch(1, "Korea  Utara", '"Korea Utara"', NOW)
    assert new and store.add_watch(1, "korea utara", '"Korea Utara"', NOW) == (watch, False)
    store.add_watch(2, "Rusia", "Rusia", NOW)
    assert store.remove_watch(2, watch.id, "") is None, "another chat's watch"
    version = store.watches_version()
    assert store.remove_watch(1, None, '"korea utara"') == watch
    assert store.watches_version() > version
    assert [w.query for w in store.active_watches()] == ["Rusia"]
    store.deactivate_chat(2)
    assert store.active_watches() == []


def test_watch_version_moves_only_when_the_index_must_change(store):
    start = store.watches_version()
    store.ensure_chat(1, "private", "id", "A", NOW)
    store.ensure_chat(1, "private", "id", "A", NOW)
    assert store.watches_version() == start, "a chat talking changes nothing"
    store.add_watch(1, "Rusia", "Rusia", NOW)
    after_watch = store.watches_version()
    store.deactivate_chat(1)
    store.ensure_chat(1, "private", "id", "A", NOW)
    group = store.add_alias_group(["Negeri Ginseng", "Korsel"], 5, NOW)
    assert store.alias_groups() == [(group, ["Negeri Ginseng", "Korsel"])]
    assert store.remove_alias_group(group) and not store.remove_alias_group(group)
    assert store.watches_version() >= after_watch + 5


def test_pause_resume_and_interval(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    assert store.set_source_active(source.id, False, NOW)
    assert store.due_sources(NOW + timedelta(days=1)) == []
    assert store.set_source_active(source.id, True, NOW + timedelta(hours=1))
    assert store.get_source(source.id).next_poll_at == NOW + timedelta(hours=1)
    assert store.set_source_interval(source.id, 600)
    fixed = store.get_source(source.id)
    assert (fixed.interval, fixed.adaptive) == (600, False)
    assert store.set_source_interval(source.id, None) and store.get_source(source.id).adaptive
    assert not store.set_source_active(99, False, NOW) and not store.set_source_interval(99, 60)


def test_prune_keeps_what_is_still_to_be_sent(store):
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    stored = store.save_articles(
        source, [article("old"), article("waiting")], NOW - timedelta(days=40)
    )
    by_key = {a.key: a for a in stored}  # save_articles does not keep the order given
    old, waiting = by_key["old"], by_key["waiting"]
    store.save_articles(source, [article("fresh")], NOW)
    store.ensure_chat(7, "private", "id", "A", NOW)
    store.enqueue([plan(7, old, "x"), plan(7, waiting, "x")], [old, waiting], NOW)
    [sent, _] = store.due_deliveries(NOW)
    store.mark_sent(sent.id, 1, NOW)
    assert store.prune_articles(NOW - timedelta(days=30)) == 1
    assert store.count_articles() == 2
    assert [d.alert.article.url for d in store.due_deliveries(NOW)] == [waiting.url]
    assert store.items_since(NOW - timedelta(hours=1)) == {source.id: 1}
    gone = store.unseen([article("old"), article("waiting"), article("fresh")])
    assert [a.key for a in gone] == ["old"], "only the old article already sent is pruned"


def test_watches_of_a_chat_that_left_wait_thirty_days(store):
    store.ensure_chat(9, "group", "id", "G", NOW)
    store.add_watch(9, "Rusia", "Rusia", NOW)
    store.deactivate_chat(9)
    assert store.active_watches() == []
    assert store.drop_watches_of_chats_gone_since(datetime.now(UTC) - timedelta(days=30)) == 0
    store.ensure_chat(9, "group", "id", "G", NOW)
    assert [w.query for w in store.active_watches()] == ["Rusia"], "it came back within 30 days"
    store.deactivate_chat(9)
    assert store.drop_watches_of_chats_gone_since(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert store.list_watches(9) == []


def test_every_earlier_schema_migrates_to_the_current_one(tmp_path):
    from sqlite_utils import Database

    from bot.store import migrations

    names = [m.name for m in migrations.pending(Database(memory=True))]
    assert len(names) >= 12
    for stop in names[1:]:
        path = tmp_path / f"{stop}.db"
        database = Database(path)
        migrations.apply(database, stop_before=stop)
        database.close()
        store = Store.open(path)
        assert [m.name for m in migrations.applied(store.db)] == names
        store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
        store.ensure_chat(1, "private", "id", "A", NOW)
        assert store.add_watch(1, "Rusia", "Rusia", NOW)[1]
        store.close()


def test_a_transaction_is_all_or_nothing_also_when_nested(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
        store.import_sources([SourceSpec("Lain", "https://x.id/lain", 60)], NOW)
        raise RuntimeError("half-way")
    assert store.list_sources() == []
    with store.transaction():
        store.import_sources([SourceSpec("Lain", "https://x.id/lain", 60)], NOW)
    assert [s.name for s in store.list_sources()] == ["Lain"]
