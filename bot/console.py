"""`pantau run --console`: the same pipeline without Telegram, alerts printed to the terminal.

For a first look before creating a bot: the watches given with `--watch` belong to a console
chat (id `CONSOLE_CHAT`), sources and schedule are the configured ones, and each alert is
printed as plain text instead of being sent. SIGINT or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.config import Config, read_alias_groups
from bot.match import build_table, parse_query
from bot.parse import html_to_text
from bot.service import Service
from bot.store import Store

CONSOLE_CHAT = 1


@dataclass(frozen=True)
class Printed:
    message_id: int


class ConsoleBot:
    """Stands in for python-telegram-bot's Bot where the deliverer sends and edits."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> Printed:
        print(_plain(text), end="\n\n", flush=True)
        return Printed(next(self._ids))

    async def edit_message_text(self, text: str, **_: Any) -> Printed:
        print("(updated) " + _plain(text), end="\n\n", flush=True)
        return Printed(0)


def _plain(markup: str) -> str:
    return "\n".join(html_to_text(line) for line in markup.splitlines())


def run_console(config: Config, store: Store, watches: list[str]) -> None:
    """Watch these queries and print alerts until stopped."""
    now = datetime.now(UTC)
    store.ensure_chat(CONSOLE_CHAT, "private", "id", "console", now)
    aliases = build_table(read_alias_groups(config.aliases_file))
    for query in watches:
        parsed = parse_query(query, aliases)
        watch, _ = store.add_watch(CONSOLE_CHAT, query, parsed.display, now)
        print(f"watching #{watch.id}: {watch.display}", flush=True)
    asyncio.run(_serve(config, store))


async def _serve(config: Config, store: Store) -> None:
    async def nobody(key: str, values: dict[str, object]) -> None:
        print(f"[admin notice] {key}: {values}", file=sys.stderr, flush=True)

    service = Service(config, store, nobody)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    await service.start(ConsoleBot())  # type: ignore[arg-type]
    await stopped.wait()
    await service.stop()
