"""`/tren` (`/trend`) and `/laporan` (`/report`): coverage charts and reports in chat.

Rules:
- Who: `/tren` is reading, like /list and /search — anyone. `/laporan` exports everything the
  chat's watches matched as a file posted to the chat — the chat's admins (in a private chat,
  its user). The toggles for spike alerts and the weekly report are `/settings` buttons, for
  chat admins like every setting.
- `/tren <watch number or query> [7d|30d|90d]`: a number is one of this chat's watches; a query
  the chat watches (the same as understood) is that watch; any other query is counted over
  the stored articles. Several at once (`/tren 1 2`, `/tren "Korea Utara" vs "Korea
  Selatan"`, at most `MAX_SERIES`) compare them (share of voice).
- `/laporan [watch number] [7d|30d]`: one watch, or all of the chat's; the last 7 days unless
  asked.
- The chart and the CSV are outbox rows (`Store.queue_media`), sent like every other message,
  into the forum topic the command came from; a wrong command gets one line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.insights.periods import DEFAULT_PERIOD, parse_period
from bot.insights.reports import Reports
from bot.insights.trends import MAX_SERIES, Target, Trends
from bot.lexicon import Lexicons
from bot.match import QueryError, parse_query
from bot.models import Watch
from bot.store import Store
from bot.telegram.permissions import Command, Who
from bot.telegram.replies import Replies, echo
from bot.texts import text

REPORT_PERIODS = (7, 30)
DEFAULT_REPORT_PERIOD = 7
MAX_INPUT = 600
_VERSUS = re.compile(r"\s+(?:vs\.?|lawan)\s+", re.IGNORECASE)
_NUMBER = re.compile(r"#?(\d{1,15})")
_PERIOD_SHAPE = re.compile(r"\d{1,4}d", re.IGNORECASE)


def split_request(words: list[str], default_days: int) -> tuple[list[str], int]:
    """The watches or queries asked for, and the period in days (last word `7d`, `30d`, …)."""
    days = parse_period(words[-1]) if words else None
    if days is not None:
        words = words[:-1]
    elif words and _PERIOD_SHAPE.fullmatch(words[-1]):
        return [], default_days  # a period we do not offer: the usage line says which
    joined = " ".join(words)
    parts = [part.strip() for part in _VERSUS.split(joined) if part.strip()]
    if len(parts) == 1 and len(words) > 1 and all(_NUMBER.fullmatch(w) for w in words):
        parts = words
    return parts, days or default_days


class InsightCommands:
    """The coverage commands, sharing the store, the trends and the reports."""

    def __init__(
        self,
        store: Store,
        trends: Trends,
        reports: Reports,
        replies: Replies,
        lexicons: Lexicons,
    ) -> None:
        self._store = store
        self._trends = trends
        self._reports = reports
        self._replies = replies
        self._lexicons = lexicons

    def commands(self) -> tuple[Command, ...]:
        """The commands and who may use them; the English names stay out of the menu."""
        admins, anyone = Who.CHAT_ADMINS, Who.ANYONE
        return (
            Command("tren", "cmd_tren", self.trend, anyone),
            Command("trend", "cmd_tren", self.trend, anyone, menu=False),
            Command("laporan", "cmd_laporan", self.report, admins),
            Command("report", "cmd_laporan", self.report, admins, menu=False),
        )

    async def trend(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A trend chart of one watch or query, or several compared."""
        words = context.args or []
        parts, days = split_request(words, DEFAULT_PERIOD)
        if not parts or sum(len(w) for w in words) > MAX_INPUT:
            await self._replies.reply(update, "tren_usage")
            return
        if len(parts) > MAX_SERIES:
            await self._replies.reply(update, "tren_too_many", limit=MAX_SERIES)
            return
        chat_id = await self._record_chat(update)
        targets = await self._targets(update, chat_id, parts)
        if targets is None:
            return
        language, chat, _ = await self._store.run(self._store.chat_settings, chat_id)
        zone = self._trends.zone(chat.timezone)
        photo = await self._trends.photo(language, targets, self._trends.period(zone, days))
        if photo is None:
            shown = ", ".join(target.label for target in targets)
            await self._replies.reply(update, "tren_none", query=echo(shown), days=days)
            return
        store = self._store
        await store.run(
            store.queue_media,
            chat_id,
            "trend",
            photo.caption,
            ("photo", "tren.png", photo.png),
            _topic(update),
            datetime.now(UTC),
        )

    async def _targets(self, update: Update, chat_id: int, parts: list[str]) -> list[Target] | None:
        """Each part as a watch of this chat or a query; None (the user told why) if one is
        neither."""
        store = self._store
        watches = await store.run(store.list_watches, chat_id)
        by_display = {watch.display: watch for watch in watches}
        aliases = await self._lexicons.current()
        targets = []
        for part in parts:
            number = _NUMBER.fullmatch(part)
            if number:
                watch = await store.run(store.find_watch, chat_id, int(number.group(1)))
                if watch is None:
                    await self._replies.reply(update, "tren_no_watch", id=number.group(1))
                    return None
                targets.append(Target(watch.display, watch.id))
                continue
            try:
                query = parse_query(part, aliases)
            except QueryError as exc:
                await self._replies.reply(update, f"query_{exc.code}", **exc.details)
                return None
            same = by_display.get(query.display)
            targets.append(
                Target(query.display, same.id) if same else Target(query.display, query=query)
            )
        return targets

    async def report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The CSV of the articles this chat's watches (or one of them) matched, and its chart."""
        words = list(context.args or [])
        days = parse_period(words[-1]) if words else None
        if days is not None:
            words.pop()
        number = _NUMBER.fullmatch(words[0]) if len(words) == 1 else None
        if len(words) > 1 or (words and number is None) or days not in (None, *REPORT_PERIODS):
            await self._replies.reply(update, "laporan_usage")
            return
        days = days or DEFAULT_REPORT_PERIOD
        chat_id = await self._record_chat(update)
        store = self._store
        language, chat, _ = await store.run(store.chat_settings, chat_id)
        watches: list[Watch]
        if number is not None:
            found = await store.run(store.find_watch, chat_id, int(number.group(1)))
            if found is None:
                await self._replies.reply(update, "tren_no_watch", id=number.group(1))
                return
            watches, what = [found], found.display
        else:
            watches = await store.run(store.list_watches, chat_id)
            if not watches:
                await self._replies.reply(update, "list_empty")
                return
            what = text(language, "laporan_all")
        zone = self._trends.zone(chat.timezone)
        items = await self._reports.laporan(language, zone, watches, days, what)
        if not items:
            await self._replies.reply(update, "laporan_none", what=echo(what), days=days)
            return
        topic, now = _topic(update), datetime.now(UTC)

        def queue() -> None:
            with store.transaction():
                for item in items:
                    store.queue_media(chat_id, item.kind, item.caption, item.attachment, topic, now)

        await store.run(queue)

    async def _record_chat(self, update: Update) -> int:
        chat = update.effective_chat
        assert chat is not None
        language = await self._replies.language(update)
        title = chat.title or chat.full_name or ""
        now = datetime.now(UTC)
        await self._store.run(self._store.ensure_chat, chat.id, chat.type, language, title, now)
        return chat.id


def _topic(update: Update) -> int | None:
    message = update.effective_message
    return message.message_thread_id if message and message.is_topic_message else None
