"""Parsing in a worker process: results and errors come back, a dead worker is replaced, and no
worker outlives its bot (`bot.workers`)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from bot.models import FetchResult
from bot.parse import ParseError, parse_feed
from bot.workers import WorkerLost
from tests.conftest import PARSER, eventually, start_watching


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (zombies are gone for this purpose)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_parsing_runs_in_another_process_and_its_errors_come_back():
    async def run() -> int:
        with pytest.raises(ParseError):
            await PARSER.run(
                parse_feed, FetchResult("http://x/", b"<html>no feed</html>", "", None, None)
            )
        return await PARSER.run(os.getpid)

    assert asyncio.run(run()) != os.getpid()


def test_a_worker_that_dies_fails_only_its_call_and_is_replaced():
    async def run() -> tuple[int, int]:
        first = await PARSER.run(os.getpid)
        with pytest.raises(WorkerLost):
            await PARSER.run(os._exit, 3)
        return first, await PARSER.run(os.getpid)

    first, second = asyncio.run(run())
    assert first != second and os.getpid() not in (first, second)


def test_a_killed_bot_leaves_no_parse_worker_behind(tmp_path, telegram, feeds):
    _, bot = start_watching(tmp_path, telegram, feeds, [8301], parse_processes=1)
    workers = children_of(bot.process.pid)
    assert workers, "the bot parsed its feed in a worker process"
    bot.process.send_signal(signal.SIGKILL)
    bot.process.wait(timeout=10)
    eventually(lambda: not any(alive(pid) for pid in workers), timeout=20)
