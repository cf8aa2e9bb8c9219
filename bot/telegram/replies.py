"""Replies to users: in the chat's language, and always within Telegram's length limit.

Rules:
- The language is the one chosen with /language, else the one of the user's Telegram app at
  the chat's first contact (English or Indonesian).
- Whatever a reply echoes of the user's input is cut where it is filled in (`ECHO_BUDGET`);
  `fit` is the last guard: a reply still over Telegram's limit (UTF-16 code units of the shown
  text) loses whole lines from its end, marked "…", so it is sent rather than refused.
- A refusal of the permission gate answers a button with a toast, a command with a line.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.compose import shorten
from bot.store import Store
from bot.texts import MESSAGE_LIMIT, language_of, telegram_length, text

ECHO_BUDGET = 100
MORE = "…"


class Replies:
    """Answers in the chat's language."""

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

    async def answer(self, update: Update, key: str, values: dict[str, object]) -> None:
        """Answer a button with a toast, a message with a reply."""
        query = update.callback_query
        if query is None:
            await self.reply(update, key, **values)
            return
        await query.answer(text(await self.language(update), key, **values))


def echo(value: str, budget: int = ECHO_BUDGET) -> str:
    """What a reply shows of something the user typed: cut to `budget` characters."""
    return shorten(value, budget)


def fit(markup: str, limit: int = MESSAGE_LIMIT) -> str:
    """The reply within Telegram's limit: whole lines dropped from the end, marked "…"."""
    if telegram_length(markup) <= limit:
        return markup
    lines = markup.split("\n")
    while len(lines) > 1 and telegram_length("\n".join([*lines, MORE])) > limit:
        lines.pop()
    kept = "\n".join([*lines, MORE])
    return kept if telegram_length(kept) <= limit else MORE


async def send(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(fit(message), reply_markup=markup)
