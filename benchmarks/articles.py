"""Benchmark full-text polling at steady state: 1,000 feeds of 200 outlets, every new article's
page fetched, extracted and matched.

    python benchmarks/articles.py [--feeds 1000] [--outlets 200] [--cycles 3] [--latency 0.05]

A separate process serves the outlets, one local port (host) each, feeds spread over them as
`benchmarks/poll.py` spreads them (feed n on outlet n mod 200), every answer 50 ms late. Each
cycle adds 2 items to every feed, whose pages (60-90 KB of realistic HTML: scripts, menus,
the article, related links, footer) sit on the outlet's host beside its robots.txt. The poller
is Pantau's own path: `poll_source` for every source at once, the shared `Fetcher` with its
defaults (20 feeds at once, 2 requests per host, article requests 1 s apart per host,
robots.txt read), trafilatura, 1,000 watches, SQLite in WAL mode, `article_timeout` 10 s.
The first cycle seeds the sources (their first poll reads no pages).

It prints per cycle: wall time, articles whose page was read (fetched + extracted + matched)
and their rate, articles left on feed text and why, alerts queued; then the poller's peak
memory, the most concurrent requests any host saw (must be at most 2), the shortest gap
between two article requests to one host (at least 1 s), and database bytes per 1,000 stored
articles. Targets on the 2-core machine: at least 40 articles a second, under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
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
from bot.health import ARTICLE_PAGES  # noqa: E402
from bot.match import LiveIndex, build_table, parse_watches  # noqa: E402
from bot.pipeline import PollSettings, poll_source  # noqa: E402
from bot.sources import Cadence, SourceSpec  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.workers import ParseWorkers  # noqa: E402

PER_HOST = 2
SPACING = 1.0
NEW_PER_CYCLE = 2
SHOWN = 20  # items a feed lists
WORDS = (
    "pemerintah menteri rapat kerja sama ekonomi harga beras minyak subsidi pajak ekspor "
    "investasi rupiah banjir gempa korupsi pemilu warga kota provinsi jalan sekolah rumah "
    "sakit bandara pelabuhan kereta presiden gubernur bupati polisi hakim jaksa sidang "
    "Jakarta Surabaya Bandung Medan Papua Bali Rusia Ukraina Tiongkok Prabowo KPK DPR"
).split()
OUTCOMES = ("read", "empty", "late", "failed", "disallowed", "host_busy", "backlog")


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@functools.cache
def item_words(feed: int, number: int) -> tuple[str, str, list[str]]:
    """Title, teaser and paragraphs of one item; one in ten names a watched person, in the
    body only."""
    rng = random.Random(feed * 100_003 + number)
    title = sentence(rng, 8)[:-1]
    paragraphs = [" ".join(sentence(rng, rng.randint(12, 25)) for _ in range(3)) for _ in range(8)]
    if rng.random() < 0.1:
        paragraphs[rng.randrange(2, 8)] += f" Hal itu disampaikan Nama{rng.randrange(1000) * 20}."
    return title, paragraphs[0][:300], paragraphs


def page_frame(outlet: int) -> tuple[str, str]:
    """What an outlet's pages share around the article, sized so pages are 60-90 KB."""
    rng = random.Random(outlet)
    script = "var t=" + json.dumps([sentence(rng, 6) for _ in range(rng.randint(750, 1300))]) + ";"
    menu = "".join(f'<li><a href="/kanal/{n}">{sentence(rng, 2)}</a></li>' for n in range(120))
    related = "".join(
        f'<li><a href="/baca/{n}"><img src="/i/{n}.jpg" alt="">{sentence(rng, 9)}</a></li>'
        for n in range(120)
    )
    head = (
        f"<!doctype html><html lang=id><head><meta charset=utf-8><title>Outlet {outlet}</title>"
        f"<script>{script}</script><style>body{{margin:0}}.x{{color:#333}}</style></head><body>"
        f'<header><nav><ul class="menu">{menu}</ul></nav></header><main><article>'
    )
    tail = (
        '</article><aside><h3>Terpopuler</h3><ul class="related">'
        f"{related}</ul></aside></main><footer>Copyright 2026 Outlet {outlet}</footer></body></html>"
    )
    return head, tail


def serve(feeds: int, outlets: int, latency: float) -> None:
    """The server process: ports on stdout; `cycle N` and `stats` lines on stdin."""
    state = {"cycle": 0}
    lock = threading.Lock()
    active: dict[int, int] = defaultdict(int)
    most: dict[int, int] = defaultdict(int)
    page_starts: dict[int, list[float]] = defaultdict(list)
    frames: dict[int, tuple[str, str]] = {}

    @functools.cache
    def feed_body(number: int, port: int, cycle: int) -> bytes:
        newest = SHOWN + NEW_PER_CYCLE * cycle
        entries = []
        for item in range(newest - 1, newest - SHOWN - 1, -1):
            title, teaser, _ = item_words(number, item)
            entries.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>http://127.0.0.1:{port}/a/{number}/{item}</link>"
                f"<description>{escape(teaser)}</description>"
                f"<pubDate>{format_datetime(datetime(2026, 11, 27, 12, tzinfo=UTC))}</pubDate>"
                "</item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {number}</title><link>http://127.0.0.1:{port}/</link>"
            f"<description>d</description>{''.join(entries)}</channel></rss>"
        ).encode()

    def page_body(outlet: int, number: int, item: int) -> bytes:
        if outlet not in frames:
            frames[outlet] = page_frame(outlet)
        head, tail = frames[outlet]
        title, _, paragraphs = item_words(number, item)
        article = f"<h1>{escape(title)}</h1>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return (head + article + tail).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            port = self.server.server_address[1]
            outlet = ports.index(port)
            with lock:
                active[port] += 1
                most[port] = max(most[port], active[port])
                if self.path.startswith("/a/"):
                    page_starts[port].append(time.monotonic())
            try:
                time.sleep(latency)
                parts = self.path.split("/")
                if self.path == "/robots.txt":
                    self._send(b"User-agent: *\nDisallow: /private/\n", "text/plain")
                elif parts[1] == "feed":
                    body = feed_body(int(parts[2]), port, state["cycle"])
                    self._send(body, "application/rss+xml")
                elif parts[1] == "a":
                    self._send(page_body(outlet, int(parts[2]), int(parts[3])), "text/html")
                else:
                    self._send(b"not found", "text/plain", 404)
            finally:
                with lock:
                    active[port] -= 1

        def _send(self, body: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(
            self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
        ) -> None:
            """A page given up at `article_timeout` resets its connection: expected, not news."""
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    ports: list[int] = []
    for _ in range(outlets):
        server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports.append(server.server_address[1])
    print(" ".join(map(str, ports)), flush=True)
    for line in sys.stdin:
        command, _, value = line.strip().partition(" ")
        if command == "cycle":
            state["cycle"] = int(value)
        elif command == "stats":
            with lock:
                gaps = [
                    later - earlier
                    for starts in page_starts.values()
                    for earlier, later in zip(sorted(starts), sorted(starts)[1:], strict=False)
                ]
                print(json.dumps({"most": max(most.values()), "gap": min(gaps)}), flush=True)
        print("ok", flush=True)


def cpu_seconds() -> float:
    """CPU of the poller: this process and its parse workers."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = 0.0
    for child in multiprocessing.active_children():
        fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        workers += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return usage.ru_utime + usage.ru_stime + workers


def workers_peak_mb() -> float:
    """The largest peak memory of a parse worker still running."""
    peaks = [0.0]
    for child in multiprocessing.active_children():
        for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def counted() -> dict[str, float]:
    return {outcome: ARTICLE_PAGES.labels(outcome)._value.get() for outcome in OUTCOMES}


async def cycle(
    store: Store, fetcher: Fetcher, parser: ParseWorkers, index: LiveIndex
) -> dict[str, object]:
    settings = PollSettings(Cadence(120, 3600, 300), 6 * 3600, random.Random(1), 10.0)
    before, started, cpu = counted(), time.perf_counter(), cpu_seconds()
    sources = await store.run(store.list_sources)
    reports = await asyncio.gather(
        *(
            poll_source(
                source,
                fetcher=fetcher,
                parser=parser,
                store=store,
                index=index,
                settings=settings,
            )
            for source in sources
        )
    )
    after = counted()
    return {
        "wall": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "stored": sum(r.new_articles for r in reports),
        "queued": sum(r.queued_alerts for r in reports),
        "errors": sum(1 for r in reports if r.error),
        "pages": {k: int(after[k] - before[k]) for k in OUTCOMES if after[k] > before[k]},
    }


def database_bytes(store: Store) -> int:
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    return int(pages * store.db.execute("PRAGMA page_size").fetchone()[0])


async def bench(server: subprocess.Popen[str], ports: list[int], args: argparse.Namespace) -> None:
    assert server.stdin is not None and server.stdout is not None

    def tell(line: str) -> str:
        server.stdin.write(line + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        return answer if answer.strip() == "ok" else answer + server.stdout.readline()

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "pantau.db")
        now = datetime.now(UTC)
        for number in range(args.feeds):
            url = f"http://127.0.0.1:{ports[number % len(ports)]}/feed/{number}"
            store.add_source(SourceSpec(f"Feed {number}", url, 300), now)
        for chat in range(100):
            store.ensure_chat(chat, "private", "id", "", now)
        aliases = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
        for number in range(1000):
            store.add_watch(number % 100, f"Nama{number * 20}", f"Nama{number * 20}", now)
        index = LiveIndex(parse_watches(store.active_watches(), aliases)[0])
        print(
            f"{args.feeds} feeds of {args.outlets} outlets (one host each), "
            f"{args.latency * 1000:.0f} ms latency, {NEW_PER_CYCLE} new items per feed a cycle, "
            f"pages 60-90 KB; {PER_HOST} requests per host, article requests {SPACING:g} s "
            "apart per host, 20 feeds at once, 1,000 watches, "
            f"parse processes {args.parse_processes}"
        )
        async with make_client(timeout=20, allow_private_networks=True) as client:
            fetcher = Fetcher(client, max_bytes=10_000_000, per_host=PER_HOST)
            parser = ParseWorkers(args.parse_processes)
            seeded = await cycle(store, fetcher, parser, index)
            print(
                f"seeding (first polls, no pages): wall {seeded['wall']:5.1f} s  "
                f"cpu {seeded['cpu']:5.1f} s  stored {seeded['stored']:,}"
            )
            size, stored, rates = await store.run(database_bytes, store), 0, []
            for number in range(1, args.cycles + 1):
                tell(f"cycle {number}")
                result = await cycle(store, fetcher, parser, index)
                pages = result["pages"]
                assert isinstance(pages, dict)
                read = pages.pop("read", 0)
                rates.append(read / float(result["wall"]))  # type: ignore[arg-type]
                stored += int(result["stored"])  # type: ignore[call-overload]
                print(
                    f"cycle {number}: wall {result['wall']:5.1f} s  cpu {result['cpu']:5.1f} s  "
                    f"stored {result['stored']:,}  "
                    f"pages read {read:,} ({rates[-1]:.0f} articles/s)  feed text only "
                    f"{sum(pages.values())} {pages or ''}  alerts queued {result['queued']}  "
                    f"errors {result['errors']}"
                )
            worker_peak = workers_peak_mb()
            parser.close()
        per_thousand = (await store.run(database_bytes, store) - size) / stored * 1000
        store.close()
    stats = json.loads(tell("stats").splitlines()[0])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"steady state: {min(rates):.0f}-{max(rates):.0f} articles/s fetched+extracted+matched; "
        f"peak memory {peak:.0f} MB (parse worker {worker_peak:.0f} MB); most concurrent requests at one host {stats['most']} "
        f"(max_per_host {PER_HOST}); shortest gap between article requests to one host "
        f"{stats['gap']:.2f} s; database {per_thousand / 1e6:.2f} MB per 1,000 articles"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--outlets", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--parse-processes", type=int, default=1, help="as the setting; 0: on threads"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.outlets, args.latency)
        return
    command = [sys.executable, __file__, "--serve", "--feeds", str(args.feeds)]
    command += ["--outlets", str(args.outlets), "--latency", str(args.latency)]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    try:
        ports = [int(port) for port in server.stdout.readline().split()]
        asyncio.run(bench(server, ports, args))
    finally:
        server.kill()


if __name__ == "__main__":
    main()
