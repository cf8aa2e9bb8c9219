"""The permission gate: who may use each command and each button, checked once, before any
handler runs.

Who (`Who`):
- `ANYONE`: anyone, anywhere (reading: /help, /list, /search, a preview).
- `CHAT_ADMINS`: in a group or supergroup, its administrators (an anonymous admin posting as
  the group counts); in a private chat, its own user. Everything that changes a chat — its
  watches, its settings, pausing it, the buttons under its alerts and lists — is this.
- `CHANNEL_ADMINS`: as `CHAT_ADMINS`, and for `/channel @name` an administrator of that channel
  too: nobody links a channel they do not run. A channel Telegram cannot tell us about is
  refused as unknown.
- `BOT_ADMINS`: the user ids in `admins` (PANTAU_ADMINS), anywhere.

The gate runs in handler group -1, after the throttle (group -2), for messages and callback
queries alike. A refusal is one line (for a button, the toast) and stops the update
(`ApplicationHandlerStop`), so no handler runs. Commands and buttons are registered from the
same tables the gate reads (`Command.who`, `ButtonKind.who`), so neither can be added without
its rule; a button whose data does not fit its kind's pattern, or whose kind the table does not
know, is refused as stale — button data is bounded here, before any handler parses it. A
command the bot does not have is `ANYONE` (it only gets a pointer to /help).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

log = logging.getLogger(__name__)
ID = r"\d{1,15}"  # ids fit SQLite's integers; longer digit strings never reach the store
CHANNEL = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{6,16}")
ADMIN_STATUSES = ("administrator", "creator")
GROUPS = ("group", "supergroup")
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, object]]
Refusal = tuple[str, dict[str, object]]  # a catalogue key and its values
Answer = Callable[[Update, str, dict[str, object]], Awaitable[None]]


class Who(StrEnum):
    """Who may use a command or a button (see the module docstring)."""

    ANYONE = "anyone"
    CHAT_ADMINS = "chat admins"
    CHANNEL_ADMINS = "channel admins"
    BOT_ADMINS = "bot admins"


@dataclass(frozen=True)
class Command:
    """A command: its name, its menu description key, its handler and who may use it.
    `menu` False keeps it out of the public command menu (admin commands, /cancel)."""

    name: str
    description_key: str
    handler: Handler
    who: Who
    menu: bool = True


@dataclass(frozen=True)
class ButtonKind:
    """A kind of inline button: callback data `kind:…` matching `pattern` in full."""

    kind: str
    pattern: str
    handler: Handler
    who: Who


class Gate:
    """Enforces the tables of commands and buttons; `check` is the handler of group -1."""

    def __init__(
        self,
        commands: Iterable[Command],
        buttons: Iterable[ButtonKind],
        admins: frozenset[int],
        answer: Answer,
    ) -> None:
        self._commands = {command.name: command.who for command in commands}
        self._buttons = {b.kind: (re.compile(b.pattern), b.who) for b in buttons}
        self._admins = admins
        self._answer = answer

    def rule(self, command: str) -> Who:
        return self._commands.get(command, Who.ANYONE)

    async def check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let the update through, or refuse it in one line and stop it."""
        query = update.callback_query
        if query is not None:
            data = query.data or ""
            found = self._buttons.get(data.partition(":")[0])
            if found is None or not found[0].fullmatch(data):
                refusal: Refusal | None = ("button_stale", {})
            else:
                refusal = await self._verdict(found[1], update, context, "")
        else:
            message = update.message or update.edited_message  # a channel's posts: no user
            words = (message.text or "").split() if message is not None else []
            if not words or not words[0].startswith("/"):
                return
            name, _, addressee = words[0][1:].partition("@")
            if addressee and addressee.lower() != (context.bot.username or "").lower():
                return  # addressed to another bot: nobody here answers it
            argument = words[1] if len(words) > 1 else ""
            refusal = await self._verdict(self.rule(name.lower()), update, context, argument)
        if refusal is not None:
            key, values = refusal
            await self._answer(update, key, values)
            raise ApplicationHandlerStop

    async def _verdict(
        self, who: Who, update: Update, context: ContextTypes.DEFAULT_TYPE, argument: str
    ) -> Refusal | None:
        """None when the user may, else what to tell them."""
        user, chat = update.effective_user, update.effective_chat
        if who is Who.ANYONE:
            return None
        if user is None or chat is None:
            return ("not_permitted", {})
        if who is Who.BOT_ADMINS:
            return None if user.id in self._admins else ("admin_only", {})
        if chat.type == "private":
            if user.id != chat.id:
                return ("not_permitted", {})
        elif chat.type in GROUPS:
            sender = update.message.sender_chat if update.message is not None else None
            anonymous = sender is not None and sender.id == chat.id
            if not anonymous and not await _is_admin(context, chat.id, user.id):
                return ("group_admins_only", {})
        else:
            return ("not_permitted", {})
        if who is Who.CHANNEL_ADMINS and CHANNEL.fullmatch(argument):
            try:
                member = await context.bot.get_chat_member(argument, user.id)
            except TelegramError as exc:
                log.info("channel %s not checked: %s", argument, exc)
                return ("channel_unknown", {"name": argument})
            if member.status not in ADMIN_STATUSES:
                return ("channel_admins_only", {"name": argument})
        return None


async def _is_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("chat=%s user=%s not checked: %s", chat_id, user_id, exc)
        return False
    return member.status in ADMIN_STATUSES
