"""Alert formatting: escaped, valid Telegram HTML, within limits, times in WIB."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.compose import format_alert, format_time
from bot.models import Alert, StoredArticle
from tests.fake_telegram import parse_telegram_html, utf16_length

JAKARTA = ZoneInfo("Asia/Jakarta")
PUBLISHED = datetime(2023, 9, 13, 7, 30, tzinfo=UTC)


def alert(
    title="Judul",
    url="https://x.id/a",
    summary="Ringkasan.",
    source="Uji",
    watches=("Rusia",),
    language="id",
):
    article = StoredArticle(1, source, "https://x.id/rss", url, title, summary, PUBLISHED)
    return Alert(chat_id=1, article=article, watches=watches, language=language)


def test_special_characters_arrive_intact():
    title = 'Harga <naik> 5% & "melonjak" di <script>'
    message = format_alert(alert(title=title, source="A&B <News>", watches=("x<y", '"q"')), JAKARTA)
    shown = parse_telegram_html(message)
    assert shown.startswith(title + "\n")
    assert "A&B <News> · 13 Sep 2023 14:30 WIB" in shown
    assert shown.endswith('🔎 x<y, "q"')


def test_link_is_escaped_in_href():
    url = 'https://x.id/a?b=1&c="2"'
    message = format_alert(alert(url=url), JAKARTA)
    assert 'href="https://x.id/a?b=1&amp;c=&quot;2&quot;"' in message
    parse_telegram_html(message)


def test_only_http_links_are_linked():
    """Parse drops such articles; the composer would not link them either."""
    for url in ("javascript:alert(1)", "data:text/html,<b>x</b>", "tg://resolve?domain=x"):
        rich = Alert(
            chat_id=1,
            article=StoredArticle(1, "Uji", "https://x.id/rss", url, "Judul", "", PUBLISHED),
            watches=("Rusia",),
            language="id",
            also=(("Lain", url), ("Baik", "https://baik.id/1")),
        )
        message = format_alert(rich, JAKARTA)
        assert message.count("<a href=") == 1 and 'href="https://baik.id/1"' in message
        shown = parse_telegram_html(message)
        assert shown.startswith("Judul\n") and "Lain, Baik" in shown


def test_huge_inputs_stay_under_the_limit_and_valid():
    message = format_alert(
        alert(
            title="Judul " * 2000,
            summary="Kalimat panjang & <aneh>. " * 3000,
            source="S" * 5000,
            watches=tuple(f"kata{i}" for i in range(2000)),
        ),
        JAKARTA,
    )
    shown = parse_telegram_html(message)
    assert utf16_length(shown) < 4096


def test_matched_terms_are_bold_and_the_rest_escaped():
    summary = "Presiden Korea Utara & Putin bertemu; Putinnya <senang>. Korut menolak."
    message = format_alert(alert(summary="", watches=('"Korea Utara"',)), JAKARTA)
    assert "<b>" not in message.split("\n\n")[1]
    rich = Alert(
        1,
        StoredArticle(1, "Uji", "", "https://x.id/a", "Judul", "", PUBLISHED),
        ("Putin",),
        "id",
        (7,),
        ("Korea Utara", "Putin"),
        summary,
    )
    body = format_alert(rich, JAKARTA).split("\n\n")[1]
    assert body == (
        "Presiden <b>Korea Utara</b> &amp; <b>Putin</b> bertemu; <b>Putinnya</b> &lt;senang&gt;. "
        "Korut menolak."
    )
    parse_telegram_html(format_alert(rich, JAKARTA))


def test_times_by_zone_and_language():
    assert format_time(PUBLISHED, JAKARTA, "id") == "13 Sep 2023 14:30 WIB"
    assert (
        format_time(datetime(2023, 5, 1, 1, 0, tzinfo=UTC), ZoneInfo("Asia/Makassar"), "id")
        == "1 Mei 2023 09:00 WITA"
    )
    assert (
        format_time(datetime(2023, 5, 1, 1, 0, tzinfo=UTC), ZoneInfo("Asia/Jayapura"), "en")
        == "1 May 2023 10:00 WIT"
    )


def test_alert_without_date_or_summary():
    article = StoredArticle(1, "", "", "https://x.id/a", "Judul", "", None)
    shown = parse_telegram_html(format_alert(Alert(1, article, ("Rusia",), "id"), JAKARTA))
    assert shown == "Judul\n\n🔎 Rusia"


def test_time_in_the_chats_zone():
    makassar = Alert(
        1,
        StoredArticle(1, "Uji", "", "https://x.id/a", "Judul", "", PUBLISHED),
        ("x",),
        "id",
        timezone="Asia/Makassar",
    )
    assert "13 Sep 2023 15:30 WITA" in parse_telegram_html(format_alert(makassar, JAKARTA))
