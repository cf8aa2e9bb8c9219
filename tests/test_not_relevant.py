"""The "not relevant" button (#15): end to end through `pantau run` and the fake Bot API, then
the store's rules and the fixes offered, one by one."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.deliver import keyboard
from bot.match import Document, build_table
from bot.models import Alert, Article, Planned, StoredArticle, Watch
from bot.sources import SourceSpec
from bot.store import Store
from bot.telegram.feedback import _describe, _grouped, _spots
from bot.texts import ID
from tests.conftest import ADMIN, ROOT, bot_env, start_bot, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

CHAT = 6101
GROUP, GROUP_ADMIN, MEMBER = -6201, 61, 62


def _story(title, description, path, feeds):
    return {
        "title": title,
        "link": feeds.url(path),
        "description": description,
        "pubDate": "Wed, 13 Sep 2023 16:00:00 +0700",
    }


def test_flag_see_where_fix_in_one_tap_and_undo(tmp_path, telegram, feeds):
    telegram.chat_admins[GROUP] = {GROUP_ADMIN}
    telegram.chat_members[GROUP] = {GROUP_ADMIN, MEMBER}
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    bot = start_bot(bot_env(tmp_path, telegram, config), tmp_path / "bot.log")

    def said(chat, fragment, after=0):
        return telegram.wait_for(
            lambda: [m for m in telegram.messages_to(chat)[after:] if fragment in m.text]
        )[-1]

    def tap(chat, data, message_id, user=None, chat_type="private"):
        before = len(telegram.answers)
        telegram.send_callback(chat, data, message_id, user_id=user, chat_type=chat_type)
        telegram.wait_for(lambda: len(telegram.answers) > before)
        return telegram.answers[before]

    def buttons(message):
        return [b for row in message.params["reply_markup"]["inline_keyboard"] for b in row]

    telegram.send_command(CHAT, "/watch Jaguar")
    said(CHAT, "Dipantau")
    telegram.send_command(GROUP, "/watch Jaguar", user_id=GROUP_ADMIN, chat_type="group")
    said(GROUP, "Dipantau")
    feeds.wait_requests("/rss", 2)
    car = _story(
        "Jaguar Land Rover rilis mobil listrik baru",
        "Produsen mobil Inggris itu memamerkan model terbaru. Jaguar Land Rover menargetkan "
        "penjualan naik tahun depan.",
        "/mobil-1",
        feeds,
    )
    feeds.serve("/rss", Page(rss([car, OLD_STORY])))
    alert = said(CHAT, "Jaguar Land Rover rilis")

    # Every alert carries the button, next to "Open"; all button data fit Telegram's 64 bytes.
    row = alert.params["reply_markup"]["inline_keyboard"][0]
    assert row[0]["text"] == "Buka"
    assert row[1]["text"] == "🚫 Tidak relevan"
    delivery = row[1]["callback_data"]
    assert re.fullmatch(r"nr:\d+", delivery)
    assert all(len(b.get("callback_data", "").encode()) <= 64 for b in buttons(alert))

    # A tap shows each occurrence in a snippet, the term in bold, and the one-tap fixes.
    before = len(telegram.messages_to(CHAT))
    assert tap(CHAT, delivery, alert.message_id) == "Dicatat sebagai tidak relevan"
    spots = said(CHAT, "Di mana kata kuncinya muncul", before)
    assert "• judul: <b>Jaguar</b> Land Rover rilis mobil listrik baru" in spots.html
    assert "• isi: " in spots.text and "model terbaru. <b>Jaguar</b> Land Rover" in spots.html
    fixes = {b["text"]: b["callback_data"] for b in buttons(spots)}
    exclude = fixes["🚫 Kecualikan “Jaguar Land”"]
    assert fixes["🔕 Bisukan #1"] == "mute:1"
    assert any(label.startswith("📰 Hanya di judul: Jaguar") for label in fixes)

    # In a group, a member may look, but not change the watch.
    group_alert = said(GROUP, "Jaguar Land Rover rilis")
    group_nr = buttons(group_alert)[1]["callback_data"]
    before = len(telegram.messages_to(GROUP))
    tap(GROUP, group_nr, group_alert.message_id, MEMBER, "group")
    group_spots = said(GROUP, "Di mana kata kuncinya muncul", before)
    group_exclude = next(b for b in buttons(group_spots) if "Kecualikan" in b["text"])
    refused = tap(GROUP, group_exclude["callback_data"], group_spots.message_id, MEMBER, "group")
    assert refused == ID["group_admins_only"]
    # A fix or an alert of this chat tapped in another chat changes nothing, and says so.
    assert tap(GROUP, delivery, 1, GROUP_ADMIN, "group") == ID["button_stale"]
    assert tap(GROUP, exclude, 1, GROUP_ADMIN, "group") == ID["button_stale"]

    # The fix: the reply shows the new query; the live index takes it at once.
    before = len(telegram.messages_to(CHAT))
    assert tap(CHAT, exclude, spots.message_id) == "Pantauan #1 diubah"
    changed = said(CHAT, "kini:", before)
    assert changed.text.startswith('✏️ Pantauan #1 kini: Jaguar -"Jaguar Land"')
    assert tap(CHAT, exclude, spots.message_id) != "Pantauan #1 diubah", "applied once only"

    car_again = _story(
        "Jaguar Land Rover tarik ribuan mobil",
        "Jaguar Land Rover menarik mobil karena masalah rem.",
        "/mobil-2",
        feeds,
    )
    animal = _story(
        "Seekor jaguar lahir di kebun binatang",
        "Bayi jaguar itu sehat, kata petugas kebun binatang.",
        "/satwa-1",
        feeds,
    )
    feeds.serve("/rss", Page(rss([car_again, animal, car, OLD_STORY])))
    said(CHAT, "Seekor jaguar lahir")
    said(GROUP, "Jaguar Land Rover tarik")  # the group's watch is unchanged: the poll saw it
    said(GROUP, "Seekor jaguar lahir")
    database = sqlite3.connect(tmp_path / "data" / "pantau.db")
    queued = database.execute(
        "SELECT d.chat_id FROM deliveries d JOIN articles a ON a.id = d.article_id "
        "WHERE a.title LIKE '%tarik ribuan%'"
    ).fetchall()
    database.close()
    assert queued == [(GROUP,)], "the excluded phrase no longer alerts; the group's watch does"

    # /stats: the not-relevant rate per watch, for the bot's admins.
    telegram.send_command(ADMIN, "/stats")
    stats = said(ADMIN, "Tidak relevan")
    assert '50% · #1 Jaguar -"Jaguar Land" (1/2)' in stats.text
    assert "33% · #2 Jaguar (1/3)" in stats.text

    # Undo from /list brings the previous query back.
    before = len(telegram.messages_to(CHAT))
    telegram.send_command(CHAT, "/list")
    listing = said(CHAT, "#1", before)
    revert = next(b for b in buttons(listing) if b["callback_data"] == "revert:1")
    assert revert["text"] == "↩️ Kembalikan #1"
    tap(CHAT, "revert:1", listing.message_id)
    assert said(CHAT, "kembali ke").text == "↩️ Pantauan #1 kembali ke: Jaguar"
    assert tap(CHAT, "revert:1", listing.message_id) == ID["button_stale"], "one undo"
    before = len(telegram.messages_to(CHAT))
    telegram.send_command(CHAT, "/list")
    assert "revert:1" not in str(said(CHAT, "#1", before).params["reply_markup"])
    assert tap(CHAT, "nr:999999", alert.message_id) == ID["button_stale"]

    # A digest part has one button; it lists the part's articles, each its alert's button.
    telegram.send_command(CHAT, "/pause")
    said(CHAT, "dihentikan sementara")
    held = _story("Jaguar betina terlihat di hutan", "Seekor jaguar terlihat.", "/satwa-2", feeds)
    feeds.serve("/rss", Page(rss([held, car_again, animal, car, OLD_STORY])))
    feeds.wait_requests("/rss", feeds.count("/rss") + 3)
    telegram.send_command(CHAT, "/resume")
    question = said(CHAT, "Ada 1 peringatan selama jeda")
    tap(CHAT, "resume:digest", question.message_id)
    digest = said(CHAT, "Jaguar betina terlihat di hutan")
    [[more]] = digest.params["reply_markup"]["inline_keyboard"]
    assert more["text"] == "🚫 Tidak relevan…" and re.fullmatch(r"nrd:\d+", more["callback_data"])
    before = len(telegram.messages_to(CHAT))
    tap(CHAT, more["callback_data"], digest.message_id)
    picker = said(CHAT, "Berita mana yang tidak relevan?", before)
    [[item]] = picker.params["reply_markup"]["inline_keyboard"]
    assert item["text"] == "Jaguar betina terlihat di hutan"
    before = len(telegram.messages_to(CHAT))
    tap(CHAT, item["callback_data"], picker.message_id)
    assert "<b>jaguar</b> terlihat" in said(CHAT, "Di mana kata kuncinya muncul", before).html
    assert tap(GROUP, more["callback_data"], 1, GROUP_ADMIN, "group") == ID["button_stale"]

    # /list marks a watch once 3 of its alerts, at least a fifth of them, were flagged.
    assert "⚠️" not in listing.text, "one flagged alert is not yet often"
    animal_alert = said(CHAT, "Seekor jaguar lahir")
    before = len(telegram.messages_to(CHAT))
    tap(CHAT, buttons(animal_alert)[1]["callback_data"], animal_alert.message_id)
    said(CHAT, "Di mana kata kuncinya muncul", before)
    before = len(telegram.messages_to(CHAT))
    telegram.send_command(CHAT, "/list")
    flagged = "#1 · Jaguar ⚠️ sering ditandai tidak relevan (3 dari 3 peringatan, 7 hari)"
    assert flagged in said(CHAT, "#1", before).text
    assert bot.stop() == 0
    assert telegram.rejected == []


# --- the store's rules --------------------------------------------------------------------


NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    opened = Store.open(tmp_path / "feedback.db")
    opened.ensure_chat(CHAT, "private", "id", "Analis", NOW)
    opened.ensure_chat(GROUP, "group", "id", "Grup", NOW)
    yield opened
    opened.close()


def _alerted(store: Store, chat_id: int, watches: list[Watch], key: str, body: str = "") -> int:
    """An article sent as an alert of these watches to the chat: its delivery id."""
    sources = store.list_sources()
    source = (
        sources[0] if sources else store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), NOW)
    )
    item = Article(key=key, url=f"https://x.id/{key}", title=key, summary=body, published_at=NOW)
    saved = store.save_articles(source, [item], NOW) or [
        a for a in store.recent_articles(NOW - timedelta(days=1)) if a.key == key
    ]
    planned = Planned(
        chat_id, key, tuple(w.id for w in watches), tuple(w.display for w in watches), (), ""
    )
    store.enqueue([planned], saved, NOW)
    row = store.db.execute(
        "SELECT d.id FROM deliveries d JOIN articles a ON a.id = d.article_id "
        "WHERE d.chat_id = ? AND a.key = ?",
        [chat_id, key],
    ).fetchone()
    store.mark_sent(row[0], 1, NOW)
    return int(row[0])


def _watch(store: Store, chat_id: int, query: str) -> Watch:
    return store.add_watch(chat_id, query, query, NOW)[0]


def test_taps_count_once_per_alert_watch_and_user_and_go_with_their_alert(store):
    jaguar = _watch(store, CHAT, "Jaguar")
    flagged = _alerted(store, CHAT, [jaguar], "mobil")
    _alerted(store, CHAT, [jaguar], "satwa")
    for user in (1, 1, 2):
        store.record_tap(flagged, [jaguar.id], user, NOW)
    [rate] = store.flagged_watches(NOW - timedelta(days=7), CHAT)
    assert (rate.watch.id, rate.flagged, rate.sent, rate.rate) == (jaguar.id, 1, 2, 0.5)
    assert store.flagged_watches(NOW - timedelta(days=7), GROUP) == []
    assert store.flagged_watches(NOW + timedelta(hours=1)) == [], "outside the window"
    store.add_fix(flagged, jaguar.id, "Jaguar", 'Jaguar -"Jaguar Land"', NOW)
    store.prune_articles(NOW + timedelta(days=1))
    assert store.db.execute("SELECT count(*) FROM feedback_taps").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM watch_fixes").fetchone()[0] == 0


def test_a_fix_applies_to_the_query_it_was_offered_for_and_undoes_once(store):
    jaguar = _watch(store, CHAT, "Jaguar")
    delivery = _alerted(store, CHAT, [jaguar], "mobil")
    fix_id = store.add_fix(delivery, jaguar.id, "Jaguar", 'Jaguar -"Jaguar Land"', NOW)
    assert store.add_fix(delivery, jaguar.id, "Jaguar", 'Jaguar -"Jaguar Land"', NOW) == fix_id
    assert store.fix_of(GROUP, fix_id) is None, "another chat's fix"
    fix = store.fix_of(CHAT, fix_id)
    assert fix is not None and fix.query == 'Jaguar -"Jaguar Land"'
    version = store.watches_version()
    changed = store.change_query(CHAT, jaguar.id, "Jaguar", fix.query, fix.query)
    assert isinstance(changed, Watch) and changed.query == fix.query
    assert store.watches_version() > version
    assert store.revised_watches(version) == {jaguar.id}, "the live index must take it again"
    assert store.change_query(CHAT, jaguar.id, "Jaguar", "x", "x") == "changed"
    _watch(store, CHAT, "Puma")
    assert store.revert_query(CHAT, jaguar.id, fix.query, "Puma") == "exists"
    assert store.undoable_watches(CHAT) == {jaguar.id}
    back = store.revert_query(CHAT, jaguar.id, fix.query, "Jaguar")
    assert isinstance(back, Watch) and (back.query, back.display) == ("Jaguar", "Jaguar")
    assert store.revert_query(CHAT, jaguar.id, "Jaguar", "Jaguar") is None
    assert store.undoable_watches(CHAT) == set()


def test_another_chats_alert_is_not_found(store):
    jaguar = _watch(store, CHAT, "Jaguar")
    delivery = _alerted(store, CHAT, [jaguar], "mobil", "Jaguar Land Rover.")
    article, watches = store.flagged_alert(CHAT, delivery)
    assert article.summary == "Jaguar Land Rover." and watches == [jaguar]
    with pytest.raises(LookupError):
        store.flagged_alert(GROUP, delivery)


# --- the keyboard and the fixes offered -----------------------------------------------------


def _alert(channel: int | None = None) -> Alert:
    article = StoredArticle(1, "Uji", "https://x.id/rss", "https://x.id/1", "Judul", "", NOW)
    return Alert(CHAT, article, ("Jaguar",), "en", watch_ids=(7,), channel_id=channel)


def test_every_alert_has_the_button_but_not_in_a_channel():
    rows = keyboard(_alert(), 123456789012345)
    assert [b.data for b in rows[0]] == [None, "nr:123456789012345"]
    assert rows[0][1].label == "🚫 Not relevant"
    assert [b.data for b in rows[1]] == ["mute:7"]
    assert all(len((b.data or "").encode()) <= 64 for row in rows for b in row)
    assert [[b.data for b in row] for row in keyboard(_alert(channel=-100), 1)] == [[None]]


ALIASES = build_table([["AS", "Amerika Serikat"]])


def test_the_fixes_exclude_the_phrase_around_and_require_the_headline():
    document = Document("Presiden AS bertemu", "Klub AS Roma menang. Warga Amerika Serikat senang.")
    spots = _spots(Watch(1, CHAT, "AS", "AS"), document, ALIASES)
    assert [o.phrase for o in spots.occurrences] == [
        "Presiden AS",
        "AS Roma",
        "Warga Amerika Serikat",
    ]
    assert spots.fixes == [
        ("exclude", 'AS -"Presiden AS"'),
        ("exclude", 'AS -"AS Roma"'),
        ("title", "title:AS"),
    ]
    lines = _describe("en", [spots], document)
    assert "• headline: Presiden <b>AS</b> bertemu" in lines
    assert "• text: Klub <b>AS</b> Roma menang. Warga Amerika Serikat senang." in lines
    assert "• text: Klub AS Roma menang. Warga <b>Amerika Serikat</b> senang." in lines


def test_a_fix_keeps_the_rest_of_the_query():
    assert _grouped("AS OR Rusia") == "(AS OR Rusia)"
    assert _grouped("Putin atau Kim") == "(Putin atau Kim)"
    assert _grouped("Oriental") == "Oriental"
    watch = Watch(1, CHAT, "AS OR Rusia", "AS OR Rusia")
    spots = _spots(watch, Document("", "Klub AS Roma menang."), ALIASES)
    assert spots.fixes == [
        ("exclude", '(AS OR Rusia) -"AS Roma"'),
        ("title", "(AS OR Rusia) title:AS"),
    ]


def test_a_watch_already_on_the_headline_gets_no_headline_fix():
    watch = Watch(1, CHAT, "title:Jaguar", "title:Jaguar")
    spots = _spots(watch, Document("Jaguar Land Rover", "Jaguar Land Rover."), ALIASES)
    assert spots.fixes == [("exclude", 'title:Jaguar -"Jaguar Land"')]


def test_the_snippets_show_what_fired_with_the_context_rules():
    from bot.config import read_alias_groups, read_context_rules

    aliases = ROOT / "config" / "aliases.toml"
    lexicon = build_table(read_alias_groups(aliases), read_context_rules(aliases))
    body = "Pelatih AS Roma itu dipecat. Presiden AS menyambut baik keputusan tersebut."
    spots = _spots(Watch(1, CHAT, "AS", "AS"), Document("", body), lexicon)
    assert [o.phrase for o in spots.occurrences] == ["Presiden AS"], "AS Roma did not fire"
    shown = "• text: Pelatih AS Roma itu dipecat. Presiden <b>AS</b> menyambut baik keputusan"
    assert shown + " tersebut." in _describe("en", [spots], Document("", body)), "the bold: AS"
