"""Benchmark delivery against a fake Bot API server that enforces Telegram's flood limits.

    python benchmarks/deliver.py [--chats 1000] [--per-chat 3]

Queues `--per-chat` alerts for each of `--chats` chats (four in five private, one in five
groups) in the outbox at once, then drains it with Pantau's `Deliverer` — the real
python-telegram-bot client over HTTP to the fake server in `tests/fake_telegram.py`, which
answers 429 with retry_after beyond 30 messages a second overall, 1 a second per private chat
and 20 a minute per group. It prints messages per second against the 30/s limit, the 429s
received, lost and duplicated messages, and the p50/p95 delay from queueing to sending.
Target: at least 90% of the limit, zero 429s, zero lost, zero duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot  # noqa: E402

from bot.deliver import Deliverer  # noqa: E402
from bot.models import Article, Planned  # noqa: E402
from bot.sources import SourceSpec  # noqa: E402
from bot.store import DeliveryState, Store  # noqa: E402
from bot.telegram.sender import TelegramSender  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

TOKEN = "123456789:AABenchmarkTokenForPantauDelivery_0123456"


async def drain_all(store: Store, telegram: FakeTelegram, total: int) -> float:
    async with Bot(TOKEN, base_url=telegram.base_url) as bot:
        deliverer = Deliverer(store, TelegramSender(bot), ZoneInfo("Asia/Jakarta"))
        started = time.perf_counter()
        while await store.run(store.count_deliveries, DeliveryState.SENT) < total:
            await deliverer.drain()
            await asyncio.sleep(0.05)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--per-chat", type=int, default=3)
    args = parser.parse_args()
    telegram = FakeTelegram(TOKEN).start()
    telegram.enforce_limits = True
    chats = [n if n % 5 else -n for n in range(1, args.chats + 1)]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "pantau.db")
        now = datetime.now(UTC)
        source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), now)
        articles = store.save_articles(
            source,
            [
                Article(f"k{n}", f"https://x.id/{n}", f"Berita nomor {n}", "", now)
                for n in range(args.per_chat)
            ],
            now,
        )
        for chat in chats:
            store.ensure_chat(chat, "private" if chat > 0 else "group", "id", "", now)
        planned = [Planned(chat, a.key, (), ("Rusia",), (), "") for chat in chats for a in articles]
        total = store.enqueue(planned, articles, now)
        elapsed = asyncio.run(drain_all(store, telegram, total))
        delays = [
            row[0]
            for row in store.db.execute(
                "SELECT sent_at - created_at FROM deliveries WHERE status = 'sent'"
            ).fetchall()
        ]
        store.close()
    telegram.stop()
    received = collections.Counter((m.chat_id, m.text) for m in telegram.sent)
    expected = {(chat, f"Berita nomor {n}") for chat in chats for n in range(args.per_chat)}
    lost = len(expected - {(chat, text.split("\n")[0]) for chat, text in received})
    duplicated = sum(count - 1 for count in received.values())
    rate = total / elapsed
    quantiles = statistics.quantiles(delays, n=20)
    print(
        f"{total} alerts to {len(chats)} chats ({sum(c > 0 for c in chats)} private, "
        f"{sum(c < 0 for c in chats)} groups), fake server enforcing Telegram's limits"
    )
    print(
        f"{rate:.1f} messages/s ({rate / 30:.0%} of the 30/s limit) in {elapsed:.0f} s; "
        f"429s {telegram.too_many}; lost {lost}; duplicated {duplicated}; "
        f"delay p50 {statistics.median(delays):.1f} s, p95 {quantiles[18]:.1f} s"
    )


if __name__ == "__main__":
    main()
