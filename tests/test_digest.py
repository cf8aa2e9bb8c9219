"""Digest timing and contents with a controllable clock; quiet hours across midnight and zones."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.digest import (
    HOLD_DIGEST,
    HOLD_PAUSED,
    HOLD_QUIET,
    HOLD_RESUMED,
    HOLD_STORM,
    ChatPolicy,
    DigestItem,
    digest_due,
    digest_due_at,
    digest_parts,
    in_quiet_hours,
    parse_clock,
    route,
)
from tests.fake_telegram import parse_telegram_html, utf16_length

JAKARTA = ZoneInfo("Asia/Jakarta")
JAYAPURA = ZoneInfo("Asia/Jayapura")


def at(hour, minute=0, day=27):
    """A UTC moment given as Jakarta (UTC+7) wall time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA).astimezone(UTC)


def test_quiet_hours_across_midnight():
    policy = ChatPolicy(JAKARTA, quiet=(time(22), time(6)))
    assert in_quiet_hours(policy, at(23, 30)) and in_quiet_hours(policy, at(3))
    assert not in_quiet_hours(policy, at(6)) and not in_quiet_hours(policy, at(21, 59))
    daytime = ChatPolicy(JAKARTA, quiet=(time(12), time(13)))
    assert in_quiet_hours(daytime, at(12, 30)) and not in_quiet_hours(daytime, at(13))


def test_quiet_hours_follow_the_chats_zone():
    papua = ChatPolicy(JAYAPURA, quiet=(time(22), time(6)))
    assert in_quiet_hours(papua, at(20, 30)), "20:30 WIB is 22:30 WIT"
    assert not in_quiet_hours(papua, at(4, 30)), "04:30 WIB is 06:30 WIT"


def test_routing():
    plain = ChatPolicy(JAKARTA)
    assert route(plain, at(10), 0, 30) is None
    assert route(ChatPolicy(JAKARTA, paused=True), at(10), 0, 30) == HOLD_PAUSED
    assert route(ChatPolicy(JAKARTA, digest="hourly"), at(10), 0, 30) == HOLD_DIGEST
    assert route(ChatPolicy(JAKARTA, quiet=(time(22), time(6))), at(23), 0, 30) == HOLD_QUIET
    assert route(plain, at(10), 30, 30) == HOLD_STORM


def test_hourly_digest_at_the_top_of_the_hour():
    policy = ChatPolicy(JAKARTA, digest="hourly")
    assert not digest_due(policy, at(10, 59), at(10, 5), {HOLD_DIGEST})
    assert digest_due(policy, at(11, 0), at(10, 5), {HOLD_DIGEST})


def test_daily_digest_at_its_time_in_the_chats_zone():
    policy = ChatPolicy(JAYAPURA, digest="daily", digest_at=parse_clock("07:30"))
    held = at(20, 0, day=26)
    assert not digest_due(policy, at(5, 29), held, {HOLD_DIGEST}), "05:29 WIB is 07:29 WIT"
    assert digest_due(policy, at(5, 30), held, {HOLD_DIGEST})


def test_quiet_hours_hold_until_the_window_ends():
    policy = ChatPolicy(JAKARTA, quiet=(time(22), time(6, 30)))
    held = at(23, 10, day=26)
    assert not digest_due(policy, at(6, 29), held, {HOLD_QUIET})
    assert digest_due(policy, at(6, 30), held, {HOLD_QUIET})
    hourly = ChatPolicy(JAKARTA, digest="hourly", quiet=(time(22), time(6, 30)))
    assert not digest_due(hourly, at(6, 0), held, {HOLD_DIGEST}), "no digest in quiet hours"


def test_storm_and_resume_timing():
    plain = ChatPolicy(JAKARTA)
    assert not digest_due(plain, at(10, 40), at(10, 5), {HOLD_STORM})
    assert digest_due(plain, at(11, 0), at(10, 5), {HOLD_STORM})
    assert digest_due(plain, at(10, 6), at(10, 5), {HOLD_RESUMED})
    assert not digest_due(ChatPolicy(JAKARTA, paused=True), at(12), at(10), {HOLD_RESUMED})


def item(n, watches=("Putin",), reason=HOLD_DIGEST):
    return DigestItem(
        watches,
        f"Berita <{n}> & lainnya",
        f"https://x.id/{n}?a=1&b=2",
        "ANTARA",
        at(9, n % 60),
        reason,
    )


def digest_messages(items, zone, language):
    return [part.html for part in digest_parts(items, zone, language)]


def test_digest_groups_by_watch_and_escapes():
    [message] = digest_messages([item(1), item(2, ("Korea Utara",)), item(3)], JAKARTA, "id")
    shown = parse_telegram_html(message)
    assert shown.startswith("🗞 Ringkasan · 3 berita")
    assert (
        shown.index("🔎 Putin")
        < shown.index("Berita <1>")
        < shown.index("Berita <3>")
        < shown.index("🔎 Korea Utara")
    )
    assert "• Berita <2> & lainnya — ANTARA · 27 Nov 2026 09:02 WIB" in shown
    assert 'href="https://x.id/1?a=1&amp;b=2"' in message


def test_a_storm_digest_says_why():
    [message] = digest_messages([item(1, reason=HOLD_STORM)], JAKARTA, "en")
    assert "Too many alerts within an hour" in parse_telegram_html(message)


def test_long_digests_split_between_articles():
    messages = digest_messages([item(n) for n in range(200)], JAKARTA, "id")
    assert len(messages) > 1
    for message in messages:
        assert utf16_length(parse_telegram_html(message)) <= 4096
    joined = "".join(messages)
    assert all(f"https://x.id/{n}?" in joined for n in range(200))
    assert messages[1].startswith("(lanjutan)")


def test_a_digest_of_emoji_headlines_is_cut_as_telegram_counts():
    items = [
        DigestItem(
            ("Putin",), f"{'🔥' * 90} Kabar {n}", f"https://x.id/{n}", "ANTARA", None, "digest"
        )
        for n in range(100)
    ]
    parts = digest_parts(items, JAKARTA, "id")
    assert len(parts) > 1
    for part in parts:
        shown = parse_telegram_html(part.html)
        assert utf16_length(shown) <= 4096, "Telegram counts an emoji as two"
        assert "🔎 Putin" in shown, "a continued watch repeats its heading"
    assert [n for part in parts for n in part.items] == list(range(100))


def test_when_a_digest_is_due():
    hourly = ChatPolicy(JAKARTA, digest="hourly", quiet=(time(22), time(6, 30)))
    assert digest_due_at(hourly, at(10, 5), True, at(10, 6)) == at(11)
    assert digest_due_at(hourly, at(21, 30), True, at(21, 31)) == at(6, 30, day=28)
    plain = ChatPolicy(JAKARTA, quiet=(time(22), time(6, 30)))
    assert digest_due_at(plain, at(9), False, at(10)) == at(10), "resumed: at once"
    late = at(23, 30)
    assert digest_due_at(plain, at(9), False, late) == at(6, 30, day=28), "never in quiet hours"
