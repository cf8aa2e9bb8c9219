"""Parsing (feeds and article pages) in a worker process, so that polling uses both cores.

Parsing is pure Python work under the GIL (feedparser, trafilatura: about half of the CPU an
article costs); on the event loop's own threads it shares one core with HTTP, matching and
storing. Moved to another process, the poller reads 1.6 times the articles a second on two
cores (`benchmarks/articles.py`: 48-49 against 27-30).

Rules:
- One `ParseWorkers` per bot, made by `Service` (as the HTTP client is) and passed to every
  poll. `processes = 0` runs the same functions on a thread of this process instead.
- The processes start on first use, spawned (forking a process that runs threads is unsafe),
  ignore SIGINT (a Ctrl-C reaches the whole process group; the bot itself decides how to stop)
  and exit within a second once their parent is gone, so a bot killed with SIGKILL leaves none
  behind.
- A worker that dies mid-call (a page that crashes the parser, the OOM killer) fails only the
  calls in flight, with `WorkerLost` (a `ParseError`: that input is not readable); the next
  call starts new workers.
- What is sent and returned is pickled: plain dataclasses (`FetchResult`, `ParsedFeed`,
  `PageText`) and the module-level functions of `bot.parse`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import ParamSpec, TypeVar

from bot.parse import ParseError

log = logging.getLogger(__name__)
PARENT_CHECK_SECONDS = 1.0
P = ParamSpec("P")
R = TypeVar("R")


class WorkerLost(ParseError):
    """The worker process died while parsing this input."""


class ParseWorkers:
    """Runs parsing functions in `processes` worker processes (see the module docstring)."""

    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        call = functools.partial(fn, *args, **kwargs)
        if self._processes == 0:
            return await asyncio.to_thread(call)
        pool = self._pool or self._start()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except BrokenExecutor as exc:
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
                log.warning("parse worker died; a new one starts with the next call")
            raise WorkerLost("the parse worker died while reading this") from exc

    def close(self) -> None:
        """Stop the workers; calls still queued are cancelled, one in flight is abandoned."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _start(self) -> ProcessPoolExecutor:
        self._pool = ProcessPoolExecutor(
            self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_serve,
            initargs=(os.getpid(),),
        )
        return self._pool


def _serve(parent: int) -> None:
    """In the worker: leave stopping to the parent, and follow it when it is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
