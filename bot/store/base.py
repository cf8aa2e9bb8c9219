"""The store's foundation: the connection and its one worker thread, transactions, meta rows,
backup and restore, and the time conversions every aggregate uses.

Rules:
- A store holds one SQLite connection (WAL) and one worker thread. In the running bot every use
  of the connection happens on that thread: async code awaits `Store.run(method, *args)`, so
  calls are serialised without locks, and a database another process holds locked delays the
  worker, never the event loop.
- Sync callers (the CLI, doctor, tests, a function given to `run`) call methods directly, on a
  thread with no running event loop. Once `run` has served an event loop, SQL on that loop's
  thread raises `OnEventLoop`: a call that forgot `run` fails in tests, not in the field.
- A lock held by another connection is waited for up to `BUSY_TIMEOUT` seconds, so a lock
  delays rather than fails; `run_retrying` is for what must be recorded whatever the wait.
- `transaction` takes the write lock at its start (`BEGIN IMMEDIATE`), so a transaction that
  reads before it writes waits for a lock instead of failing on a stale snapshot.
- `open` migrates; `open_read_only` (for `pantau doctor`) opens with `mode=ro` and changes
  nothing, not even the schema of a database an older bot is still running on.
- Times are stored as epoch seconds UTC: `to_epoch` on the way in, `from_epoch` on the way out.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, Self, TypeVar

from sqlite_utils import Database
from sqlite_utils.db import Table

from bot.store.schema import migrations

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
BUSY_TIMEOUT = 60.0
MAX_RETRY_WAIT = 10.0
WATCHES_VERSION, ALIASES_VERSION = "watches_version", "aliases_version"


class NotABackup(Exception):
    """The file to restore is not a Pantau database; the message says what it is instead."""


class OnEventLoop(RuntimeError):
    """The store was used on the event loop's thread instead of through `Store.run`."""


def to_epoch(moment: datetime) -> float:
    return moment.timestamp()


def from_epoch(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def inserted_id(table: Table) -> int:
    """The id of the row `table` inserted last."""
    if table.last_pk is None:
        raise LookupError(f"nothing was inserted into {table.name}")
    return int(table.last_pk)


class StoreBase:
    """The connection, the worker that owns it in the running bot, and what every aggregate
    shares; the aggregates' mixins build `Store` on it."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._served: asyncio.AbstractEventLoop | None = None
        self._served_thread: int | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.db = Database(connection, tracer=self._refuse_on_loop)

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = BUSY_TIMEOUT) -> Self:
        """Open (creating folder and file) and migrate.

        The connection may cross threads: in the bot it is used only on the worker thread.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, timeout=busy_timeout)
        store = cls(connection)
        store.db.enable_wal()
        store.db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(store.db)
        return store

    @classmethod
    def open_read_only(cls, path: Path) -> Self:
        """Open an existing database to inspect it (`pantau doctor`): SQLite's `mode=ro`, no
        folder created, no migration, no WAL switch, so nothing can change the file.

        Raises `sqlite3.Error` when the file is missing or cannot be opened.
        """
        uri = f"{path.resolve().as_uri()}?mode=ro"
        return cls(sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT))

    def close(self) -> None:
        """Finish what the worker was given, then close the connection."""
        self._worker.shutdown(wait=True)
        self.db.close()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on the store's worker thread: how async code uses the store.

        `fn` is a store method, or a function of several calls that must see the database
        together (wrap them in `transaction` for all-or-nothing). Cancelling the caller does not
        stop a call already started: it finishes in the worker.
        """
        loop = asyncio.get_running_loop()
        self._served, self._served_thread = loop, threading.get_ident()
        return await loop.run_in_executor(self._worker, functools.partial(fn, *args, **kwargs))

    async def run_retrying(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Like `run`, but a database error (locked past `BUSY_TIMEOUT`, disk full) is retried
        until the call succeeds: for what must be recorded because it already happened."""
        wait = 1.0
        while True:
            try:
                return await self.run(fn, *args, **kwargs)
            except sqlite3.OperationalError as exc:
                log.warning("%s not recorded (%s); retrying in %.0fs", _name(fn), exc, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_WAIT)

    def answers(self, within: float) -> bool:
        """Whether the database answers a query within `within` seconds (for /healthz, from
        any thread but the worker); a worker held up by a lock counts as not answering."""
        try:
            return self._worker.submit(self._select_one).result(timeout=within)
        except (FutureTimeout, RuntimeError, sqlite3.Error):
            return False

    def ask(self, within: float, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on the worker thread, from a thread that is not the event loop's
        (the health endpoint's), waiting at most `within` seconds (then TimeoutError)."""
        return self._worker.submit(functools.partial(fn, *args, **kwargs)).result(timeout=within)

    def _select_one(self) -> bool:
        return bool(self.db.execute("SELECT 1").fetchone() == (1,))

    def _refuse_on_loop(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None) -> None:
        """sqlite-utils' tracer, called before every statement in the calling thread."""
        loop = self._served
        if loop is not None and threading.get_ident() == self._served_thread and loop.is_running():
            raise OnEventLoop(f"store used on the event loop, not through Store.run: {sql[:80]}")

    @classmethod
    def restore(cls, backup: Path, target: Path) -> None:
        """Replace the database at `target` with `backup`, then migrate it to this version.

        The copy goes through SQLite's backup API rather than a file copy, so WAL and journal
        files left beside `target` cannot mix old pages into the restored database.
        """
        try:
            source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise NotABackup(f"{backup} cannot be opened: {exc}") from exc
        with closing(source):
            try:
                tables = {
                    name
                    for (name,) in source.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
            except sqlite3.DatabaseError as exc:
                raise NotABackup(f"{backup} is not a SQLite database") from exc
            if not {"_sqlite_migrations", "sources", "deliveries"} <= tables:
                raise NotABackup(f"{backup} is not a Pantau database")
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT)) as live:
                source.backup(live)
        cls.open(target).close()

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite's online backup), safe while running."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as copy:
            self.db.conn.backup(copy)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several calls so that they all happen or none does (nested: a savepoint)."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        try:
            self.db.execute("COMMIT")
        except BaseException:
            self.db.rollback()
            raise

    def get_meta(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM meta WHERE key = ?", [key]))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    def _bump(self, key: str) -> None:
        """Move a version counter in `meta` (watches_version, aliases_version) on by one."""
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [key],
        )


def _name(fn: Callable[..., object]) -> str:
    return getattr(fn, "__qualname__", repr(fn))
