"""Chat commands: small handlers, registered from one table that also feeds the command menu.

Rules:
- Every handler records the chat (so alerts can reach it) before answering.
- A reply confirms exactly what was stored, or says in one line what was wrong and gives an
  example that works; nothing is stored on a wrong command.
- Watches belong to the chat they were created in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.match import tokens
from bot.store import Store
from bot.telegram.texts import language_of, text

MAX_QUERY_LENGTH = 300
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    """A command, its menu description key and its handler."""

    name: str
    description_key: str
    handler: Handler


class Handlers:
    """The bot's commands, sharing the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def commands(self) -> tuple[Command, ...]:
        return (
            Command("start", "cmd_start", self.start),
            Command("help", "cmd_help", self.help),
            Command("watch", "cmd_watch", self.watch),
            Command("unwatch", "cmd_unwatch", self.unwatch),
            Command("list", "cmd_list", self.list),
        )

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say what the bot does and how to begin."""
        await self._reply(update, "start")

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        await self._reply(update, "help")

    async def watch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Add a watch to this chat."""
        query = " ".join(context.args or [])
        if not query:
            await self._reply(update, "watch_usage")
        elif len(query) > MAX_QUERY_LENGTH:
            await self._reply(update, "watch_too_long", length=len(query), limit=MAX_QUERY_LENGTH)
        elif not tokens(query):
            await self._reply(update, "watch_no_words", query=query)
        else:
            chat_id = self._record_chat(update)
            watch, new = self._store.add_watch(chat_id, query, datetime.now(UTC))
            key = "watch_added" if new else "watch_exists"
            await self._reply(update, key, id=watch.id, query=watch.query)

    async def unwatch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remove a watch of this chat, named by number or by its text."""
        target = " ".join(context.args or []).removeprefix("#")
        if not target:
            await self._reply(update, "unwatch_usage")
            return
        chat_id = self._record_chat(update)
        watch_id = int(target) if target.isdigit() else None
        removed = self._store.remove_watch(chat_id, watch_id, target)
        if removed is None:
            await self._reply(update, "unwatch_missing", target=target)
        else:
            await self._reply(update, "unwatch_done", id=removed.id, query=removed.query)

    async def list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show this chat's watches."""
        chat_id = self._record_chat(update)
        watches = self._store.list_watches(chat_id)
        if not watches:
            await self._reply(update, "list_empty")
            return
        language = self._language(update)
        lines = [text(language, "list_header", count=len(watches))]
        lines += [text(language, "list_item", id=w.id, query=w.query) for w in watches]
        lines.append(text(language, "list_footer"))
        await self._send(update, "\n".join(lines))

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command the bot does not have with a pointer to /help."""
        words = (update.effective_message.text or "").split() if update.effective_message else []
        await self._reply(update, "unknown_command", command=words[0] if words else "")

    def _record_chat(self, update: Update) -> int:
        chat = update.effective_chat
        assert chat is not None
        title = chat.title or chat.full_name or ""
        self._store.ensure_chat(
            chat.id, chat.type, self._language(update), title, datetime.now(UTC)
        )
        return chat.id

    def _language(self, update: Update) -> str:
        user = update.effective_user
        return language_of(user.language_code if user else None)

    async def _reply(self, update: Update, key: str, **values: object) -> None:
        await self._send(update, text(self._language(update), key, **values))

    async def _send(self, update: Update, message: str) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(message)
