"""Previews and /search match stored articles off the event loop, a bounded number of them:
the event loop never waits for the matcher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.lookup import CANDIDATES, matching, matching_off_loop
from bot.match import parse_query
from bot.models import StoredArticle, Watch

NOW = datetime.now(UTC)


def articles(count, title="Harga beras naik di pasar induk"):
    return [
        StoredArticle(n, "Uji", "https://x.id/rss", f"https://x.id/{n}", f"{title} {n}", "", NOW)
        for n in range(count)
    ]


def test_matching_stops_at_what_it_shows():
    query = parse_query("beras")
    found = matching(Watch(1, 1, "beras", query.display), query, articles(50), wanted=5)
    assert [a.id for a in found] == [0, 1, 2, 3, 4]


def test_the_event_loop_keeps_running_while_the_matcher_works():
    query = parse_query("Zelensky")
    watch = Watch(1, 1, "Zelensky", query.display)
    many = articles(CANDIDATES * 3)

    async def run():
        ticks, done = 0, asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        before = ticks
        found = await matching_off_loop(watch, query, many, wanted=5)
        during = ticks - before
        done.set()
        await task
        return found, during

    found, during = asyncio.run(run())
    assert found == []
    assert during > 10, "the loop ran nothing else while the matcher worked"
