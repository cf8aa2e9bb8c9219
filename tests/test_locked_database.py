"""A database another process holds locked delays delivery: it never sends an alert twice and
never freezes the event loop. Real parts: the fake Bot API server and a second process holding
`BEGIN IMMEDIATE` on the database file until the test lets go."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.deliver import Deliverer
from bot.models import Article, Planned
from bot.sources import SourceSpec
from bot.store import DeliveryState, OnEventLoop, Store
from bot.telegram.sender import TelegramSender
from tests.conftest import TOKEN

CHATS = (1, 2, 3)
HOLD_AT_MOST = 15.0  # the locker lets go by itself only when the test cannot tell it to
LOCKER = textwrap.dedent(
    """
    import select, sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    told, _, _ = select.select([sys.stdin], [], [], float(sys.argv[2]))
    db.execute("ROLLBACK")
    print("released when told" if told else "released on its own", flush=True)
    """
)


def queued_store(path: Path, **options: float) -> Store:
    """A store with one alert pending for each chat of `CHATS`."""
    store = Store.open(path, **options)
    now = datetime.now(UTC)
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), now)
    articles = [Article(f"k{c}", f"https://x.id/{c}", f"Berita {c}", "", now) for c in CHATS]
    stored = store.save_articles(source, articles, now)
    for chat in CHATS:
        store.ensure_chat(chat, "private", "id", "Analis", now)
    planned = [
        Planned(c, a.key, (c,), ("Rusia",), ("Rusia",), "")
        for c, a in zip(CHATS, stored, strict=True)
    ]
    store.enqueue(planned, stored, now)
    return store


class Locker:
    """A second process holding the database's write lock."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def hold(cls, path: Path) -> Locker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LOCKER,
            str(path),
            str(HOLD_AT_MOST),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        assert await process.stdout.readline() == b"locked\n"
        return cls(process)

    @property
    def holding(self) -> bool:
        return self.process.returncode is None

    async def release(self) -> str:
        """Let go (if still holding); how the lock ended."""
        assert self.process.stdin is not None and self.process.stdout is not None
        with contextlib.suppress(ConnectionError):
            self.process.stdin.write(b"go\n")
            await self.process.stdin.drain()
        ended = (await self.process.stdout.readline()).decode().strip()
        await self.process.wait()
        return ended


async def until(condition, locker: Locker) -> None:
    """Await `condition()`, or the locker giving up by itself (then the test's asserts fail)."""
    while not condition() and locker.holding:
        await asyncio.sleep(0.01)


def test_a_locked_database_delays_delivery_and_the_event_loop_keeps_running(telegram, tmp_path):
    path = tmp_path / "pantau.db"
    store = queued_store(path)
    seen: dict[str, object] = {}

    async def scenario() -> int:
        locker = await Locker.hold(path)
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            deliverer = Deliverer(store, TelegramSender(bot), ZoneInfo("Asia/Jakarta"))
            drain = asyncio.create_task(deliverer.drain())
            await until(lambda: telegram.sent, locker)
            ticks = 0
            while ticks < 20 and locker.holding:  # the probe: the loop must keep serving it
                await asyncio.sleep(0.01)
                ticks += 1
            seen.update(drain_done=drain.done(), sent=len(telegram.sent), ticks=ticks)
            seen["lock"] = await locker.release()
            return await drain

    try:
        sent = asyncio.run(scenario())
    finally:
        recorded = store.count_deliveries(DeliveryState.SENT)
        store.close()
    assert seen["lock"] == "released when told", "the event loop froze while the lock was held"
    assert seen["ticks"] == 20
    assert seen["drain_done"] is False and seen["sent"] == 1, "delivery waits for the lock"
    assert sent == 3 and recorded == 3
    assert sorted(m.chat_id for m in telegram.sent) == list(CHATS), "each alert exactly once"


def test_an_alert_telegram_accepted_is_recorded_once_the_lock_is_gone(telegram, tmp_path, caplog):
    path = tmp_path / "pantau.db"
    store = queued_store(path, busy_timeout=0.05)  # the lock outlasts the wait: recording fails
    outcome: dict[str, str] = {}

    def retrying() -> bool:
        return any("not recorded" in record.getMessage() for record in caplog.records)

    async def scenario() -> None:
        locker = await Locker.hold(path)
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            deliverer = Deliverer(store, TelegramSender(bot), ZoneInfo("Asia/Jakarta"))

            failed_drains = 0

            async def deliver_all() -> None:
                nonlocal failed_drains
                while await store.run(store.count_deliveries, DeliveryState.SENT) < len(CHATS):
                    try:
                        await deliverer.drain()
                    except sqlite3.OperationalError:
                        failed_drains += 1  # as the service's job: logged, the next tick goes on

            delivering = asyncio.create_task(deliver_all())
            # Let go once recording failed: retried, or (without the retry) a drain gave up twice.
            await until(lambda: retrying() or failed_drains >= 2, locker)
            outcome["lock"] = await locker.release()
            await delivering

    try:
        asyncio.run(scenario())
    finally:
        recorded = store.count_deliveries(DeliveryState.SENT)
        store.close()
    assert outcome["lock"] == "released when told"
    assert sorted(m.chat_id for m in telegram.sent) == list(CHATS), "no alert sent twice"
    assert recorded == len(CHATS)


def test_store_calls_on_the_served_event_loop_are_refused(tmp_path):
    store = Store.open(tmp_path / "pantau.db")

    async def scenario() -> tuple[int, type[Exception] | None]:
        count = await store.run(store.count_articles)
        try:
            store.count_articles()
        except OnEventLoop as exc:
            return count, type(exc)
        return count, None

    try:
        assert asyncio.run(scenario()) == (0, OnEventLoop)
        assert store.count_articles() == 0, "sync callers, with no loop running, go straight"
    finally:
        store.close()


def test_health_answers_at_once_while_a_lock_holds_the_worker(tmp_path):
    path = tmp_path / "pantau.db"
    store = queued_store(path)

    async def scenario() -> tuple[bool, bool, str, bool]:
        locker = await Locker.hold(path)
        idle = await asyncio.to_thread(store.answers, 5.0)
        writing = asyncio.create_task(store.run(store.set_paused, 1, True))
        await asyncio.sleep(0)  # the write is now the worker's, waiting for the lock
        held = await asyncio.to_thread(store.answers, 0.2)
        ended = await locker.release()
        await writing
        return idle, held, ended, await asyncio.to_thread(store.answers, 5.0)

    try:
        idle, held, ended, after = asyncio.run(scenario())
    finally:
        store.close()
    assert ended == "released when told"
    assert (idle, held, after) == (True, False, True), (
        "a held-up worker is reported, not waited for"
    )
