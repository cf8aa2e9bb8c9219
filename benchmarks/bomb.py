"""Benchmark the bot's peak memory while a feed and an article page are gzip bombs.

    python benchmarks/bomb.py [--mebibytes 1024] [--seconds 15]

A local server serves a feed `Content-Encoding: gzip, gzip` that inflates to 1 GiB of zeros
(2.5 KB on the wire), polled every second, and a well-formed feed whose new item's page is the
same bomb. `pantau run --console` (the real bot, without Telegram) watches a query for
`--seconds`; its peak resident memory (VmHWM) is read from /proc before it is stopped. For
comparison, in the same run: a process fetching the bomb the way httpx decodes bodies
(`aiter_bytes`, the same cap counted on each decoded chunk), as Pantau did before.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mebibytes", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    bomb = gzip_bomb(args.mebibytes)
    server = FeedServer().start()
    try:
        bombed = Page(bomb, headers={"Content-Encoding": "gzip, gzip"})
        server.serve("/bomb", bombed)
        server.serve(
            "/halaman-bom",
            Page(bomb, content_type="text/html", headers={"Content-Encoding": "gzip, gzip"}),
        )
        server.serve("/rss", Page(rss([OLD_STORY])))
        with tempfile.TemporaryDirectory() as folder:
            config = write_config(
                Path(folder),
                [("Bom", server.url("/bomb"), "1s"), ("Uji", server.url("/rss"), "1s")],
            )
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANTAU_"))
            }
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
            server.wait_requests("/rss", 2)
            item = {**OLD_STORY, "title": "Korea Utara bom", "link": server.url("/halaman-bom")}
            server.serve("/rss", Page(rss([item, OLD_STORY])))
            time.sleep(args.seconds)
            peak = peak_mb(bot.pid)
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
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


if __name__ == "__main__":
    main()
