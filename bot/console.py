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
from datetime import UTC, datetime

from bot.config import Config, read_alias_groups
from bot.match import build_table, parse_query
from bot.parse import html_to_text
from bot.sender import Attachment, Outcome, Outgoing, Sent
from bot.service import Service
from bot.store import Store

CONSOLE_CHAT = 1


class ConsoleSender:
    """The `Sender` of console mode: each message printed as plain text, never refused."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    async def send(self, message: Outgoing) -> Outcome:
        print(_plain(message.html), end="\n\n", flush=True)
        return Sent(next(self._ids))

    async def edit(self, message_id: int, message: Outgoing) -> Outcome:
        print("(updated) " + _plain(message.html), end="\n\n", flush=True)
        return Sent(message_id)

    async def send_photo(self, message: Outgoing, photo: Attachment) -> Outcome:
        return await self._attached("photo", message, photo)

    async def send_document(self, message: Outgoing, document: Attachment) -> Outcome:
        return await self._attached("document", message, document)

    async def _attached(self, kind: str, message: Outgoing, attachment: Attachment) -> Outcome:
        """The caption, and what was attached (a terminal shows no pictures)."""
        size = len(attachment.data)
        print(f"[{kind}: {attachment.filename}, {size:,} bytes]", flush=True)
        return await self.send(message)


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
    await service.start(ConsoleSender())
    await stopped.wait()
    await service.stop()
