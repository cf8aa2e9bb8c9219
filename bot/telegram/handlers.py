"""Chat commands and buttons: small handlers, registered from two tables (`commands`,
`buttons`) that also feed the command menu and the permission gate (`permissions`).

Rules:
- Who may use what is the gate's business, decided before a handler runs; a handler only
  checks what the gate cannot: that a button's watch belongs to the chat it was tapped in.
- Every handler records the chat (so alerts can reach it) before answering.
- A reply confirms exactly what was stored, or says in one line what was wrong and gives an
  example that works; nothing is stored on a wrong command. What it echoes of the user's
  input is cut (`replies.echo`), and every input is bounded before it reaches a parser.
- Watches belong to the chat they were created in, at most `MAX_WATCHES` live ones however
  they come back (an undo counts); a watch's query is parsed with the lexicon in force
  (`bot.lexicon`: aliases and context rules, the file's and the admins'), the same one the
  live index uses, so a preview or /search lists what an alert would. The /watch reply (and
  its guided flow) shows how the query is understood (`bot.match.explain`: synonyms,
  spellings, what its occurrences are not), one line a term; /list one line a watch, cut to
  `LIST_EXPLAIN` characters.
- Matching stored articles for a preview or /search is CPU work: `lookup` does it off the
  event loop, over a bounded number of candidates.
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, ConversationHandler

from bot.compose import format_time, linked, shorten
from bot.lexicon import Lexicons
from bot.lookup import recent_matches, stored_matches
from bot.match import Lexicon, Query, QueryError, explain, parse_query
from bot.models import StoredArticle, Watch
from bot.store import Flagged, Store
from bot.telegram.feedback import Feedback
from bot.telegram.permissions import CHANNEL, ID, ButtonKind, Command, Who
from bot.telegram.replies import Replies, echo, edit, reply_to, send
from bot.texts import CATALOGUES, text

FLOW_ASK, FLOW_CONFIRM = range(2)
DIGEST_MODES = ("off", "hourly", "daily")
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
DEFAULT_QUIET = "22:00-06:00"
MAX_WATCHES = 50
LIST_PAGE = 10
COMMANDS_PER_MINUTE = 20
TRACKED_USERS = 10_000
INSTANT_RESULTS = 5
SEARCH_RESULTS = 10
ZONE_SHORTHANDS = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")
LIST_EXPLAIN = 200


def _next(choices: tuple[str, ...], current: str) -> str:
    """The choice after `current`, round and round."""
    return (
        choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]
    )


def _is_clock(value: str) -> bool:
    """ "HH:MM" on a 24-hour clock."""
    hours, _, minutes = value.partition(":")
    return (
        len(value) <= 5
        and hours.isdigit()
        and minutes.isdigit()
        and int(hours) < 24
        and int(minutes) < 60
        and len(minutes) == 2
    )


def whole_number(value: str) -> int | None:
    """A watch or page number as typed, or None (also for a number no id could be)."""
    return int(value) if re.fullmatch(ID, value) else None


class Handlers:
    """The bot's commands and buttons, sharing the store."""

    def __init__(
        self,
        store: Store,
        lexicons: Lexicons,
        commands_per_minute: int,
        allowed: Callable[[int], Awaitable[bool]] | None = None,
    ) -> None:
        self._store = store
        self._lexicons = lexicons
        self._replies = Replies(store)
        self._throttle = Throttle(commands_per_minute)
        self._allowed = allowed or _anyone
        self._feedback = Feedback(store, lexicons, self._replies)

    @property
    def replies(self) -> Replies:
        return self._replies

    @property
    def feedback(self) -> Feedback:
        return self._feedback

    def commands(self) -> tuple[Command, ...]:
        """Every chat command and who may use it (in the menu in this order)."""
        admins, anyone = Who.CHAT_ADMINS, Who.ANYONE
        return (
            Command("start", "cmd_start", self.start, anyone),
            Command("help", "cmd_help", self.help, anyone),
            Command("watch", "cmd_watch", self.watch, admins),
            Command("unwatch", "cmd_unwatch", self.unwatch, admins),
            Command("list", "cmd_list", self.list, anyone),
            Command("search", "cmd_search", self.search, anyone),
            Command("previews", "cmd_previews", self.previews, admins),
            Command("timezone", "cmd_timezone", self.timezone, admins),
            Command("language", "cmd_language", self.language, admins),
            Command("settings", "cmd_settings", self.settings, anyone),
            Command("channel", "cmd_channel", self.channel, Who.CHANNEL_ADMINS),
            Command("digest", "cmd_digest", self.digest, admins),
            Command("quiet", "cmd_quiet", self.quiet, admins),
            Command("pause", "cmd_pause", self.pause, admins),
            Command("resume", "cmd_resume", self.resume, admins),
            Command("cancel", "cmd_cancel", self.flow_cancel, anyone, menu=False),
        )

    def buttons(self) -> tuple[ButtonKind, ...]:
        """Every kind of inline button (callback data `kind:…`) and who may tap it."""
        admins = Who.CHAT_ADMINS
        return (
            ButtonKind("mute", f"mute:{ID}", self.button, admins),
            ButtonKind("unmute", f"unmute:{ID}", self.button, admins),
            ButtonKind("del", f"del:{ID}", self.button, admins),
            ButtonKind("undo", f"undo:{ID}", self.button, admins),
            ButtonKind("prev", f"prev:{ID}", self.button, Who.ANYONE),
            ButtonKind("list", r"list:\d{1,3}", self.list_page, Who.ANYONE),
            ButtonKind(
                "set",
                "set:(digest|quiet|zone|language|previews|spikes|weekly)",
                self.setting,
                admins,
            ),
            ButtonKind("resume", "resume:(digest|drop)", self.resume_choice, admins),
            ButtonKind("flow", "flow:(save|cancel)", self.flow_confirm, admins),
            *self._feedback.buttons(),
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
            await self._replies.reply(update, "flow_ask")
            return FLOW_ASK
        await self._add_watch(update, " ".join(context.args))
        return ConversationHandler.END

    async def flow_keywords(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """The guided flow's keywords: show the understanding and a preview, ask to confirm."""
        raw = (update.effective_message.text if update.effective_message else "") or ""
        try:
            query = parse_query(raw, await self._lexicons.current())
        except QueryError as exc:
            await self._replies.reply(update, f"query_{exc.code}", **exc.details)
            return FLOW_ASK
        assert context.chat_data is not None
        context.chat_data["flow_query"] = raw
        lang = await self._replies.language(update)
        lines = [text(lang, "flow_understood", query=query.display), *understood(query, lang)]
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
            await self._add_watch(update, raw)
        else:
            await self._replies.reply(update, "flow_cancelled")
        return ConversationHandler.END

    async def flow_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """/cancel leaves the guided flow (and says so outside it too)."""
        await self._replies.reply(update, "flow_cancelled")
        return ConversationHandler.END

    async def _add_watch(self, update: Update, raw: str) -> None:
        try:
            query = parse_query(raw, await self._lexicons.current())
        except QueryError as exc:
            await self._replies.reply(update, f"query_{exc.code}", **exc.details)
            return
        chat_id = await self._record_chat(update)
        message = update.effective_message
        topic = message.message_thread_id if message and message.is_topic_message else None
        store = self._store

        def add() -> tuple[Watch, bool] | None:
            with store.transaction():
                existing = store.list_watches(chat_id)
                if len(existing) >= MAX_WATCHES and query.display not in {
                    w.display for w in existing
                }:
                    return None
                return store.add_watch(chat_id, raw, query.display, datetime.now(UTC), topic)

        added = await store.run(add)
        if added is None:
            await self._replies.reply(update, "watch_limit", limit=MAX_WATCHES)
            return
        watch, new = added
        lang = await self._replies.language(update)
        lines = [
            text(lang, "watch_added" if new else "watch_exists", id=watch.id, query=watch.display)
        ]
        lines += understood(query, lang)
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
            query = parse_query(" ".join(context.args or []), await self._lexicons.current())
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

    async def unwatch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove a watch of this chat, named by number or by its text."""
        target = " ".join(context.args or []).removeprefix("#")
        if not target:
            await self._replies.reply(update, "unwatch_usage")
            return
        chat_id = await self._record_chat(update)
        removed = None
        if len(target) <= 300:
            removed = await self._store.run(
                self._store.remove_watch, chat_id, whole_number(target), target
            )
        if removed is None:
            await self._replies.reply(update, "unwatch_missing", target=echo(target))
        else:
            await self._replies.reply(update, "unwatch_done", id=removed.id, query=removed.query)

    async def list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show this chat's watches, `LIST_PAGE` at a time with their buttons."""
        chat_id = await self._record_chat(update)
        page = whole_number((context.args or ["1"])[0]) or 1
        listing = await self._listing(update, chat_id, page)
        if listing is None:
            await self._replies.reply(update, "list_empty")
            return
        await send(update, *listing)

    async def list_page(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on /list's page buttons: that page, the message edited in place."""
        query = update.callback_query
        if query is None or query.message is None or query.data is None:
            return
        await query.answer()
        listing = await self._listing(update, query.message.chat.id, int(query.data[5:]))
        if listing is not None:
            await edit(query, *listing)

    async def _listing(
        self, update: Update, chat_id: int, page: int
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        watches = await self._store.run(self._store.list_watches, chat_id)
        if not watches:
            return None
        lang = await self._replies.language(update)
        pages = (len(watches) + LIST_PAGE - 1) // LIST_PAGE
        page = min(max(page, 1), pages)
        shown = watches[(page - 1) * LIST_PAGE : page * LIST_PAGE]
        flagged, undoable = await self._feedback.listing(chat_id)
        lines = [text(lang, "list_header", count=len(watches))]
        lexicon = await self._lexicons.current()
        lines += [
            text(
                lang,
                "list_item_muted" if w.muted else "list_item",
                id=w.id,
                query=shorten(w.display, 120),
            )
            + _flag(lang, flagged.get(w.id))
            + _understood_briefly(w, lexicon, lang)
            for w in shown
        ]
        if pages > 1:
            lines.append(text(lang, "list_page", page=page, pages=pages))
        lines.append(text(lang, "list_footer"))
        rows = [
            [
                InlineKeyboardButton(
                    text(lang, "unmute_button" if w.muted else "mute_button", id=w.id),
                    callback_data=f"{'unmute' if w.muted else 'mute'}:{w.id}",
                ),
                InlineKeyboardButton(
                    text(lang, "delete_button", id=w.id), callback_data=f"del:{w.id}"
                ),
                InlineKeyboardButton(text(lang, "preview_button"), callback_data=f"prev:{w.id}"),
                *_revert_button(lang, w.id, undoable),
            ]
            for w in shown
        ]
        turns = [
            InlineKeyboardButton(text(lang, label), callback_data=f"list:{number}")
            for label, number in (("page_back", page - 1), ("page_next", page + 1))
            if 1 <= number <= pages
        ]
        if turns:
            rows.append(turns)
        return "\n".join(lines), InlineKeyboardMarkup(rows)

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

        The gate has checked that the user administers this chat and the channel; the bot
        must be an admin of the channel allowed to post, which is checked before linking.
        """
        name = (context.args or [""])[0]
        if name.lower() != "off" and not CHANNEL.fullmatch(name):
            await self._replies.reply(update, "channel_usage")
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
        chat_id = await self._record_chat(update)
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
        elif field in ("spikes", "weekly"):
            spikes, weekly = await store.run(store.coverage_settings, chat_id)
            if field == "spikes":
                await store.run(store.set_spike_alerts, chat_id, not spikes)
            else:
                await store.run(store.set_weekly_report, chat_id, not weekly)
        await query.answer()
        body, markup = await self._settings_view(chat_id)
        await edit(query, body, markup)

    async def _settings_view(self, chat_id: int) -> tuple[str, InlineKeyboardMarkup]:
        lang, chat, previews = await self._store.run(self._store.chat_settings, chat_id)
        spikes, weekly = await self._store.run(self._store.coverage_settings, chat_id)
        on, off = text(lang, "on"), text(lang, "off")
        digest = text(lang, f"digest_mode_{chat.digest}", at=chat.digest_at)
        values = {
            "digest": digest,
            "quiet": chat.quiet or off,
            "zone": chat.timezone or INDONESIAN_ZONES[0],
            "language": lang.upper(),
            "previews": on if previews else off,
            "spikes": on if spikes else off,
            "weekly": on if weekly else off,
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
            if not ZONE_NAME.fullmatch(name):
                raise ValueError(name)
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            await self._replies.reply(update, "timezone_usage", given=echo(given, 64))
            return
        chat_id = await self._record_chat(update)
        await self._store.run(self._store.set_timezone, chat_id, name)
        lang = await self._replies.language(update)
        await self._replies.reply(
            update, "timezone_set", zone=name, now=format_time(datetime.now(UTC), zone, lang)
        )

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Alerts one by one (`off`), or gathered `hourly` or `daily [HH:MM]`."""
        args = [a.lower() for a in context.args or []]
        mode = args[0] if args else ""
        at = args[1] if len(args) > 1 else "07:00"
        if mode not in DIGEST_MODES or not _is_clock(at):
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
        missed = await self._store.run(self._store.count_missed, chat_id)
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
            key = "resumed_digest" if as_digest else "resumed_drop"
            await reply_to(query.message, text(lang, key, count=count))

    async def throttle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every handler: in allowlist mode a user not on the list is told so (and
        nothing else happens); a user over the command rate is answered once, then ignored."""
        user = update.effective_user
        message = update.message or update.edited_message  # an edited command runs again
        is_command = message is not None and (message.text or "").startswith("/")
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
            await self._store.run(
                self._store.deactivate_chat, change.chat.id, change.new_chat_member.status
            )

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its settings, watches and queue move there now,
        before the next alert would find out."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        await self._store.run(self._store.migrate_chat, old, new)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on a watch's button: under an alert ("Stop watching") or under /list (mute or
        watch again, delete with undo, preview).

        The watch must belong to the chat where the button was tapped: a stale or forged
        button changes nothing and says so. An undo counts against `MAX_WATCHES`.
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

            def restore() -> Watch | str | None:
                with store.transaction():
                    if len(store.list_watches(chat_id)) >= MAX_WATCHES:
                        return "limit"
                    return store.restore_watch(chat_id, watch_id)

            restored = await store.run(restore)
            if restored == "limit":
                await query.answer(text(lang, "watch_limit", limit=MAX_WATCHES), show_alert=True)
                return
            watch = restored if isinstance(restored, Watch) else None
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
            done = text(lang, "unwatch_done", id=watch.id, query=watch.display)
            await reply_to(query.message, done, undo)
        else:
            key = {"mute": "muted", "unmute": "unmuted", "undo": "restored"}[action]
            await reply_to(query.message, text(lang, key, id=watch.id, query=watch.display))

    async def stale(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button no handler takes (a finished flow's, say): it is no longer available."""
        if update.callback_query is not None:
            lang = await self._replies.language(update)
            await update.callback_query.answer(text(lang, "button_stale"))

    async def _preview(self, message: Message, watch: Watch, lang: str) -> None:
        """The last stored articles this watch matches (a week back at most)."""
        try:
            query = parse_query(watch.query, await self._lexicons.current())
        except QueryError:
            return
        since = datetime.now(UTC) - timedelta(days=7)
        found = await stored_matches(self._store, watch, query, since=since, limit=INSTANT_RESULTS)
        if not found:
            await reply_to(message, text(lang, "preview_none", query=watch.display))
            return
        lines = [text(lang, "preview_header", query=watch.display)]
        lines += [_article_line(a) for a in found]
        await reply_to(message, "\n".join(lines))

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command the bot does not have with a pointer to /help."""
        words = (update.effective_message.text or "").split() if update.effective_message else []
        command = echo(words[0], 40) if words else ""
        await self._replies.reply(update, "unknown_command", command=command)

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


def _flag(lang: str, flagged: Flagged | None) -> str:
    """/list's mark on a watch users often flag not relevant (see `feedback`)."""
    if flagged is None:
        return ""
    return " " + text(lang, "list_flagged", flagged=flagged.flagged, sent=flagged.sent)


def _revert_button(lang: str, watch_id: int, undoable: set[int]) -> list[InlineKeyboardButton]:
    """Undo of the watch's last one-tap fix, when it has one."""
    if watch_id not in undoable:
        return []
    label = text(lang, "revert_button", id=watch_id)
    return [InlineKeyboardButton(label, callback_data=f"revert:{watch_id}")]


def understood(query: Query, lang: str) -> list[str]:
    """How each term of the query is understood, one line each (already escaped)."""
    return [f"↳ {line}" for line in explain(query, lang)]


def _understood_briefly(watch: Watch, lexicon: Lexicon, lang: str) -> str:
    """The same for /list: one line under the watch, cut to `LIST_EXPLAIN` characters."""
    try:
        lines = explain(parse_query(watch.query, lexicon), lang)
    except QueryError:
        return ""
    if not lines:
        return ""
    plain = " · ".join(html.unescape(line) for line in lines)
    return "\n↳ " + html.escape(shorten(plain, LIST_EXPLAIN), quote=False)


def _article_line(article: StoredArticle) -> str:
    title = html.escape(shorten(article.title, 150), quote=False)
    source = html.escape(shorten(article.source_name, 60), quote=False)
    return f"• {linked(article.url, title)} — {source}"


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
        if len(self._recent) > TRACKED_USERS:
            self._forget_quiet_users(now)
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

    def _forget_quiet_users(self, now: float) -> None:
        """Users silent for a minute are forgotten, so that memory follows the active ones."""
        quiet = [user for user, times in self._recent.items() if not times or times[-1] <= now - 60]
        for user in quiet:
            del self._recent[user]
            self._warned.discard(user)
