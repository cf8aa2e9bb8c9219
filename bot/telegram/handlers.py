"""Chat commands: small handlers, registered from one table that also feeds the command menu.

Rules:
- Every handler records the chat (so alerts can reach it) before answering.
- A reply confirms exactly what was stored, or says in one line what was wrong and gives an
  example that works; nothing is stored on a wrong command.
- Watches belong to the chat they were created in; a watch's query is parsed with the current
  alias table, and the reply shows how it was understood, synonyms included.
"""

from __future__ import annotations

import html
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, ConversationHandler

from bot.compose import format_time, shorten
from bot.lookup import recent_matches, stored_matches
from bot.match import Query, QueryError, build_table, parse_query
from bot.match.query import AliasTable
from bot.models import StoredArticle, Watch
from bot.store import Store
from bot.texts import CATALOGUES, language_of, text


def _next(choices: tuple[str, ...], current: str) -> str:
    """The choice after `current`, round and round."""
    return (
        choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]
    )


def _is_clock(value: str) -> bool:
    """ "HH:MM" on a 24-hour clock."""
    hours, _, minutes = value.partition(":")
    return (
        hours.isdigit()
        and minutes.isdigit()
        and int(hours) < 24
        and int(minutes) < 60
        and len(minutes) == 2
    )


FLOW_ASK, FLOW_CONFIRM = range(2)
DIGEST_MODES = ("off", "hourly", "daily")
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
DEFAULT_QUIET = "22:00-06:00"
MAX_WATCHES = 50
COMMANDS_PER_MINUTE = 20
INSTANT_RESULTS = 5
SEARCH_RESULTS = 10
ZONE_SHORTHANDS = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, object]]


@dataclass(frozen=True)
class Command:
    """A command, its menu description key and its handler."""

    name: str
    description_key: str
    handler: Handler


class Handlers:
    """The bot's commands, sharing the store."""

    def __init__(
        self,
        store: Store,
        file_aliases: list[list[str]],
        commands_per_minute: int,
        allowed: Callable[[int], Awaitable[bool]] | None = None,
    ) -> None:
        self._store = store
        self._file_aliases = file_aliases
        self._replies = Replies(store)
        self._throttle = Throttle(commands_per_minute)
        self._allowed = allowed or _anyone

    def commands(self) -> tuple[Command, ...]:
        return (
            Command("start", "cmd_start", self.start),
            Command("help", "cmd_help", self.help),
            Command("watch", "cmd_watch", self.watch),
            Command("unwatch", "cmd_unwatch", self.unwatch),
            Command("list", "cmd_list", self.list),
            Command("search", "cmd_search", self.search),
            Command("previews", "cmd_previews", self.previews),
            Command("timezone", "cmd_timezone", self.timezone),
            Command("language", "cmd_language", self.language),
            Command("settings", "cmd_settings", self.settings),
            Command("channel", "cmd_channel", self.channel),
            Command("digest", "cmd_digest", self.digest),
            Command("quiet", "cmd_quiet", self.quiet),
            Command("pause", "cmd_pause", self.pause),
            Command("resume", "cmd_resume", self.resume),
        )

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say what the bot does and how to begin."""
        await self._replies.reply(update, "start")

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        await self._replies.reply(update, "help")

    async def watch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Add a watch to this chat and show how its query was understood.

        Without a query it starts the guided flow: ask for the keywords, show how they were
        understood with a preview, then save on confirmation.
        """
        if not context.args:
            if await self._may_change_watches(update, context):
                await self._replies.reply(update, "flow_ask")
                return FLOW_ASK
            return ConversationHandler.END
        await self._add_watch(update, context, " ".join(context.args))
        return ConversationHandler.END

    async def flow_keywords(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """The guided flow's keywords: show the understanding and a preview, ask to confirm."""
        raw = (update.effective_message.text if update.effective_message else "") or ""
        try:
            query = parse_query(raw, await self._aliases())
        except QueryError as exc:
            await self._replies.reply(update, f"query_{exc.code}", **exc.details)
            return FLOW_ASK
        assert context.chat_data is not None
        context.chat_data["flow_query"] = raw
        lang = await self._replies.language(update)
        lines = [text(lang, "flow_understood", query=query.display)]
        recent = await self._recent_matches(Watch(0, 0, raw, query.display), query)
        if recent:
            lines += [text(lang, "watch_recent", count=len(recent))]
            lines += [_article_line(article) for article in recent]
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(text(lang, "flow_save"), callback_data="flow:save"),
                    InlineKeyboardButton(text(lang, "flow_cancel"), callback_data="flow:cancel"),
                ]
            ]
        )
        await send(update, "\n".join(lines), buttons)
        return FLOW_CONFIRM

    async def flow_confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Save (or not) the watch the guided flow prepared."""
        query = update.callback_query
        assert query is not None and context.chat_data is not None
        await query.answer()
        raw = context.chat_data.pop("flow_query", "")
        if query.data == "flow:save" and raw:
            await self._add_watch(update, context, raw)
        else:
            await self._replies.reply(update, "flow_cancelled")
        return ConversationHandler.END

    async def flow_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """/cancel leaves the guided flow."""
        await self._replies.reply(update, "flow_cancelled")
        return ConversationHandler.END

    async def _add_watch(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, raw: str
    ) -> None:
        try:
            query = parse_query(raw, await self._aliases())
        except QueryError as exc:
            await self._replies.reply(update, f"query_{exc.code}", **exc.details)
            return
        if not await self._may_change_watches(update, context):
            return
        chat_id = await self._record_chat(update)
        store = self._store
        if len(await store.run(store.list_watches, chat_id)) >= MAX_WATCHES:
            await self._replies.reply(update, "watch_limit", limit=MAX_WATCHES)
            return
        message = update.effective_message
        topic = message.message_thread_id if message and message.is_topic_message else None
        watch, new = await store.run(
            store.add_watch, chat_id, raw, query.display, datetime.now(UTC), topic
        )
        lang = await self._replies.language(update)
        lines = [
            text(lang, "watch_added" if new else "watch_exists", id=watch.id, query=watch.display)
        ]
        synonyms = "; ".join(f"{term} = {', '.join(others)}" for term, others in query.aliases())
        if synonyms:
            lines.append(text(lang, "watch_synonyms", synonyms=synonyms))
        recent = await self._recent_matches(watch, query)
        if recent:
            lines += ["", text(lang, "watch_recent", count=len(recent))]
            lines += [_article_line(article) for article in recent]
        await send(update, "\n".join(lines))

    async def _recent_matches(self, watch: Watch, query: Query) -> list[StoredArticle]:
        """Stored articles of the last 24 hours this watch matches, newest first (at most 5)."""
        return await recent_matches(self._store, watch, query)

    async def search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The newest stored articles that match a query (same language as /watch)."""
        try:
            query = parse_query(" ".join(context.args or []), await self._aliases())
        except QueryError as exc:
            await self._replies.reply(update, f"query_{exc.code}", **exc.details)
            return
        probe = Watch(0, 0, query.display, query.display)
        found = await stored_matches(self._store, probe, query, since=None, limit=SEARCH_RESULTS)
        lang = await self._replies.language(update)
        if not found:
            await self._replies.reply(update, "search_none", query=query.display)
            return
        lines = [text(lang, "search_header", count=len(found), query=query.display)]
        lines += [_article_line(article) for article in found]
        await send(update, "\n".join(lines))

    async def _may_change_watches(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """In a group only its administrators change watches; anyone may in a private chat."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type not in ("group", "supergroup"):
            return True
        member = await context.bot.get_chat_member(chat.id, user.id)
        if member.status in ("administrator", "creator"):
            return True
        await self._replies.reply(update, "group_admins_only")
        return False

    async def unwatch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove a watch of this chat, named by number or by its text."""
        target = " ".join(context.args or []).removeprefix("#")
        if not target:
            await self._replies.reply(update, "unwatch_usage")
            return
        if not await self._may_change_watches(update, context):
            return
        chat_id = await self._record_chat(update)
        watch_id = int(target) if target.isdigit() else None
        removed = await self._store.run(self._store.remove_watch, chat_id, watch_id, target)
        if removed is None:
            await self._replies.reply(update, "unwatch_missing", target=target)
        else:
            await self._replies.reply(update, "unwatch_done", id=removed.id, query=removed.query)

    async def list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show this chat's watches."""
        chat_id = await self._record_chat(update)
        watches = await self._store.run(self._store.list_watches, chat_id)
        if not watches:
            await self._replies.reply(update, "list_empty")
            return
        lang = await self._replies.language(update)
        lines = [text(lang, "list_header", count=len(watches))]
        lines += [
            text(lang, "list_item_muted" if w.muted else "list_item", id=w.id, query=w.display)
            for w in watches
        ]
        lines.append(text(lang, "list_footer"))
        buttons = [
            [
                InlineKeyboardButton(
                    text(lang, "unmute_button" if w.muted else "mute_button", id=w.id),
                    callback_data=f"{'unmute' if w.muted else 'mute'}:{w.id}",
                ),
                InlineKeyboardButton(
                    text(lang, "delete_button", id=w.id), callback_data=f"del:{w.id}"
                ),
                InlineKeyboardButton(text(lang, "preview_button"), callback_data=f"prev:{w.id}"),
            ]
            for w in watches
        ]
        await send(update, "\n".join(lines), InlineKeyboardMarkup(buttons))

    async def previews(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Turn link previews under this chat's alerts on or off (off by default)."""
        choice = (context.args or [""])[0].lower()
        if choice not in ("on", "off"):
            await self._replies.reply(update, "previews_usage")
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_previews, chat_id, choice == "on")
        await self._replies.reply(update, f"previews_{choice}")

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Choose the chat's language: `id` (Indonesian) or `en` (English)."""
        choice = (context.args or [""])[0].lower()
        if choice not in CATALOGUES:
            await self._replies.reply(update, "language_usage")
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_language, chat_id, choice)
        await self._replies.reply(update, "language_set")

    async def channel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Post this chat's alerts to a channel (`/channel @name`), or back here (`off`).

        The bot must be an admin of the channel allowed to post; it checks before linking.
        """
        name = (context.args or [""])[0]
        if not name:
            await self._replies.reply(update, "channel_usage")
            return
        if not await self._may_change_watches(update, context):
            return
        chat_id = await self._record_chat(update)
        if name.lower() == "off":
            await self._store.run(self._store.set_channel, chat_id, None, None)
            await self._replies.reply(update, "channel_off")
            return
        try:
            channel = await context.bot.get_chat(name)
            member = await context.bot.get_chat_member(channel.id, context.bot.id)
        except TelegramError:
            await self._replies.reply(update, "channel_unknown", name=name)
            return
        if member.status != "administrator" or not getattr(member, "can_post_messages", False):
            await self._replies.reply(update, "channel_cannot_post", name=name)
            return
        await self._store.run(self._store.set_channel, chat_id, channel.id, name)
        await self._replies.reply(update, "channel_set", name=name)

    async def settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One message with this chat's settings, changed by tapping its buttons."""
        chat_id = await self._record_chat(update)
        body, markup = await self._settings_view(chat_id)
        await send(update, body, markup)

    async def setting(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on /settings: the next value of that setting, the message edited in place."""
        query = update.callback_query
        if query is None or query.message is None or query.data is None:
            return
        chat_id = query.message.chat.id
        store = self._store
        language, chat, previews = await store.run(store.chat_settings, chat_id)
        field = query.data.removeprefix("set:")
        if field == "digest":
            await store.run(
                store.set_digest, chat_id, _next(DIGEST_MODES, chat.digest), chat.digest_at
            )
        elif field == "quiet":
            await store.run(store.set_quiet, chat_id, None if chat.quiet else DEFAULT_QUIET)
        elif field == "zone":
            zone = _next(INDONESIAN_ZONES, chat.timezone or INDONESIAN_ZONES[0])
            await store.run(store.set_timezone, chat_id, zone)
        elif field == "language":
            await store.run(store.set_language, chat_id, _next(tuple(CATALOGUES), language))
        elif field == "previews":
            await store.run(store.set_previews, chat_id, not previews)
        await query.answer()
        body, markup = await self._settings_view(chat_id)
        await query.edit_message_text(body, reply_markup=markup)

    async def _settings_view(self, chat_id: int) -> tuple[str, InlineKeyboardMarkup]:
        lang, chat, previews = await self._store.run(self._store.chat_settings, chat_id)
        on, off = text(lang, "on"), text(lang, "off")
        digest = text(lang, f"digest_mode_{chat.digest}", at=chat.digest_at)
        values = {
            "digest": digest,
            "quiet": chat.quiet or off,
            "zone": chat.timezone or INDONESIAN_ZONES[0],
            "language": lang.upper(),
            "previews": on if previews else off,
        }
        body = text(lang, "settings", **values)
        rows = [
            [
                InlineKeyboardButton(
                    text(lang, f"setting_{field}", value=value), callback_data=f"set:{field}"
                )
            ]
            for field, value in values.items()
        ]
        return body, InlineKeyboardMarkup(rows)

    async def timezone(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Set the time zone this chat sees times in: an IANA name, or WIB, WITA, WIT."""
        given = (context.args or [""])[0]
        name = ZONE_SHORTHANDS.get(given.upper(), given)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            await self._replies.reply(update, "timezone_usage", given=given)
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_timezone, chat_id, name)
        lang = await self._replies.language(update)
        await self._replies.reply(
            update,
            "timezone_set",
            zone=name,
            now=format_time(datetime.now(UTC), ZoneInfo(name), lang),
        )

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Alerts one by one (`off`), or gathered `hourly` or `daily [HH:MM]`."""
        args = [a.lower() for a in context.args or []]
        mode = args[0] if args else ""
        at = args[1] if len(args) > 1 else "07:00"
        if mode not in ("off", "hourly", "daily") or not _is_clock(at):
            await self._replies.reply(update, "digest_usage")
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_digest, chat_id, mode, at)
        await self._replies.reply(update, f"digest_{mode}", at=at)

    async def quiet(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Quiet hours (`22:00-06:00`), during which alerts wait for one digest; or `off`."""
        window = (context.args or [""])[0]
        if window.lower() == "off":
            chat_id = await self._record_chat(update)
            await self._store.run(self._store.set_quiet, chat_id, None)
            await self._replies.reply(update, "quiet_off")
            return
        start, _, end = window.partition("-")
        if not (_is_clock(start) and _is_clock(end)) or start == end:
            await self._replies.reply(update, "quiet_usage")
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_quiet, chat_id, f"{start}-{end}")
        await self._replies.reply(update, "quiet_set", start=start, end=end)

    async def pause(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop alerts until /resume; they are kept meanwhile."""
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_paused, chat_id, True)
        await self._replies.reply(update, "paused")

    async def resume(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Resume alerts; if some were missed, ask whether to get them as a digest or drop them."""
        chat_id = await self._record_chat(update)
        missed = await self._store.run(self._store.count_pending, chat_id)
        if not missed:
            await self._store.run(self._store.resume, chat_id, missed_as_digest=False)
            await self._replies.reply(update, "resumed")
            return
        lang = await self._replies.language(update)
        buttons = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(text(lang, "resume_digest"), callback_data="resume:digest")],
                [InlineKeyboardButton(text(lang, "resume_drop"), callback_data="resume:drop")],
            ]
        )
        await send(update, text(lang, "resume_ask", count=missed), buttons)

    async def resume_choice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The answer to /resume's question: the missed alerts as a digest, or dropped."""
        query = update.callback_query
        if query is None or query.message is None:
            return
        as_digest = query.data == "resume:digest"
        count = await self._store.run(
            self._store.resume, query.message.chat.id, missed_as_digest=as_digest
        )
        lang = await self._replies.language(update)
        await query.answer()
        if isinstance(query.message, Message):  # else too old to reply to; the toast did
            await query.message.reply_text(
                text(lang, "resumed_digest" if as_digest else "resumed_drop", count=count)
            )

    async def throttle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every handler: in allowlist mode a user not on the list is told so (and
        nothing else happens); a user over the command rate is answered once, then ignored."""
        user = update.effective_user
        is_command = update.message is not None and (update.message.text or "").startswith("/")
        if user is None or not (is_command or update.callback_query is not None):
            return
        if not await self._allowed(user.id):
            if self._throttle.check(user.id) == "ok":
                await self._replies.reply(update, "not_allowed", id=user.id)
            raise ApplicationHandlerStop
        verdict = self._throttle.check(user.id)
        if verdict == "ok":
            return
        if verdict == "warn":
            await self._replies.reply(update, "too_many_commands")
        raise ApplicationHandlerStop

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was removed from a group or blocked: its watches stop (they are kept)."""
        change = update.my_chat_member
        if change is not None and change.new_chat_member.status in ("left", "kicked"):
            await self._store.run(self._store.deactivate_chat, change.chat.id)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on a watch's button: under an alert ("Stop watching") or under /list (mute or
        watch again, delete with undo, preview).

        The watch must belong to the chat where the button was tapped: a stale or forged
        button changes nothing and says so.
        """
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        action, _, number = query.data.partition(":")
        lang = await self._replies.language(update)
        chat_id, watch_id = query.message.chat.id, int(number)
        store = self._store
        if action in ("mute", "unmute"):
            watch = await store.run(store.set_muted, chat_id, watch_id, action == "mute")
        elif action == "del":
            watch = await store.run(store.remove_watch, chat_id, watch_id, "")
        elif action == "undo":
            watch = await store.run(store.restore_watch, chat_id, watch_id)
        else:
            watch = await store.run(store.find_watch, chat_id, watch_id)
        if watch is None:
            await query.answer(text(lang, "button_stale"))
            return
        short = {"mute": "muted_short", "unmute": "unmuted_short"}.get(action)
        await query.answer(text(lang, short, id=watch.id) if short else None)
        if not isinstance(query.message, Message):  # too old to reply to; the toast did
            return
        if action == "prev":
            await self._preview(query.message, watch, lang)
        elif action == "del":
            undo = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            text(lang, "undo_button"), callback_data=f"undo:{watch.id}"
                        )
                    ]
                ]
            )
            await query.message.reply_text(
                text(lang, "unwatch_done", id=watch.id, query=watch.display), reply_markup=undo
            )
        else:
            key = {"mute": "muted", "unmute": "unmuted", "undo": "restored"}[action]
            await query.message.reply_text(text(lang, key, id=watch.id, query=watch.display))

    async def _preview(self, message: Message, watch: Watch, lang: str) -> None:
        """The last stored articles this watch matches (a week back at most)."""
        try:
            query = parse_query(watch.query, await self._aliases())
        except QueryError:
            return
        since = datetime.now(UTC) - timedelta(days=7)
        found = await stored_matches(self._store, watch, query, since=since, limit=INSTANT_RESULTS)
        if not found:
            await message.reply_text(text(lang, "preview_none", query=watch.display))
            return
        lines = [text(lang, "preview_header", query=watch.display)]
        lines += [_article_line(a) for a in found[:INSTANT_RESULTS]]
        await message.reply_text("\n".join(lines))

    async def _aliases(self) -> AliasTable:
        stored = await self._store.run(self._store.alias_groups)
        return build_table([*self._file_aliases, *(names for _, names in stored)])

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command the bot does not have with a pointer to /help."""
        words = (update.effective_message.text or "").split() if update.effective_message else []
        await self._replies.reply(update, "unknown_command", command=words[0] if words else "")

    async def _record_chat(self, update: Update) -> int:
        chat = update.effective_chat
        assert chat is not None
        title = chat.title or chat.full_name or ""
        language = await self._replies.language(update)
        await self._store.run(
            self._store.ensure_chat, chat.id, chat.type, language, title, datetime.now(UTC)
        )
        return chat.id


async def _anyone(user_id: int) -> bool:
    return True


def _article_line(article: StoredArticle) -> str:
    title = html.escape(shorten(article.title, 150), quote=False)
    source = html.escape(article.source_name, quote=False)
    return f'• <a href="{html.escape(article.url, quote=True)}">{title}</a> — {source}'


class Throttle:
    """At most `limit` commands a minute per user; past that one warning, then silence.

    The silence lasts until the user's oldest command of the last minute is a minute old.
    Button taps count too: a forged-button flood is just as noisy.
    """

    def __init__(
        self, limit: int = COMMANDS_PER_MINUTE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """ "ok", "warn" (first command over the limit) or "drop"."""
        now = self._clock()
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - 60:
            recent.popleft()
        if len(recent) < self._limit:
            recent.append(now)
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
        self._warned.add(user_id)
        return "warn"


class Replies:
    """Answers in the chat's language: the one chosen with /language, else the one of the
    user's Telegram app at the chat's first contact (English or Indonesian)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def language(self, update: Update) -> str:
        chat, user = update.effective_chat, update.effective_user
        chosen = None
        if chat is not None:
            chosen = await self._store.run(self._store.chat_language, chat.id)
        return chosen or language_of(user.language_code if user else None)

    async def reply(self, update: Update, key: str, **values: object) -> None:
        """Answer with one catalogue text."""
        await send(update, text(await self.language(update), key, **values))


async def send(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(message, reply_markup=markup)
