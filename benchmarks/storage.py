"""Benchmark what keeping article text costs, and what each way of keeping it would cost.

    python benchmarks/storage.py [--articles 3000]

Real Indonesian articles from `../shared/corpus/news-dev.jsonl.gz` (generated Indonesian-like
text when the corpus is absent: the figures then only compare the layouts) are stored with
their headline, a 300-character feed teaser and their whole text, in five layouts:

- feed text only: what Pantau stored before it read pages (title and teaser, indexed);
- page text, plain, with a full FTS5 index over title, teaser and text, reading the text
  from the table (external content, as sqlite-utils' `enable_fts` builds it);
- the same, truncated to 5,000 characters;
- page text zlib-compressed, with a contentless FTS5 index (it keeps no copy of the text);
- the same with an index without word positions (`detail=none`): what Pantau does, measured
  through `Store.save_articles` itself.

It prints database bytes per 1,000 articles for each, and how long a search of the index
takes in the plain and in Pantau's layout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.models import Article  # noqa: E402
from bot.sources import SourceSpec  # noqa: E402
from bot.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "news-dev.jsonl.gz"
TEASER = 300
TRUNCATED = 5000
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
ARTICLES = (
    "CREATE TABLE articles (id INTEGER PRIMARY KEY, source_id INTEGER, key TEXT UNIQUE, "
    "url TEXT, title TEXT, summary TEXT, published_at REAL, fetched_at REAL, text)"
)


def texts(count: int) -> tuple[str, list[tuple[str, str, str]]]:
    """(title, url, body) of real articles, or of generated ones when the corpus is absent."""
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
            rows = [json.loads(line) for line in lines][:count]
        return "real (IndoSum)", [(r["title"], r["url"], r["body"]) for r in rows]
    rng = random.Random(1)
    words = "pemerintah menteri rapat ekonomi harga beras banjir gempa warga kota".split()
    generated = [
        (
            " ".join(rng.choices(words, k=8)),
            f"https://x.id/{n}",
            " ".join(rng.choices(words, k=rng.randint(200, 600))),
        )
        for n in range(count)
    ]
    return "generated", generated


def size(connection: sqlite3.Connection) -> int:
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    return int(pages * connection.execute("PRAGMA page_size").fetchone()[0])


def layout(
    path: Path, index: str, rows: list[tuple[str, str, str]], text: Callable[[str], object]
) -> sqlite3.Connection:
    """A raw SQLite database with one way of keeping the text; `index` creates the FTS table."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(ARTICLES)
    connection.execute(index)
    with connection:
        for number, (title, url, body) in enumerate(rows):
            stored = text(body)
            cursor = connection.execute(
                "INSERT INTO articles (source_id, key, url, title, summary, fetched_at, text) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                [url, url, title, body[:TEASER], float(number), stored],
            )
            indexed = stored if isinstance(stored, str) else "" if stored is None else body
            connection.execute(
                "INSERT INTO fts (rowid, title, summary, text) VALUES (?, ?, ?, ?)",
                [cursor.lastrowid, title, body[:TEASER], indexed],
            )
    return connection


def searched(connection: sqlite3.Connection, query: str, table: str = "fts") -> float:
    """Milliseconds to find the 500 newest candidates' ids."""
    started = time.perf_counter()
    for _ in range(20):
        connection.execute(
            f"SELECT a.id FROM articles a WHERE a.id IN (SELECT rowid FROM {table} "
            f"WHERE {table} MATCH ?) ORDER BY a.fetched_at DESC LIMIT 500",
            [query],
        ).fetchall()
    return (time.perf_counter() - started) / 20 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    kind, rows = texts(args.articles)
    full = (
        "CREATE VIRTUAL TABLE fts USING fts5(title, summary, text, content='articles', "
        f"content_rowid='id', {TOKENIZE})"
    )
    contentless = (
        f"CREATE VIRTUAL TABLE fts USING fts5(title, summary, text, content='', {TOKENIZE}"
    )
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        layouts: list[tuple[str, str, Callable[[str], object]]] = [
            ("feed text only (title + teaser)", full, lambda body: None),
            ("page text, plain, full index", full, lambda body: body),
            (f"page text truncated to {TRUNCATED:,} chars", full, lambda body: body[:TRUNCATED]),
            (
                "page text compressed, contentless index",
                contentless + ")",
                lambda body: zlib.compress(body.encode(), 6),
            ),
        ]
        plain_search = 0.0
        for number, (name, index, text) in enumerate(layouts):
            connection = layout(base / f"{number}.db", index, rows, text)
            results.append((name, size(connection) / len(rows) * 1000))
            if number == 1:
                plain_search = searched(connection, '"korea" + "utara"*')
            connection.close()
        store = Store.open(base / "pantau.db")
        now = datetime.now(UTC)
        source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 300), now)
        with store.transaction():
            store.save_articles(
                source,
                [
                    Article(url, url, title, body[:TEASER], None, text=body)
                    for title, url, body in rows
                ],
                now,
            )
        results.append(
            ("Pantau: compressed, index without positions", size(store.db.conn) / len(rows) * 1000)
        )
        pantau_search = searched(store.db.conn, '("korea" AND "utara"*)', "articles_fts")
        started = time.perf_counter()
        for _ in range(20):
            found = store.search_articles([("korea", "utara")])
        rows_ms = (time.perf_counter() - started) / 20 * 1000
        store.close()
    chosen = results[-1][1]
    print(
        f"{len(rows):,} {kind} articles, average {sum(len(r[2]) for r in rows) / len(rows):,.0f} characters"
    )
    for name, per_thousand in results:
        print(
            f"{name:<45} {per_thousand / 1e6:5.2f} MB per 1,000 articles ({per_thousand / chosen:4.2f}x)"
        )
    print(
        f"search 'Korea Utara', ids of the 500 newest candidates: phrase in the full index "
        f"{plain_search:.1f} ms, both words in Pantau's {pantau_search:.1f} ms; "
        f"Pantau's whole search_articles ({len(found)} articles, texts decompressed) {rows_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
