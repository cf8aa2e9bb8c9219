"""Admin commands: the source list, the alias table and the context rules, from chat.

Rules:
- Every command is `Who.BOT_ADMINS`: the permission gate lets only the ids in `admins` through;
  anyone else gets one polite line and nothing changes.
- Numbers (source ids, pages, user ids) are at most 15 digits before they reach the store.
- `/addsource` checks before it saves: the URL (or `gnews:"query"`) is resolved to a working
  feed through discovery, and the reply shows the feed's title and newest headlines.
- `/sources` lists every source with its state, last success, items in the last 24 h and its
  errors, `PAGE_SIZE` a page; `/sources 2` shows the second page.
- `/stats` counts "today" from midnight in the bot's time zone; uptime is since this process
  built its handlers; the not-relevant rates are `feedback`'s.
- `/konteks` (`/context`) lists, adds and removes context rules (kinds in `bot.lexicon`):
  `bukan AS Roma` (a longer name in which a synonym is something else), `ejaan Cina = China`
  (single-word spellings of one word), `tokoh Prabowo Subianto` (a known person: the bare name
  fires only as them), `hapus 3`; the English words `not`, `spelling`, `person`, `remove` too.
  A rule is checked before it is stored: bounded (`MAX_CONTEXT_RULES` in all, lengths below),
  readable by the context rules, and a name or person must contain a synonym (else it would
  change nothing). The live index follows at once (`aliases_version`). The list shows
  `RULES_PAGE` rules a page (`/konteks 2`).
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.compose import format_time
from bot.config import ConfigError, format_duration, parse_duration
from bot.discover import Discovered, DiscoveryError
from bot.lexicon import NAME, PERSON, VARIANT, Lexicons, rule_rules
from bot.match import Lexicon, RuleError
from bot.models import Source
from bot.sources import GNEWS_PREFIX, make_spec
from bot.store import DuplicateSource, Store
from bot.telegram.feedback import stats_lines
from bot.telegram.handlers import whole_number
from bot.telegram.permissions import Command, Who
from bot.telegram.replies import Replies, echo, send
from bot.texts import text

PAGE_SIZE = 10
MAX_ALIAS_NAMES = 20
MAX_ALIAS_NAME = 100
MAX_CONTEXT_RULES = 200
MAX_RULE_TEXT = 100  # characters of what follows the rule's kind
MAX_NAME_WORDS = 8  # words of a longer name ("Islamic State of Iraq and Syria")
MAX_PERSON_WORDS = 5
MAX_SPELLINGS = 6
RULES_PAGE = 30
KIND_WORDS = {
    "bukan": NAME,
    "not": NAME,
    "ejaan": VARIANT,
    "spelling": VARIANT,
    "tokoh": PERSON,
    "person": PERSON,
}
REMOVE_WORDS = ("hapus", "remove")
QUOTES = "\"'“”‘’"
Discover = Callable[[str], Awaitable[Discovered]]


class AdminCommands:
    """Source and alias management (for the bot's admins: see `commands`)."""

    def __init__(
        self,
        store: Store,
        discover: Discover,
        default_interval: float,
        zone: ZoneInfo,
        article_backlog: Callable[[], int],
        lexicons: Lexicons,
    ) -> None:
        self._article_backlog = article_backlog
        self._lexicons = lexicons
        self._store = store
        self._discover = discover
        self._default_interval = default_interval
        self._zone = zone
        self._replies = Replies(store)
        self._started = datetime.now(UTC)

    def commands(self) -> tuple[Command, ...]:
        """Kept out of the public command menu."""
        return tuple(
            Command(name, key, _with_args(handler), Who.BOT_ADMINS, menu=False)
            for name, key, handler in (
                ("sources", "sources_usage", self.sources),
                ("addsource", "addsource_usage", self.addsource),
                ("removesource", "source_id_usage", self.removesource),
                ("pausesource", "source_id_usage", self.pausesource),
                ("resumesource", "source_id_usage", self.resumesource),
                ("interval", "interval_usage", self.interval),
                ("alias", "alias_usage", self.alias),
                ("konteks", "konteks_usage", self.context),
                ("context", "konteks_usage", self.context),
                ("allow", "allow_usage", self.allow),
                ("stats", "stats_usage", self.stats),
            )
        )

    async def sources(self, update: Update, args: list[str]) -> None:
        """List the sources, a page at a time."""
        sources = await self._store.run(self._store.list_sources)
        if not sources:
            await self._replies.reply(update, "sources_empty")
            return
        pages = (len(sources) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max((whole_number(args[0]) if args else None) or 1, 1), pages)
        day_ago = datetime.now(UTC) - timedelta(hours=24)
        counts = await self._store.run(self._store.items_since, day_ago)
        lang = await self._replies.language(update)
        shown = sources[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        lines = [text(lang, "sources_header", count=len(sources), page=page, pages=pages)]
        lines += [self._describe(lang, source, counts.get(source.id, 0)) for source in shown]
        if page < pages:
            lines.append(text(lang, "sources_next", next=page + 1))
        await send(update, "\n\n".join(lines))

    def _describe(self, lang: str, source: Source, items: int) -> str:
        every = source.effective_interval if source.adaptive else source.interval
        last = (
            format_time(source.last_success_at, self._zone, lang)
            if source.last_success_at
            else text(lang, "never")
        )
        described = text(
            lang,
            "source_line",
            id=source.id,
            name=source.name,
            state=text(lang, f"state_{source.state}"),
            every=format_duration(round(every)) + (" (auto)" if source.adaptive else ""),
            last=last,
            items=items,
            url=source.url,
        )
        if source.error_count:
            described += "\n" + text(
                lang, "source_errors", count=source.error_count, error=source.last_error or ""
            )
        return described

    async def stats(self, update: Update, args: list[str]) -> None:
        """Sources, today's articles and alerts, the queue, uptime and database size."""
        now = datetime.now(UTC)
        midnight = now.astimezone(self._zone).replace(hour=0, minute=0, second=0, microsecond=0)
        figures = await self._store.run(self._store.stats, midnight)
        lang = await self._replies.language(update)
        await send(
            update,
            text(
                lang,
                "stats",
                active=figures.sources_active,
                failing=figures.sources_failing,
                paused=figures.sources_paused,
                articles=figures.articles_today,
                sent=figures.alerts_sent_today,
                failed=figures.alerts_failed_today,
                queued=figures.queued,
                held=figures.held,
                pages=self._article_backlog(),
                started=format_time(self._started, self._zone, lang),
                uptime=_span((now - self._started).total_seconds()),
                size=_megabytes(figures.database_bytes),
            )
            + "\n"
            + "\n".join(await stats_lines(self._store, lang)),
        )

    async def addsource(self, update: Update, args: list[str]) -> None:
        """Find, check and save a feed: `/addsource <url or gnews:"query"> [name]`."""
        if not args:
            await self._replies.reply(update, "addsource_usage")
            return
        target, name = _target_and_name(args)
        try:
            spec = make_spec(target, name, None, self._default_interval)
        except ConfigError:
            await self._replies.reply(update, "addsource_bad_url", url=echo(target))
            return
        try:
            found = await self._discover(spec.url)
        except DiscoveryError as exc:
            await self._replies.reply(
                update, f"addsource_{exc.code}", url=echo(target), detail=echo(exc.detail, 300)
            )
            return
        chosen = name or (spec.name if target.startswith(GNEWS_PREFIX) else found.title)
        spec = replace(spec, url=found.url, name=chosen)
        try:
            source = await self._store.run(self._store.add_source, spec, datetime.now(UTC))
        except DuplicateSource:
            await self._replies.reply(update, "addsource_duplicate", url=found.url)
            return
        lang = await self._replies.language(update)
        lines = [text(lang, "addsource_done", id=source.id, name=source.name, url=source.url)]
        lines += [f"• {html.escape(headline, quote=False)}" for headline in found.headlines]
        await send(update, "\n".join(lines))

    async def removesource(self, update: Update, args: list[str]) -> None:
        """Delete a source (its stored articles stay)."""
        source_id = await self._source_id(update, args)
        if source_id is not None:
            removed = await self._store.run(self._store.remove_source, source_id)
            await self._replies.reply(
                update, "source_removed" if removed else "source_missing", id=source_id
            )

    async def pausesource(self, update: Update, args: list[str]) -> None:
        """Stop polling a source until it is resumed."""
        await self._set_active(update, args, active=False)

    async def resumesource(self, update: Update, args: list[str]) -> None:
        """Poll a paused source again, at once."""
        await self._set_active(update, args, active=True)

    async def _set_active(self, update: Update, args: list[str], *, active: bool) -> None:
        source_id = await self._source_id(update, args)
        if source_id is not None:
            done = await self._store.run(
                self._store.set_source_active, source_id, active, datetime.now(UTC)
            )
            key = ("source_resumed" if active else "source_paused") if done else "source_missing"
            await self._replies.reply(update, key, id=source_id)

    async def interval(self, update: Update, args: list[str]) -> None:
        """Set a source's interval (`/interval 3 5m`) or let it adapt (`/interval 3 auto`)."""
        source_id = whole_number(args[0]) if len(args) == 2 else None
        if source_id is None or len(args[1]) > 20:
            await self._replies.reply(update, "interval_usage")
            return
        value = args[1].lower()
        try:
            seconds = None if value == "auto" else parse_duration(value)
        except ConfigError:
            await self._replies.reply(update, "interval_usage")
            return
        if not await self._store.run(self._store.set_source_interval, source_id, seconds):
            await self._replies.reply(update, "source_missing", id=source_id)
        elif seconds is None:
            await self._replies.reply(update, "interval_auto", id=source_id)
        else:
            await self._replies.reply(
                update, "interval_set", id=source_id, every=format_duration(seconds)
            )

    async def _source_id(self, update: Update, args: list[str]) -> int | None:
        source_id = whole_number(args[0]) if len(args) == 1 else None
        if source_id is None:
            await self._replies.reply(update, "source_id_usage")
        return source_id

    async def allow(self, update: Update, args: list[str]) -> None:
        """Let a user use the bot in allowlist mode: `/allow 12345`."""
        user_id = whole_number(args[0]) if len(args) == 1 else None
        if user_id is None:
            await self._replies.reply(update, "allow_usage")
            return
        admin = update.effective_user
        assert admin is not None
        await self._store.run(self._store.allow_user, user_id, admin.id, datetime.now(UTC))
        await self._replies.reply(update, "allowed", id=user_id)

    async def alias(self, update: Update, args: list[str]) -> None:
        """List, add (`/alias A = B, C`) or remove (`/alias hapus 3`) synonym groups."""
        user = update.effective_user
        assert user is not None
        if not args:
            await self._list_aliases(update)
        elif args[0].lower() in ("hapus", "remove") and len(args) == 2:
            group_id = whole_number(args[1])
            removed = group_id is not None and await self._store.run(
                self._store.remove_alias_group, group_id
            )
            await self._replies.reply(
                update, "alias_removed" if removed else "alias_missing", id=echo(args[1], 20)
            )
        else:
            names = [n.strip() for n in " ".join(args).replace("=", ",").split(",") if n.strip()]
            if not 2 <= len(names) <= MAX_ALIAS_NAMES or max(map(len, names)) > MAX_ALIAS_NAME:
                await self._replies.reply(update, "alias_usage")
                return
            group_id = await self._store.run(
                self._store.add_alias_group, names, user.id, datetime.now(UTC)
            )
            await self._replies.reply(update, "alias_added", id=group_id, names=" = ".join(names))

    async def _list_aliases(self, update: Update) -> None:
        groups = await self._store.run(self._store.alias_groups)
        lang = await self._replies.language(update)
        lines = [text(lang, "alias_list_header" if groups else "alias_list_empty")]
        lines += [text(lang, "alias_item", id=i, names=" = ".join(names)) for i, names in groups]
        lines.append(text(lang, "alias_usage"))
        await send(update, "\n".join(lines))

    async def context(self, update: Update, args: list[str]) -> None:
        """List, add (`/konteks bukan AS Roma`, `ejaan Cina = China`, `tokoh Prabowo
        Subianto`) or remove (`/konteks hapus 3`) context rules."""
        user = update.effective_user
        assert user is not None
        page = whole_number(args[0]) if len(args) == 1 else None
        if not args or page is not None:
            await self._list_rules(update, page or 1)
            return
        if args[0].lower() in REMOVE_WORDS and len(args) == 2:
            rule_id = whole_number(args[1])
            removed = rule_id is not None and await self._store.run(
                self._store.remove_context_rule, rule_id
            )
            await self._replies.reply(
                update, "konteks_removed" if removed else "konteks_missing", id=echo(args[1], 20)
            )
            return
        kind, rest = KIND_WORDS.get(args[0].lower()), " ".join(args[1:])
        if kind is None or not rest:
            await self._replies.reply(update, "konteks_usage")
            return
        if len(rest) > MAX_RULE_TEXT:
            await self._replies.reply(
                update, "konteks_too_long", length=len(rest), limit=MAX_RULE_TEXT
            )
            return
        words = _rule_words(kind, rest)
        problem = _rule_problem(kind, words, await self._lexicons.current())
        if problem is not None:
            await self._replies.reply(update, problem, given=echo(rest))
            return
        store, now = self._store, datetime.now(UTC)

        def add() -> tuple[int, bool] | None:
            with store.transaction():
                if len(store.context_rules()) >= MAX_CONTEXT_RULES:
                    return None
                return store.add_context_rule(kind, words, user.id, now)

        added = await store.run(add)
        if added is None:
            await self._replies.reply(update, "konteks_limit", limit=MAX_CONTEXT_RULES)
            return
        rule_id, new = added
        lang = await self._replies.language(update)
        await send(
            update,
            text(
                lang,
                "konteks_added" if new else "konteks_exists",
                id=rule_id,
                rule=describe_rule(lang, kind, words),
            ),
        )

    async def _list_rules(self, update: Update, page: int) -> None:
        """The stored rules, `RULES_PAGE` a page, then how to add and remove one."""
        rules = await self._store.run(self._store.context_rules)
        lang = await self._replies.language(update)
        pages = max((len(rules) + RULES_PAGE - 1) // RULES_PAGE, 1)
        page = min(max(page, 1), pages)
        lines = [
            text(lang, "konteks_list_header", count=len(rules), page=page, pages=pages)
            if rules
            else text(lang, "konteks_list_empty")
        ]
        lines += [
            text(lang, "konteks_item", id=i, rule=describe_rule(lang, kind, words))
            for i, kind, words in rules[(page - 1) * RULES_PAGE : page * RULES_PAGE]
        ]
        if page < pages:
            lines.append(text(lang, "konteks_next", next=page + 1))
        lines.append(text(lang, "konteks_help"))
        await send(update, "\n".join(lines))


def _rule_words(kind: str, rest: str) -> list[str]:
    """What follows the kind: the spellings of a variant, else one name (quotes dropped)."""
    if kind == VARIANT:
        return [w.strip() for w in rest.replace("=", ",").split(",") if w.strip()]
    return [" ".join(rest.strip(QUOTES).split())]


def _rule_problem(kind: str, words: list[str], lexicon: Lexicon) -> str | None:
    """The catalogue key of what is wrong with a rule, or None when it can be stored."""
    try:
        rule_rules(kind, words)
    except RuleError:
        return f"konteks_{kind}_usage"
    if kind == VARIANT:
        return None if len(words) <= MAX_SPELLINGS else f"konteks_{kind}_usage"
    key = lexicon.key(words[0])
    if kind == NAME:
        if not 2 <= len(key) <= MAX_NAME_WORDS:
            return "konteks_name_usage"
        inside = (
            key[start:end]
            for start in range(len(key))
            for end in range(start + 1, len(key) + 1)
            if end - start < len(key)
        )
        return None if any(part in lexicon for part in inside) else "konteks_no_synonym"
    if not 2 <= len(key) <= MAX_PERSON_WORDS:
        return "konteks_person_usage"
    return None if any((word,) in lexicon for word in key) else "konteks_no_synonym"


def describe_rule(language: str, kind: str, words: list[str]) -> str:
    """A stored rule as it is typed ("bukan AS Roma"); plain text, escaped where filled in."""
    return f"{text(language, f'konteks_kind_{kind}')} {' = '.join(words)}"


def _target_and_name(args: list[str]) -> tuple[str, str | None]:
    """A URL then an optional name; a Google News search is the whole rest of the line (it may
    hold spaces, quotes and OR: `gnews:"Kim Jong Un" OR Putin`), a name only after " | "."""
    joined = " ".join(args)
    if joined.startswith(GNEWS_PREFIX):
        query, _, name = joined.partition(" | ")
        return query.strip(), name.strip() or None
    return args[0], " ".join(args[1:]) or None


def _span(seconds: float) -> str:
    """Uptime as days, hours and minutes ("2d 3h 5m"), the units readable in both languages."""
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if days or hours else []
    return " ".join([*parts, f"{minutes}m"])


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _with_args(
    handler: Callable[[Update, list[str]], Awaitable[None]],
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await handler(update, list(context.args or []))

    run.__doc__ = handler.__doc__
    return run
