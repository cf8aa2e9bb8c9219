"""Benchmark the bot's peak memory while feeds are gzip bombs or as large as allowed, at once.

    python benchmarks/bomb.py [--mebibytes 1024] [--seconds 15] [--case single|together|all]

`single`: a local server serves a feed `Content-Encoding: gzip, gzip` that inflates to 1 GiB of
zeros (2.5 KB on the wire), polled every second, and a well-formed feed whose new item's page is
the same bomb. For comparison, in the same run: a process fetching the bomb the way httpx
decodes bodies (`aiter_bytes`, the same cap counted on each decoded chunk), as Pantau did
before.

`together`: `max_concurrent_polls` (20) feeds, each on its own local server (its own origin, so
the per-host cap does not space them out), all due at once and polled every second through the
real poll path (fetch, parse, store): each a body just under `max_feed_bytes` (10 MB decoded,
gzipped on the wire), first all of one item whose description is the whole body, then all of
as many 1.5 KB items as fit; then each the 1 GiB bomb.

Each case runs `pantau run --console` (the real bot, without Telegram) watching a query for
`--seconds`; its peak resident memory (VmHWM) is read from /proc before it is stopped.
"""

from __future__ import annotations

import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import write_config  # noqa: E402
from tests.feed_server import FeedServer, Page  # noqa: E402
from tests.feeds import OLD_STORY, gzip_bomb, rss  # noqa: E402

NAIVE = textwrap.dedent(
    """
    import asyncio, resource, sys
    import httpx

    async def main(url):
        async with httpx.AsyncClient() as client:
            async with client.stream("GET", url) as response:
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > 10_000_000:
                        break

    asyncio.run(main(sys.argv[1]))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """
)


def peak_mb(pid: int) -> int:
    """The process's peak resident memory so far, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise LookupError("no VmHWM")


def peak_with_workers_mb(pid: int) -> int:
    """The peak memory of the process plus each of its children's (its parse worker's): an
    upper bound of what they held together, since their peaks need not coincide."""
    total = peak_mb(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                total += peak_mb(int(stat.parent.name))
        except (OSError, LookupError):
            continue  # gone meanwhile
    return total


FEEDS_AT_ONCE = 20  # max_concurrent_polls' default
FEED_CAP = 10_000_000  # max_feed_bytes' default
ITEM_TEXT = (
    "<p>Pemerintah mengumumkan kebijakan baru tentang perdagangan dan hubungan dengan Korea "
    "Utara, kata juru bicara kementerian kepada wartawan di Jakarta pada Selasa.</p>"
) * 10


def one_item_feed(number: int) -> bytes:
    """A feed just under the cap: one item whose description is the whole body."""
    words = "kata " * ((FEED_CAP - 2_000) // 5)
    item = {"title": f"Besar {number}", "link": f"https://x.id/{number}/1", "description": words}
    return rss([item])


def many_items_feed(number: int) -> bytes:
    """A feed just under the cap: as many 1.5 KB items as fit."""

    def item(n: int) -> dict[str, str]:
        return {
            "title": f"Berita {n} dari outlet {number}",
            "link": f"https://x.id/{number}/{n}",
            "description": ITEM_TEXT,
            "pubDate": "Tue, 12 Sep 2023 08:00:00 +0700",
        }

    size = len(rss([item(0), item(1)])) - len(rss([item(0)]))
    count = (FEED_CAP - 1_000) // size
    while len(body := rss([item(n) for n in range(count)])) > FEED_CAP:
        count -= 10
    return body


def run_bot(
    sources: list[tuple[str, str, str]], seconds: float, during: Callable[[], None] | None = None
) -> int:
    """`pantau run --console` on these sources for `seconds`; its peak memory in MB, its
    parse worker's included (`parse_processes` at its default, 1)."""
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder), sources, parse_processes=1)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANTAU_"))}
        env.update(
            PANTAU_CONFIG=str(config),
            PANTAU_DB=str(Path(folder) / "pantau.db"),
            PANTAU_ALLOW_PRIVATE_NETWORKS="1",
            PANTAU_HEALTH_PORT="0",
        )
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--console", "--watch", "Korea Utara"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if during is not None:
                during()
            time.sleep(seconds)
            return peak_with_workers_mb(bot.pid)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=60)


def single(args: argparse.Namespace, bomb: bytes) -> None:
    server = FeedServer().start()
    try:
        bombed = Page(bomb, headers={"Content-Encoding": "gzip, gzip"})
        server.serve("/bomb", bombed)
        server.serve(
            "/halaman-bom",
            Page(bomb, content_type="text/html", headers={"Content-Encoding": "gzip, gzip"}),
        )
        server.serve("/rss", Page(rss([OLD_STORY])))

        def new_item() -> None:
            server.wait_requests("/rss", 2)
            item = {**OLD_STORY, "title": "Korea Utara bom", "link": server.url("/halaman-bom")}
            server.serve("/rss", Page(rss([item, OLD_STORY])))

        sources = [("Bom", server.url("/bomb"), "1s"), ("Uji", server.url("/rss"), "1s")]
        peak = run_bot(sources, args.seconds, new_item)
        naive = subprocess.run(
            [sys.executable, "-c", NAIVE, server.url("/bomb")],
            capture_output=True,
            text=True,
            timeout=300,
        )
        polls, pages = server.count("/bomb"), server.count("/halaman-bom")
    finally:
        server.stop()
    print(
        f"{len(bomb):,}-byte feed and page inflating to {args.mebibytes:,} MiB "
        f"(Content-Encoding: gzip, gzip), {args.seconds:g} s of pantau run"
    )
    print(
        f"pantau run: peak memory {peak} MB; the feed fetched {polls} times (refused at the "
        f"10 MB cap each time), the page {pages} time(s) (refused at 3 MB)"
    )
    print(
        f"httpx decoding a chunk at a time, the same 10 MB cap: peak memory {naive.stdout.strip()} MB"
    )


def together(args: argparse.Namespace, bomb: bytes) -> None:
    servers = [FeedServer().start() for _ in range(FEEDS_AT_ONCE)]
    shapes = {
        "one item whose description is the whole body": one_item_feed,
        "as many 1.5 KB items as fit": many_items_feed,
    }
    peaks = []
    try:
        for label, shape in shapes.items():
            sizes = []
            for number, server in enumerate(servers):
                body = gzip.compress(shape(number), 6)
                sizes.append(len(body))
                server.serve(f"/{shape.__name__}", Page(body, headers={"Content-Encoding": "gzip"}))
            feeds = [
                (f"Besar {n}", s.url(f"/{shape.__name__}"), "1s") for n, s in enumerate(servers)
            ]
            peak = run_bot(feeds, args.seconds)
            polls = sum(s.count(f"/{shape.__name__}") for s in servers)
            peaks.append(
                f"{label} ({min(sizes):,}-{max(sizes):,} bytes gzipped): peak memory {peak} MB, "
                f"{polls} polls"
            )
        for server in servers:
            server.serve("/bomb", Page(bomb, headers={"Content-Encoding": "gzip, gzip"}))
        bombs = [(f"Bom {n}", s.url("/bomb"), "1s") for n, s in enumerate(servers)]
        peak = run_bot(bombs, args.seconds)
        polls = sum(s.count("/bomb") for s in servers)
        peaks.append(
            f"each a {len(bomb):,}-byte bomb of {args.mebibytes:,} MiB: peak memory {peak} MB, "
            f"{polls} polls (each refused at the cap)"
        )
    finally:
        for server in servers:
            server.stop()
    print(
        f"{FEEDS_AT_ONCE} feeds at once, each on its own server, polled every second for "
        f"{args.seconds:g} s of pantau run; each feed just under the {FEED_CAP:,}-byte cap "
        "once decoded:"
    )
    for line in peaks:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mebibytes", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--case", choices=("single", "together", "all"), default="all")
    args = parser.parse_args()
    bomb = gzip_bomb(args.mebibytes)
    if args.case in ("single", "all"):
        single(args, bomb)
    if args.case in ("together", "all"):
        together(args, bomb)


if __name__ == "__main__":
    main()
