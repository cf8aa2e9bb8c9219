"""The console's first run (#12): recent matches printed after the first polls, marked as recent."""

from __future__ import annotations

from tests.conftest import start_console, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SOUTH_ONLY_STORY, rss


def test_the_first_run_prints_recent_matches_after_the_first_polls(tmp_path, feeds):
    feeds.serve("/satu", Page(rss([OLD_STORY, SOUTH_ONLY_STORY])))
    feeds.serve(
        "/dua",
        Page(rss([{**OLD_STORY, "title": "Korea Utara di feed kedua", "link": "https://x.id/2"}])),
    )
    feeds.serve("/rusak", Page(b"", status=500, content_type="text/plain"))
    config = write_config(
        tmp_path,
        [(name, feeds.url(f"/{name}"), "1h") for name in ("satu", "dua", "rusak")],
    )
    console = start_console(tmp_path, config, "--watch", "Korea Utara", "--watch", "Zelensky")
    try:
        console.wait_for("no recent matches")
    finally:
        printed = console.stop()
    recent = printed.partition('recent matches for #1 "Korea Utara" (already stored, not new):')[2]
    assert "• Korea Utara luncurkan rudal balistik ke Laut Jepang — satu, 12 Sep 2023" in recent
    assert "• Korea Utara di feed kedua — dua" in recent
    assert "Korea Selatan gelar latihan" not in printed
    assert "no recent matches for #2 Zelensky yet" in printed
    assert "🔎" not in printed, "recent matches are not alerts"
