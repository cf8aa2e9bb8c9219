"""Benchmark: answering `/tren` from the coverage counts (not a test).

A database holding the daily counts of 1,000,000 matched articles — 1,000 watches over 400 days
from 16 outlets — plus one busy watch with 50,000 matches over the last 90 days (its articles
and match rows stored too, for the peak day's headline). Measured, on the real code path
(`Trends.photo`: the store's queries, then the chart drawn on the insights thread):

- time to answer `/tren <watch> 90d` (query + render), median of 7 after one warm-up;
- the query alone, and the naive query it replaces — counting the watch's match rows per local
  day and outlet straight from `watch_matches` and `articles` — in the same run;
- peak memory of the process (max RSS) and the size of the aggregate table on disk.

    python benchmarks/insights.py [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.insights.trends import Target, Trends
from bot.sources import SourceSpec
from bot.store import Store

WIB = ZoneInfo("Asia/Jakarta")
OUTLETS = [
    "ANTARA", "detik", "Kompas", "CNN Indonesia", "CNBC Indonesia", "Tempo", "Republika",
    "Okezone", "Sindonews", "Liputan6", "Suara", "JPNN", "VIVA", "Tribunnews",
    "Pikiran Rakyat", "Zona Surabaya Raya",
]  # fmt: skip
OTHER_WATCHES, OTHER_MATCHES, HISTORY_DAYS = 1_000, 1_000_000, 400
BUSY_MATCHES, BUSY_DAYS = 50_000, 90


def build(store: Store, now: datetime) -> int:
    """The history; returns the busy watch's id."""
    rng = random.Random(16)
    store.ensure_chat(1, "private", "id", "Analis", now)
    sources = [
        store.add_source(SourceSpec(name, f"https://s{i}.example/rss", 300), now)
        for i, name in enumerate(OUTLETS)
    ]
    db = store.db
    with store.transaction():
        for number in range(OTHER_WATCHES):
            store.add_watch(1, f"topik {number}", f"topik{number}", now)
        cells: dict[tuple[int, str, str], int] = {}
        today = now.astimezone(WIB).date()
        for _ in range(OTHER_MATCHES):
            key = (
                rng.randint(1, OTHER_WATCHES),
                (today - timedelta(days=rng.randrange(HISTORY_DAYS))).isoformat(),
                rng.choice(OUTLETS),
            )
            cells[key] = cells.get(key, 0) + 1
        db.conn.executemany(
            "INSERT INTO match_days (watch_id, day, outlet, articles) VALUES (?, ?, ?, ?)",
            [(*key, count) for key, count in cells.items()],
        )
        busy, _ = store.add_watch(1, "Korea Utara", '"Korea Utara"', now)
        weights = [rng.random() ** 3 for _ in sources]
        start = now.timestamp() - BUSY_DAYS * 86400
        for number in range(BUSY_MATCHES):
            source = rng.choices(sources, weights)[0]
            at = start + rng.random() * BUSY_DAYS * 86400
            cursor = db.conn.execute(
                "INSERT INTO articles (source_id, key, url, title, summary, published_at, fetched_at) "
                "VALUES (?, ?, ?, ?, '', ?, ?)",
                [
                    source.id,
                    f"k{number}",
                    f"https://a.example/{number}",
                    f"Korea Utara {number}",
                    at,
                    at,
                ],
            )
            db.conn.execute(
                "INSERT INTO watch_matches (watch_id, article_id, at, terms) VALUES (?, ?, ?, '[]')",
                [busy.id, cursor.lastrowid, at],
            )
    while store.fold_matches("Asia/Jakarta", 50_000)[1]:
        pass
    return busy.id


def naive(store: Store, watch_id: int, first: float) -> int:
    """Counting the watch's articles per local day and outlet from its match rows."""
    rows = store.db.execute(
        "SELECT date(m.at + 7 * 3600, 'unixepoch') AS day, coalesce(s.name, ''), count(*) "
        "FROM watch_matches m JOIN articles a ON a.id = m.article_id "
        "LEFT JOIN sources s ON s.id = a.source_id WHERE m.watch_id = ? AND m.at >= ? "
        "GROUP BY day, s.name",
        [watch_id, first],
    ).fetchall()
    return sum(row[2] for row in rows)


def timed(fn: Callable[[], object], runs: int = 7) -> float:
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pantau-insights-"))
    path = args.keep or folder / "pantau.db"
    now = datetime.now(UTC)
    store = Store.open(path)
    started = time.perf_counter()
    watch_id = build(store, now)
    built = time.perf_counter() - started
    rows = store.db.execute("SELECT count(*) FROM match_days").fetchone()[0]
    try:
        size = store.db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name = 'match_days'"
        ).fetchone()[0]
    except Exception:  # SQLite without the dbstat table
        size = None
    trends = Trends(store, WIB)
    bounds = trends.period(WIB, BUSY_DAYS, now)
    target = Target('"Korea Utara"', watch_id)

    async def answer() -> int:
        photo = await trends.photo("id", [target], bounds)
        assert photo is not None
        return len(photo.png)

    async def count_only() -> int:
        return sum(c.total for c in await trends.count([target], bounds))

    total = asyncio.run(count_only())
    png = asyncio.run(answer())
    whole = timed(lambda: asyncio.run(answer()))
    query = timed(lambda: asyncio.run(count_only()), 21)
    slow = timed(lambda: naive(store, watch_id, bounds[0].start), 7)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    asyncio.run(answer())
    answering = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(
        f"history: {OTHER_MATCHES:,} matches of {OTHER_WATCHES:,} watches over {HISTORY_DAYS} days "
        f"+ one watch with {BUSY_MATCHES:,} over {BUSY_DAYS} days, {len(OUTLETS)} outlets "
        f"(built in {built:.0f} s)"
    )
    print(f"match_days: {rows:,} rows" + (f", {size / 1e6:.1f} MB" if size else ""))
    print(
        f"/tren 90d (query + chart): {whole * 1000:.0f} ms median (target under 2000 ms), PNG {png:,} bytes, {total:,} articles"
    )
    print(
        f"  query alone: {query * 1000:.2f} ms; naive count from match rows: {slow * 1000:.1f} ms ({slow / query:.0f}x)"
    )
    print(
        f"memory: {answering:.1f} MB allocated at most while answering (tracemalloc); "
        f"process peak {peak:.0f} MB (max RSS, building the history included)"
    )
    trends.close()
    store.close()


if __name__ == "__main__":
    main()
