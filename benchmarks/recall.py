"""Benchmark recall: how many articles that mention a watched term alert, full text vs feed text.

    python benchmarks/recall.py [--teaser 300]

The real Indonesian articles of `../shared/corpus/news-dev.jsonl.gz` (IndoSum, CC BY-SA 4.0;
the benchmark says so and stops when the corpus is absent) are served by a separate local
process as feeds of 20 items per publisher, each item with the first `--teaser` characters of
its body as its description (what Indonesian feeds carry), and each article as a page of its
own (the body's paragraphs inside a site's menus, related links and footer). Two sets of
sources poll the same feeds through Pantau's `poll_source`, in the same run: one reading the
articles' pages (the default), one with `fetch_article = false` (the feed's text only, as
Pantau matched before). Sources are seeded first, so every article is new to a later poll.

The watches are 40 queries of the kind the product is for (people, places, institutions);
an (article, watch) pair "mentions" when the query matches the article's headline and whole
body as the corpus has them. Printed: the share of those pairs that alert in each mode, and
the database bytes per 1,000 articles each mode stores. Pages are requested without spacing
and with a long `article_timeout` here: this measures matching, not politeness.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
ALIASES_FILE = ROOT / "config" / "aliases.toml"
sys.path.insert(0, str(ROOT))

from bot.config import read_alias_groups, read_context_rules  # noqa: E402
from bot.fetch import Fetcher, make_client  # noqa: E402
from bot.health import MATCHES  # noqa: E402
from bot.match import (  # noqa: E402  # noqa: E402
    Document,
    LiveIndex,
    MatchIndex,
    Query,
    build_table,
    parse_query,
    parse_watches,
)
from bot.models import Watch  # noqa: E402
from bot.pipeline import PollSettings, poll_source  # noqa: E402
from bot.sources import Cadence, SourceSpec  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.workers import ParseWorkers  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "news-dev.jsonl.gz"
PARSER = ParseWorkers(1)  # as the bot parses
PER_FEED = 20
QUERIES = (
    "Korea Utara",
    "Korea Selatan",
    "Rusia",
    "Tiongkok",
    "Amerika Serikat",
    "Jepang",
    "Malaysia",
    "Australia",
    "Arab Saudi",
    "Israel",
    "Palestina",
    "Suriah",
    "PBB",
    "KPK",
    "DPR",
    "Polri",
    "TNI",
    "Mahkamah Konstitusi",
    "Bank Indonesia",
    "OJK",
    "BUMN",
    "Pertamina",
    "PLN",
    "Freeport",
    "Jokowi",
    "Prabowo",
    "Ahok",
    "Anies Baswedan",
    "Setya Novanto",
    "Sri Mulyani",
    "Donald Trump",
    "Kim Jong Un",
    "Papua",
    "Aceh",
    "Bali",
    "Surabaya",
    "narkoba",
    "terorisme",
    "banjir",
    "gempa",
)


def corpus() -> list[dict[str, str]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def page(article: dict[str, str]) -> bytes:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article["body"].split("\n\n"))
    related = "".join(f'<li><a href="/r/{n}">Berita lain nomor {n}</a></li>' for n in range(15))
    return (
        f"<!doctype html><html lang=id><head><meta charset=utf-8>"
        f"<title>{escape(article['title'])}</title></head><body>"
        '<nav><a href="/">Beranda</a> <a href="/nasional">Nasional</a></nav>'
        f"<article><h1>{escape(article['title'])}</h1>{paragraphs}</article>"
        f"<aside><h3>Terpopuler</h3><ul>{related}</ul></aside>"
        f"<footer>{escape(article['publisher'])}</footer></body></html>"
    ).encode()


def feeds_of(articles: list[dict[str, str]]) -> list[list[int]]:
    """Indexes of the articles each feed lists: 20 at a time, per publisher."""
    by_publisher: dict[str, list[int]] = {}
    for number, article in enumerate(articles):
        by_publisher.setdefault(article["publisher"], []).append(number)
    return [
        numbers[start : start + PER_FEED]
        for numbers in by_publisher.values()
        for start in range(0, len(numbers), PER_FEED)
    ]


def serve(teaser: int) -> None:
    """The server process: prints its port, serves until stdin closes; `publish` makes every
    feed list its articles (before that, each lists one placeholder, for the seeding poll)."""
    articles = corpus()
    feeds = feeds_of(articles)
    published = threading.Event()

    def feed_body(number: int, port: int) -> bytes:
        items = []
        for index in feeds[number] if published.is_set() else []:
            article = articles[index]
            items.append(
                f"<item><title>{escape(article['title'])}</title>"
                f"<link>http://127.0.0.1:{port}/a/{index}</link>"
                f"<description>{escape(article['body'][:teaser])}</description></item>"
            )
        items.append(
            f"<item><title>Pembuka {number}</title><link>http://127.0.0.1:{port}/a/x{number}"
            "</link><description>-</description></item>"
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {number}</title><link>http://127.0.0.1/</link>"
            f"<description>d</description>{''.join(items)}</channel></rss>"
        ).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            port = self.server.server_address[1]
            parts = self.path.split("/")
            if parts[1] == "feed":
                body, kind = feed_body(int(parts[2]), port), "application/rss+xml"
            elif parts[1] == "a" and parts[2].isdigit():
                body, kind = page(articles[int(parts[2])]), "text/html"
            else:
                body, kind = b"", "text/plain"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], len(feeds), flush=True)
    for line in sys.stdin:
        if line.strip() == "publish":
            published.set()
        elif line.strip() == "hide":
            published.clear()
        print("ok", flush=True)


def mentioned(articles: list[dict[str, str]], watches: list[tuple[Watch, Query]]) -> int:
    """(article, watch) pairs whose query matches the headline and the whole body."""
    index = MatchIndex(watches)
    return sum(
        len({w.id for m in index.match(Document(a["title"], a["body"])) for w in m.watches})
        for a in articles
    )


async def run_mode(
    server: subprocess.Popen[str],
    address: tuple[int, int],
    read_pages: bool,
    watches: list[tuple[Watch, Query]],
    folder: Path,
) -> tuple[int, float]:
    """Poll every feed once to seed, then once more with the articles published; the
    (article, watch) pairs that alert, and the database bytes per 1,000 articles."""
    port, feeds = address
    store = Store.open(folder / f"{'full' if read_pages else 'feed'}.db")
    now = datetime.now(UTC)
    for number in range(feeds):
        spec = SourceSpec(
            f"Feed {number}",
            f"http://127.0.0.1:{port}/feed/{number}",
            300,
            fetch_article=read_pages,
        )
        store.add_source(spec, now)
    for watch, _ in watches:
        store.ensure_chat(watch.chat_id, "private", "id", "", now)
        store.add_watch(watch.chat_id, watch.query, watch.display, now)
    aliases = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
    index = LiveIndex(parse_watches(store.active_watches(), aliases)[0])
    settings = PollSettings(Cadence(120, 3600, 300), 6 * 3600, random.Random(1), 120.0)
    async with make_client(timeout=20, allow_private_networks=True) as client:
        fetcher = Fetcher(client, max_bytes=10_000_000, page_spacing=0)

        async def poll_all() -> None:
            for source in await store.run(store.list_sources):
                await poll_source(
                    source,
                    fetcher=fetcher,
                    parser=PARSER,
                    store=store,
                    index=index,
                    settings=settings,
                )

        await asyncio.to_thread(tell, server, "hide")
        await poll_all()
        await asyncio.to_thread(tell, server, "publish")
        before = MATCHES._value.get()
        await poll_all()
        matches = int(MATCHES._value.get() - before)

    def size() -> float:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        bytes_ = pages * store.db.execute("PRAGMA page_size").fetchone()[0]
        return float(bytes_) / store.count_articles() * 1000

    per_thousand = await store.run(size)
    store.close()
    return matches, per_thousand


def tell(server: subprocess.Popen[str], command: str) -> None:
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(command + "\n")
    server.stdin.flush()
    server.stdout.readline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teaser", type=int, default=300)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is not in this clone")
        return
    if args.serve:
        serve(args.teaser)
        return
    articles = corpus()
    aliases = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
    watches = []
    for number, text in enumerate(QUERIES, start=1):
        query = parse_query(text, aliases)
        watches.append((Watch(number, number, text, query.display), query))
    truth = mentioned(articles, watches)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--teaser", str(args.teaser)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    try:
        port, feeds = (int(value) for value in server.stdout.readline().split())
        with tempfile.TemporaryDirectory() as folder:
            feed_only = asyncio.run(run_mode(server, (port, feeds), False, watches, Path(folder)))
            full = asyncio.run(run_mode(server, (port, feeds), True, watches, Path(folder)))
    finally:
        server.kill()
    print(
        f"{len(articles):,} real articles (IndoSum, CC BY-SA 4.0) of 10 outlets in {feeds} feeds, "
        f"{len(QUERIES)} watches; {truth:,} (article, watch) pairs where the watch's query "
        "matches the headline and whole body"
    )
    for name, (matches, per_thousand) in (
        (f"feed text only (headline + {args.teaser}-character teaser)", feed_only),
        ("full text (page fetched and extracted)", full),
    ):
        print(
            f"{name:<55} alert on {matches:>5,} pairs = {matches / truth:6.1%}  "
            f"database {per_thousand / 1e6:.2f} MB per 1,000 articles"
        )


if __name__ == "__main__":
    main()
