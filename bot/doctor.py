"""`pantau doctor`: one line per check, OK or FAIL with a hint; exit code 1 if any failed.

Checks, in order: the configuration loads; the bot token is set, well formed and accepted by
the Bot API (getMe); in webhook mode, that Telegram holds no other URL and reports no error
delivering to ours (getWebhookInfo: the proxy's mistakes show up there, nowhere else); the
database opens, is writable and fully migrated; each active source answers with a feed
(through the same guarded client as polls, a few at a time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Config, ConfigError, require_token
from bot.fetch import Fetcher, FetchError, make_client
from bot.parse import ParseError, parse_feed
from bot.store import Store, migrations


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


async def run_checks(config: Config, env: Mapping[str, str]) -> list[Check]:
    checks = [await _token(config, env)]
    if config.webhook_url and checks[0].ok:
        checks.append(await _webhook(config, require_token(env)))
    checks.append(_database(config))
    checks += await _sources(config)
    return checks


async def _webhook(config: Config, token: str) -> Check:
    from bot.telegram.app import registered_webhook

    try:
        url, error = await registered_webhook(config, token)
    except Exception as exc:  # as for the token: not getting an answer is the answer
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
    from bot.telegram.app import bot_name

    try:
        name = await bot_name(config, token)
    except Exception as exc:  # any failure to reach the Bot API is the answer
        return Check(
            "bot token",
            False,
            f"the Bot API refused it or did not answer ({exc}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL",
        )
    return Check("bot token", True, f"accepted by the Bot API as @{name}")


def _database(config: Config) -> Check:
    try:
        store = Store.open(config.database)
    except Exception as exc:  # a locked, read-only or corrupt file all end here
        return Check(
            "database",
            False,
            f"{config.database} cannot be opened ({exc}); check the path and its permissions",
        )
    try:
        pending = migrations.pending(store.db)
        store.set_meta("doctor_checked_at", datetime.now(UTC).isoformat())
    except Exception as exc:
        return Check("database", False, f"{config.database} is not writable ({exc})")
    finally:
        store.close()
    if pending:
        return Check("database", False, f"{len(pending)} migrations not applied")
    return Check("database", True, f"{config.database} writable, schema up to date")


async def _sources(config: Config) -> list[Check]:
    store = Store.open(config.database)
    sources = [s for s in store.list_sources() if s.active]
    store.close()
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

        return list(await asyncio.gather(*(check(s.id, s.name, s.url) for s in sources)))
