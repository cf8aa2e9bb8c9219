"""`pantau doctor`: one line per check, OK, WARN or FAIL with a hint; exit code 1 if any failed.

Checks, in order: the configuration loads; the bot token is set, well formed and accepted by
the Bot API (getMe); in webhook mode, that Telegram holds no other URL and reports no error
delivering to ours (getWebhookInfo: the proxy's mistakes show up there, nowhere else); the
database opens, is writable and fully migrated; each active source answers with a feed
(through the same guarded client as polls, a few at a time).

Doctor never writes to the database it inspects (it may run beside the live bot, or be a newer
version than the bot): it opens it read-only (SQLite `mode=ro`) and only reports migrations
this version would apply (WARN: `pantau run` applies them at start). Before the first start,
when there is no database yet, the sources checked are those of the sources file.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Config, ConfigError, require_token
from bot.fetch import Fetcher, FetchError, make_client
from bot.parse import ParseError, parse_feed
from bot.sources import read_sources_file
from bot.store import Store, migrations


@dataclass(frozen=True)
class Check:
    """One line of the report; a warning is ok (exit code 0) but worth reading."""

    name: str
    ok: bool
    detail: str
    warning: bool = False

    def line(self) -> str:
        status = "WARN" if self.ok and self.warning else "OK  " if self.ok else "FAIL"
        return f"{status} {self.name}: {self.detail}"


async def run_checks(config: Config, env: Mapping[str, str]) -> list[Check]:
    checks = [await _token(config, env)]
    if config.webhook_url and checks[0].ok:
        checks.append(await _webhook(config, require_token(env)))
    checks.append(_database(config))
    checks += await _sources(config)
    return checks


async def _webhook(config: Config, token: str) -> Check:
    from bot.telegram.app import BotApiError, registered_webhook

    try:
        url, error = await registered_webhook(config, token)
    except BotApiError as exc:  # as for the token: not getting an answer is the answer
        return Check("webhook", False, f"getWebhookInfo failed ({exc})")
    if not url:
        return Check("webhook", True, "not registered yet; pantau run registers it at start")
    if url != config.webhook_url:
        return Check(
            "webhook",
            False,
            f"Telegram holds {url}, not {config.webhook_url}; is another bot running with this token?",
        )
    if error:
        return Check(
            "webhook",
            False,
            f"Telegram cannot deliver to {url}: {error}; check that the proxy forwards it to "
            f"{config.listen_address}:{config.webhook_port}",
        )
    return Check("webhook", True, f"Telegram delivers updates to {url}")


async def _token(config: Config, env: Mapping[str, str]) -> Check:
    try:
        token = require_token(env)
    except ConfigError as exc:
        return Check("bot token", False, str(exc))
    from bot.telegram.app import BotApiError, bot_name

    try:
        name = await bot_name(config, token)
    except BotApiError as exc:  # any failure to reach the Bot API is the answer; never the token
        return Check(
            "bot token",
            False,
            f"the Bot API refused it or did not answer ({exc}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL",
        )
    return Check("bot token", True, f"accepted by the Bot API as @{name}")


def _database(config: Config) -> Check:
    path = config.database
    if not path.exists():
        return Check("database", True, f"{path} does not exist yet; pantau run creates it")
    try:
        store = Store.open_read_only(path)
        try:
            pending = migrations.pending(store.db)
        finally:
            store.close()
    except sqlite3.Error as exc:  # a locked, unreadable or corrupt file all end here
        return Check(
            "database",
            False,
            f"{path} cannot be read ({exc}); check the path and its permissions",
        )
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return Check(
            "database",
            False,
            f"{path} or its folder is read-only for this user; pantau run must write to both",
        )
    if pending:
        return Check(
            "database",
            True,
            f"{path} has {len(pending)} migration(s) this version applies when pantau run "
            f"starts ({', '.join(m.name for m in pending)}); pantau backup first to be able "
            "to go back (pantau restore)",
            warning=True,
        )
    return Check("database", True, f"{path} writable, schema up to date")


def _sources_to_check(config: Config) -> list[tuple[int, str, str]]:
    """(id, name, url) of the active sources, read without writing; before the first start,
    those of the sources file, numbered as that start will number them."""
    if not config.database.exists():
        specs = read_sources_file(config.sources_file, config.default_interval)
        return [(number, spec.name, spec.url) for number, spec in enumerate(specs, start=1)]
    try:
        store = Store.open_read_only(config.database)
        try:
            return [(s.id, s.name, s.url) for s in store.list_sources() if s.active]
        finally:
            store.close()
    except (sqlite3.Error, KeyError):  # unreadable, or an older schema: the database check says
        return []


async def _sources(config: Config) -> list[Check]:
    sources = _sources_to_check(config)
    slots = asyncio.Semaphore(10)
    async with make_client(
        timeout=config.fetch_timeout,
        allow_private_networks=config.allow_private_networks,
        contact_url=config.contact_url,
    ) as client:
        fetcher = Fetcher(client, max_bytes=config.max_feed_bytes, per_host=config.max_per_host)

        async def check(source_id: int, name: str, url: str) -> Check:
            async with slots:
                try:
                    feed = parse_feed(await fetcher.feed(url, etag=None, last_modified=None))
                except (FetchError, ParseError) as exc:
                    return Check(
                        f"source {source_id} {name}",
                        False,
                        f"{exc}; see /sources or pantau sources list",
                    )
                return Check(f"source {source_id} {name}", True, f"{len(feed.articles)} items")

        return list(await asyncio.gather(*(check(*source) for source in sources)))
