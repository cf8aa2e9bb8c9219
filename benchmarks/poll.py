"""Benchmark polling: 1,000 feeds of 50 items from local servers with 50 ms latency, two cycles.

    python benchmarks/poll.py [--feeds 1000] [--items 50] [--latency 0.05]

The feeds are served by a separate process (so its CPU is not counted) on 25 ports of
127.0.0.1, 40 feeds each; every response waits `--latency` first, and answers 304 to a matching
If-None-Match. The poller is Pantau's own path — `poll_source` with the shared `Fetcher`
(2 requests at a time per host and port), the default concurrency of 20 polls, SQLite in WAL
mode, and 1,000 watches to match every new article against (each item names one of 20,000
people, so about one item in twenty fires a watch). Sources are marked seeded first, so the
first cycle stores, matches and queues like a running bot.

It prints, per cycle: wall time, CPU time of the poller process, articles stored, alerts
queued, and the poller's peak memory. Targets on the 2-core machine: the first cycle (all
new) under 60 s, the second (all 304) under 5 s, peak memory under 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
ALIASES_FILE = ROOT / "config" / "aliases.toml"
sys.path.insert(0, str(ROOT))

from bot.config import read_alias_groups, read_context_rules  # noqa: E402
from bot.fetch import Fetcher, make_client  # noqa: E402
from bot.match import LiveIndex, build_table, parse_watches  # noqa: E402
from bot.models import Watch  # noqa: E402
from bot.pipeline import PollSettings, poll_source  # noqa: E402
from bot.sources import Cadence, SourceSpec  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.workers import ParseWorkers  # noqa: E402

PORTS = 25
PARSER = ParseWorkers(1)  # as the bot parses
CONCURRENCY = 20
WORDS = (
    "banjir gempa korupsi pemilu harga beras minyak subsidi pajak ekspor investasi rupiah "
    "Jakarta Surabaya Bandung Medan Papua Bali Rusia Ukraina Tiongkok Prabowo Jokowi KPK DPR"
).split()


def feed(number: int, items: int) -> bytes:
    """A feed of `items` entries with links unique to this feed, ~300 bytes of text each."""
    rng = random.Random(number)
    published = datetime(2026, 11, 27, 12, tzinfo=UTC)
    entries = []
    for item in range(items):
        title = " ".join(rng.choice(WORDS) for _ in range(8))
        text = " ".join(rng.choice(WORDS) for _ in range(40)) + f" Nama{rng.randrange(20_000)}"
        entries.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://berita{number % 40}.example.id/{number}/{item}</link>"
            f"<description>{escape('<p>' + text + '</p>')}</description>"
            f"<pubDate>{format_datetime(published)}</pubDate></item>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Feed {number}</title><link>https://example.id/</link><description>d</description>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def serve(feeds: int, items: int, latency: float) -> None:
    """The server process: print the ports, then serve until stdin closes."""
    bodies = {f"/feed/{n}": feed(n, items) for n in range(feeds)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            time.sleep(latency)
            body = bodies.get(self.path)
            etag = f'"{self.path}"'
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    servers = []
    for _ in range(PORTS):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
    sys.stdin.read()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def cycle(
    store: Store, fetcher: Fetcher, index: LiveIndex, settings: PollSettings
) -> dict[str, float]:
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(source_id: int) -> tuple[int, int, str | None]:
        async with slots:
            report = await poll_source(
                await store.run(store.get_source, source_id),
                fetcher=fetcher,
                parser=PARSER,
                store=store,
                index=index,
                settings=settings,
            )
            return report.new_articles, report.queued_alerts, report.error

    wall, cpu = time.perf_counter(), cpu_seconds()
    sources = await store.run(store.list_sources)
    reports = await asyncio.gather(*(one(s.id) for s in sources))
    errors = [error for _, _, error in reports if error]
    return {
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "stored": sum(r[0] for r in reports),
        "queued": sum(r[1] for r in reports),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def bench(ports: list[int], feeds: int) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "pantau.db")
        now = datetime.now(UTC)
        for number in range(feeds):
            url = f"http://127.0.0.1:{ports[number % PORTS]}/feed/{number}"
            spec = SourceSpec(f"Feed {number}", url, 300, fetch_article=False)
            source = store.add_source(spec, now)
            store.record_poll_success(source.id, now, now, 300, None, None)
        for chat in range(100):
            store.ensure_chat(chat, "private", "id", "", now)
        aliases = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
        for number in range(1000):
            query = (
                f"Nama{number * 20}" if number % 2 else f"Nama{number * 20} OR banjir Nama{number}"
            )
            store.add_watch(number % 100, query, query, now)
        watches = [w for w in store.active_watches() if isinstance(w, Watch)]
        index = LiveIndex(parse_watches(watches, aliases)[0])
        settings = PollSettings(Cadence(120, 3600, 300), 6 * 3600, random.Random(1))
        async with make_client(timeout=20, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=10_000_000, per_host=2)
            results = [await cycle(store, fetcher, index, settings) for _ in range(2)]
        store.close()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.items, args.latency)
        return
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--feeds",
            str(args.feeds),
            "--items",
            str(args.items),
            "--latency",
            str(args.latency),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    try:
        ports = [int(port) for port in server.stdout.readline().split()]
        results = asyncio.run(bench(ports, args.feeds))
    finally:
        server.kill()
    print(
        f"{args.feeds} feeds x {args.items} items, {args.latency * 1000:.0f} ms latency, "
        f"{CONCURRENCY} polls at once, 2 per host:port, 1,000 watches"
    )
    for name, r in zip(("first cycle (all new)", "second cycle (all 304)"), results, strict=True):
        print(
            f"{name:<24} wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s  stored {r['stored']:>6,}"
            f"  alerts queued {r['queued']:>6,}  errors {r['errors']}  peak {r['peak_mb']:.0f} MB"
            + (f"  ({r['first_error']})" if r["errors"] else "")
        )


if __name__ == "__main__":
    main()
