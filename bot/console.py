"""`pantau run --console`: the same pipeline without Telegram, alerts printed to the terminal.

For a first look before creating a bot: the watches given with `--watch` belong to a console
chat (id `CONSOLE_CHAT`), sources and schedule are the configured ones, and each alert is
printed as plain text instead of being sent. SIGINT or SIGTERM stops it cleanly.

First run: once every active source has been polled (or `FIRST_POLLS_WAIT` has passed), the
newest stored articles of the last 24 hours that match each watch are printed, marked as recent
rather than new — what a new `/watch` shows in chat, through the same `lookup.recent_matches`
— so a newcomer sees the main job working within a minute instead of waiting for the news.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.compose import format_time
from bot.config import Config
from bot.lexicon import Lexicons
from bot.lookup import recent_matches
from bot.match import Query, parse_query
from bot.models import Watch
from bot.parse import html_to_text
from bot.sender import Attachment, Outcome, Outgoing, Sent
from bot.service import Service
from bot.store import Store

CONSOLE_CHAT = 1
FIRST_POLLS_WAIT = 60.0
POLLED_CHECK = 0.5


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
    aliases = Lexicons.from_config(store, config.aliases_file).load()
    watched = []
    for query in watches:
        parsed = parse_query(query, aliases)
        watch, _ = store.add_watch(CONSOLE_CHAT, query, parsed.display, now)
        print(f"watching #{watch.id}: {watch.display}", flush=True)
        watched.append((watch, parsed))
    asyncio.run(_serve(config, store, watched))


async def _serve(config: Config, store: Store, watched: list[tuple[Watch, Query]]) -> None:
    async def nobody(key: str, values: dict[str, object]) -> None:
        print(f"[admin notice] {key}: {values}", file=sys.stderr, flush=True)

    service = Service(config, store, nobody)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    await service.start(ConsoleSender())
    recent = asyncio.create_task(_print_recent(store, watched, config.timezone))
    await stopped.wait()
    recent.cancel()
    await service.stop()


async def _print_recent(store: Store, watched: list[tuple[Watch, Query]], zone: ZoneInfo) -> None:
    """After the first polls, each watch's newest stored matches, marked as recent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_POLLS_WAIT
    while loop.time() < deadline and not all(
        source.seeded or source.error_count
        for source in await store.run(store.list_sources)
        if source.active
    ):
        await asyncio.sleep(POLLED_CHECK)
    for watch, query in watched:
        found = await recent_matches(store, watch, query)
        if not found:
            print(f"no recent matches for #{watch.id} {watch.display} yet", flush=True)
            continue
        lines = [f"recent matches for #{watch.id} {watch.display} (already stored, not new):"]
        for article in found:
            when = (
                f", {format_time(article.published_at, zone, 'en')}" if article.published_at else ""
            )
            lines += [f"  • {article.title} — {article.source_name}{when}", f"    {article.url}"]
        print("\n".join(lines), end="\n\n", flush=True)
