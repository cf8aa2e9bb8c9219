"""Real Indonesian sources (#12): the shipped list, Google News searches as written, and a 403
explained as what it usually is — the outlet refusing the server's network."""

from __future__ import annotations

import time

import pytest

from bot.config import ConfigError
from bot.sources import make_spec, read_sources_file
from tests.conftest import ADMIN, ROOT, bot_env, run_cli, start_bot, write_config
from tests.feed_server import Page

SEARCH = "https://news.google.com/rss/search?q={}&hl=id&gl=ID&ceid=ID:id"


@pytest.mark.parametrize(
    ("written", "asked", "name"),
    [
        ('gnews:"Korea Utara"', "%22Korea+Utara%22", 'Google News: "Korea Utara"'),
        (
            'gnews:"Kim Jong Un" OR Putin',
            "%22Kim+Jong+Un%22+OR+Putin",
            'Google News: "Kim Jong Un" OR Putin',
        ),
        ("gnews:“Korea Utara”", "%22Korea+Utara%22", 'Google News: "Korea Utara"'),
        ("gnews:Korea Utara", "Korea+Utara", "Google News: Korea Utara"),
        ('gnews:"site:kompas.com"', "site%3Akompas.com", "Google News: site:kompas.com"),
    ],
)
def test_google_news_searches_are_sent_as_written(written, asked, name):
    spec = make_spec(written, None, None, 300)
    assert spec.url == SEARCH.format(asked) and spec.name == name


@pytest.mark.parametrize("written", ["gnews:", 'gnews:""', "gnews:  “”"])
def test_an_empty_google_news_search_is_refused(written):
    with pytest.raises(ConfigError, match="gnews: needs a search"):
        make_spec(written, None, None, 300)


def test_the_shipped_list_has_the_better_evidenced_feeds():
    urls = {spec.url for spec in read_sources_file(ROOT / "config" / "sources.toml", 300)}
    for replaced, replacement in [
        ("https://rss.detik.com/index.php/detikcom", "https://news.detik.com/rss"),
        ("https://www.liputan6.com/feed/rss/news", "https://feed.liputan6.com/rss/news"),
        ("https://www.liputan6.com/feed/rss/global", "https://feed.liputan6.com/rss/global"),
        (
            "https://sindikasi.sindonews.com/rss/international",
            "https://international.sindonews.com/rss",
        ),
        ("https://www.sindonews.com/feed", "https://www.sindonews.com/rss"),
        ("https://www.pikiran-rakyat.com/feed", SEARCH.format("site%3Apikiran-rakyat.com")),
    ]:
        assert replaced not in urls and replacement in urls, replacement
    assert {
        "https://www.antaranews.com/rss/top-news.xml",
        "https://mediaindonesia.com/feed/",
        "https://www.jawapos.com/rss.xml",
    } <= urls


def test_a_403_says_the_outlet_may_refuse_the_network_everywhere_it_shows(
    tmp_path, telegram, feeds
):
    feeds.serve("/rss", Page(b"Forbidden", status=403, content_type="text/plain"))
    config = write_config(tmp_path, [("CNN Indonesia", feeds.url("/rss"), "1h")])
    env = bot_env(tmp_path, telegram, config)
    hint = "the outlet may be refusing this server's network"

    doctor = run_cli("doctor", env=env)
    assert f"FAIL source 1 CNN Indonesia: HTTP 403 Forbidden: {hint}" in doctor.stdout

    bot = start_bot(env, tmp_path / "bot.log")
    feeds.wait_requests("/rss", 2)  # doctor's request, then the bot's first poll
    deadline = time.monotonic() + 30
    while "403" not in run_cli("sources", "list", env=env).stdout:  # the poll is recorded
        assert time.monotonic() < deadline, "the 403 was never recorded"
    telegram.send_command(ADMIN, "/sources")
    [reply] = telegram.wait_for(lambda: telegram.messages_to(ADMIN))
    assert "HTTP 403 Forbidden" in reply.text and hint in reply.text
    assert bot.stop() == 0
    assert f"(HTTP 403 Forbidden: {hint}" in run_cli("sources", "list", env=env).stdout
