"""Fetching against a real local server: 200, 304, errors, redirects, the size cap, the SSRF guard."""

from __future__ import annotations

import asyncio

import pytest

from bot.fetch import BlockedAddress, Fetcher, FetchError, is_public_address, make_client
from tests.feed_server import Page
from tests.feeds import SEED_STORY, rss


def fetch(url, *, allow_private=True, etag=None, max_bytes=1_000_000, **guard):
    async def run():
        client = make_client(timeout=5, allow_private_networks=allow_private, **guard)
        async with client:
            fetcher = Fetcher(client, max_bytes=max_bytes)
            return await fetcher.feed(url, etag=etag, last_modified=None)

    return asyncio.run(run())


def test_ok_then_not_modified(feeds):
    body = rss([SEED_STORY])
    feeds.serve(
        "/rss",
        Page(body, headers={"ETag": '"v1"', "Last-Modified": "Wed, 13 Sep 2023 07:30:00 GMT"}),
    )
    first = fetch(feeds.url("/rss"))
    assert first.content == body and first.etag == '"v1"'
    assert first.last_modified == "Wed, 13 Sep 2023 07:30:00 GMT"
    second = fetch(feeds.url("/rss"), etag=first.etag)
    assert second.content is None and second.etag == '"v1"'
    assert feeds.requests[1].headers["if-none-match"] == '"v1"'
    assert feeds.requests[0].headers["user-agent"].startswith("Pantau/")


def test_http_error_is_a_fetch_error(feeds):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(feeds.url("/missing"))


def test_follows_a_redirect(feeds):
    feeds.serve("/old", Page(status=301, headers={"Location": "/new"}))
    feeds.serve("/new", Page(rss([SEED_STORY])))
    assert fetch(feeds.url("/old")).url.endswith("/new")


def test_stops_after_five_redirects(feeds):
    for hop in range(7):
        feeds.serve(f"/r{hop}", Page(status=302, headers={"Location": f"/r{hop + 1}"}))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(feeds.url("/r0"))
    assert feeds.count("/r6") == 0


def test_declared_oversize_is_refused_unread(feeds):
    feeds.serve("/big", Page(b"x" * 5000))
    with pytest.raises(FetchError, match="over the 1000-byte limit"):
        fetch(feeds.url("/big"), max_bytes=1000)


def test_undeclared_oversize_is_abandoned_while_streaming(feeds):
    feeds.serve("/stream", Page(b"x" * 200_000, declare_length=False))
    with pytest.raises(FetchError, match="over the 10000-byte limit"):
        fetch(feeds.url("/stream"), max_bytes=10_000)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_guard_refuses_loopback_before_connecting(feeds, host):
    feeds.serve("/rss", Page(rss([SEED_STORY])))
    url = feeds.url("/rss").replace("127.0.0.1", host)
    with pytest.raises(BlockedAddress, match="PANTAU_ALLOW_PRIVATE_NETWORKS"):
        fetch(url, allow_private=False)
    assert feeds.requests == []


def test_connection_refused_is_a_fetch_error():
    with pytest.raises(FetchError, match="ConnectError"):
        fetch("http://127.0.0.1:9/rss")


def test_a_name_that_does_not_resolve_is_a_fetch_error():
    """.invalid never resolves (RFC 6761); the guard's own lookup must fail like httpx's."""
    with pytest.raises(FetchError, match=r"berita\.invalid cannot be resolved"):
        fetch("http://berita.invalid/rss", allow_private=False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_address_classifier(address, public):
    assert is_public_address(address) is public


def test_redirect_to_a_private_address_is_refused_at_connect_time(feeds):
    """The guard admits only the first server's port, as if it were a public site."""
    from tests.feed_server import FeedServer

    internal = FeedServer().start()
    try:
        internal.serve("/secret", Page(rss([SEED_STORY])))
        feeds.serve("/rss", Page(status=302, headers={"Location": internal.url("/secret")}))
        public_port = int(feeds.url("/").split(":")[2].split("/")[0])
        with pytest.raises(BlockedAddress):
            fetch(
                feeds.url("/rss"), allow_private=False, allowed=lambda ip, port: port == public_port
            )
        assert feeds.count("/rss") == 1 and internal.requests == []
    finally:
        internal.stop()


@pytest.mark.parametrize(("status", "header", "seconds"), [(429, "120", 120.0), (503, "7", 7.0)])
def test_retry_after_is_reported(feeds, status, header, seconds):
    feeds.serve(
        "/busy",
        Page(b"", status=status, content_type="text/plain", headers={"Retry-After": header}),
    )
    with pytest.raises(FetchError) as raised:
        fetch(feeds.url("/busy"))
    assert raised.value.retry_after == seconds


def test_retry_after_as_a_date(feeds):
    feeds.serve(
        "/busy",
        Page(
            b"",
            status=429,
            content_type="text/plain",
            headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"},
        ),
    )
    with pytest.raises(FetchError) as raised:
        fetch(feeds.url("/busy"))
    assert raised.value.retry_after > 3600


def test_freshness_from_max_age_or_expires(feeds):
    feeds.serve("/a", Page(rss([SEED_STORY]), headers={"Cache-Control": "public, max-age=900"}))
    assert fetch(feeds.url("/a")).fresh_for == 900
    feeds.serve("/b", Page(rss([SEED_STORY]), headers={"Expires": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    assert fetch(feeds.url("/b")).fresh_for > 3600
    feeds.serve("/c", Page(rss([SEED_STORY])))
    assert fetch(feeds.url("/c")).fresh_for is None


def test_at_most_two_requests_per_host_at_once(feeds):
    feeds.serve("/slow", Page(rss([SEED_STORY]), delay=0.3))

    async def run():
        async with make_client(timeout=5, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=1_000_000, per_host=2)
            await asyncio.gather(
                *(fetcher.feed(feeds.url("/slow"), etag=None, last_modified=None) for _ in range(6))
            )

    asyncio.run(run())
    assert feeds.max_concurrent == 2


def test_a_slow_server_times_out(feeds):
    feeds.serve("/slow", Page(rss([SEED_STORY]), delay=1.5))

    async def run():
        async with make_client(timeout=0.3, allow_private_networks=True) as client:
            await Fetcher(client, max_bytes=1_000_000).feed(
                feeds.url("/slow"), etag=None, last_modified=None
            )

    with pytest.raises(FetchError, match="timed out"):
        asyncio.run(run())


def test_large_feed_bodies_wait_their_turn_without_losing_their_deadline(feeds):
    """Past `LARGE_BODY`, a feed reads on only with a large-body slot, held until its feed
    slot ends (after parsing); the wait is not the server's, so `fetch_timeout` (1 s here)
    does not run meanwhile. A small feed never waits."""
    from bot.fetch import LARGE_BODY

    big = rss([{**SEED_STORY, "description": "kata " * (LARGE_BODY // 4)}])
    feeds.serve("/besar", Page(big))
    feeds.serve("/kecil", Page(rss([SEED_STORY])))
    moments = {}

    async def run():
        async with make_client(timeout=1, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=10_000_000, per_host=4, large_bodies=1)
            loop = asyncio.get_running_loop()

            async def poll(name, path, hold=0.0):
                async with fetcher.feed_slot():
                    result = await fetcher.feed(feeds.url(path), etag=None, last_modified=None)
                    moments[f"{name} fetched"] = loop.time()
                    await asyncio.sleep(hold)  # parsing, slowly
                    moments[f"{name} done"] = loop.time()
                return result

            first = asyncio.create_task(poll("first", "/besar", hold=1.5))
            while "first fetched" not in moments:
                await asyncio.sleep(0.01)
            return await asyncio.gather(first, poll("second", "/besar"), poll("small", "/kecil"))

    first, second, small = asyncio.run(run())
    assert first.content == second.content == big, "the wait cost the second no deadline"
    assert moments["second fetched"] >= moments["first done"], "one large body at a time"
    assert small.content and moments["small fetched"] < moments["first done"], "small: no wait"
