"""The one fetch path bounds time and decoded size, against real local servers (#14).

A server trickling a byte a second is cut off at `fetch_timeout` in all, whatever reads it;
a doubly gzipped bomb never inflates past the size cap, in the memory of a real process.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import subprocess
import sys
import textwrap
import time
import zlib
from datetime import UTC, datetime

import pytest

from bot.fetch import Fetcher, FetchError, make_client
from bot.match import LiveIndex
from bot.pipeline import PollSettings, poll_source
from bot.sources import Cadence, SourceSpec
from bot.store import Store
from tests.conftest import PARSER, ROOT, bot_env, run_cli, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, SEED_STORY, gzip_bomb, rss


def fetch(url, *, timeout=5.0, max_bytes=1_000_000):
    async def run():
        async with make_client(timeout=timeout, allow_private_networks=True) as client:
            return await Fetcher(client, max_bytes=max_bytes).feed(
                url, etag=None, last_modified=None
            )

    return asyncio.run(run())


def test_layers_of_gzip_and_deflate_are_undone():
    body = rss([SEED_STORY])
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    cases = [
        ("gzip, gzip", gzip.compress(gzip.compress(body))),
        ("deflate", zlib.compress(body)),
        ("gzip, deflate", zlib.compress(gzip.compress(body))),
        ("deflate", raw_deflate.compress(body) + raw_deflate.flush()),  # raw, as some send it
        ("identity", body),
    ]
    from tests.feed_server import FeedServer

    server = FeedServer().start()
    try:
        for number, (coding, encoded) in enumerate(cases):
            server.serve(f"/{number}", Page(encoded, headers={"Content-Encoding": coding}))
            assert fetch(server.url(f"/{number}")).content == body, coding
            assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"
        server.serve("/br", Page(b"\x0b\x02\x80", headers={"Content-Encoding": "br"}))
        with pytest.raises(FetchError, match="unsupported Content-Encoding: br"):
            fetch(server.url("/br"))
        server.serve("/bad", Page(b"not gzip at all", headers={"Content-Encoding": "gzip"}))
        with pytest.raises(FetchError, match="not valid gzip"):
            fetch(server.url("/bad"))
    finally:
        server.stop()


def test_a_gzip_bomb_stops_at_the_cap_in_a_process_that_stays_small(feeds):
    """The fetch runs in its own process, so its peak memory (max RSS) is the fetch's alone."""
    bomb = gzip_bomb(1024)
    assert len(bomb) < 5000
    feeds.serve("/bomb", Page(bomb, headers={"Content-Encoding": "gzip, gzip"}))
    script = textwrap.dedent(
        """
        import asyncio, resource, sys
        from bot.fetch import Fetcher, FetchError, make_client

        async def main(url):
            async with make_client(timeout=30, allow_private_networks=True) as client:
                fetcher = Fetcher(client, max_bytes=10_000_000)
                for get in (fetcher.feed(url, etag=None, last_modified=None), fetcher.page(url)):
                    try:
                        await get
                        print("fetched whole")
                    except FetchError as exc:
                        print("refused:", exc)

        asyncio.run(main(sys.argv[1]))
        print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, feeds.url("/bomb")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    lines = done.stdout.splitlines()
    assert lines[:2] == ["refused: response is over the 10000000-byte limit"] * 2, done.stderr
    peak_mb = int(lines[2].split()[1])
    assert peak_mb < 150, f"peak memory {peak_mb} MB fetching a 1 GiB bomb"


def test_a_trickling_server_is_cut_off_at_the_timeout_in_all(feeds):
    feeds.serve("/trickle", Page(rss([SEED_STORY]), trickle=0.5))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out: no whole answer within 1 s"):
        fetch(feeds.url("/trickle"), timeout=1.0)
    # A whole answer would take 10 minutes; the bound is loose for a busy machine.
    assert time.monotonic() - started < 10


def test_a_trickling_feed_fails_its_poll_backs_off_and_spares_the_other_feeds_of_its_host(
    tmp_path, feeds
):
    store = Store.open(tmp_path / "pantau.db")
    feeds.serve("/trickle", Page(rss([OLD_STORY]), trickle=0.5))
    feeds.serve("/ok", Page(rss([SEED_STORY])))
    now = datetime.now(UTC)
    slow = store.add_source(SourceSpec("Lambat", feeds.url("/trickle"), 60), now)
    fine = store.add_source(SourceSpec("Baik", feeds.url("/ok"), 60), now)
    settings = PollSettings(Cadence(60, 3600, 60), 3600, random.Random(1))

    async def run():
        async with make_client(timeout=1.0, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=1_000_000, per_host=1)
            index = LiveIndex([])
            return await asyncio.gather(
                *(
                    poll_source(
                        store.get_source(source.id),
                        fetcher=fetcher,
                        parser=PARSER,
                        store=store,
                        index=index,
                        settings=settings,
                    )
                    for source in (slow, fine)
                )
            )

    failed, polled = asyncio.run(run())
    assert failed.error.startswith("timed out") and polled.error is None
    assert polled.new_articles == 1, "the host's other feed had its turn"
    after = store.get_source(slow.id)
    assert after.error_count == 1 and after.last_error.startswith("timed out")
    assert (after.next_poll_at - datetime.now(UTC)).total_seconds() > 50, "backed off"

    feeds.serve("/trickle", Page(rss([OLD_STORY])))
    assert asyncio.run(run())[0].error is None, "retried, it recovers"
    store.close()


def test_doctor_does_not_hang_on_a_trickling_source(tmp_path, telegram, feeds):
    feeds.serve("/trickle", Page(rss([OLD_STORY]), trickle=0.5))
    config = write_config(
        tmp_path, [("Lambat", feeds.url("/trickle"), "5m")], extra="fetch_timeout = 1.0\n"
    )
    checked = run_cli("doctor", env=bot_env(tmp_path, telegram, config))
    assert checked.returncode == 1
    assert "FAIL source 1 Lambat: timed out: no whole answer within 1 s" in checked.stdout
