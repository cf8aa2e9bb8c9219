"""The console's first run (#12): recent matches printed after the first polls, marked as recent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import write_config
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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANTAU_"))}
    env.update(
        PANTAU_CONFIG=str(config),
        PANTAU_DB=str(tmp_path / "c.db"),
        PANTAU_ALLOW_PRIVATE_NETWORKS="1",
        PANTAU_HEALTH_PORT="0",
    )
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "run",
                "--console",
                "--watch",
                "Korea Utara",
                "--watch",
                "Zelensky",
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 30
        while "no recent matches" not in out.read_text():
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    printed = out.read_text()
    recent = printed.partition('recent matches for #1 "Korea Utara" (already stored, not new):')[2]
    assert "• Korea Utara luncurkan rudal balistik ke Laut Jepang — satu, 12 Sep 2023" in recent
    assert "• Korea Utara di feed kedua — dua" in recent
    assert "Korea Selatan gelar latihan" not in printed
    assert "no recent matches for #2 Zelensky yet" in printed
    assert "🔎" not in printed, "recent matches are not alerts"
