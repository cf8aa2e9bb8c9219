"""The `Sender` over python-telegram-bot: the one place its exceptions become Pantau's outcomes.

Classification (python-telegram-bot's hierarchy: BadRequest and TimedOut are NetworkErrors, so
they are caught first):
- RetryAfter (429) → `RetryLater`; ChatMigrated → `Moved`.
- Forbidden (403: blocked, kicked, deactivated user, not a member) → `Gone`.
- BadRequest naming a missing chat or missing rights ("chat not found", "need administrator
  rights in the channel chat", "not enough rights to send …", "group chat was deactivated")
  → `Gone`; a missing or closed forum topic ("message thread not found") → `Gone(topic_only)`;
  an edit whose text did not change ("message is not modified") → `Sent`; any other
  BadRequest (bad HTML, too long, bad button, message to edit not found) → `Rejected`.
- TimedOut, NetworkError (5xx, dropped connection), and any other TelegramError → `Transient`.
Nothing python-telegram-bot raises escapes as an exception; a bug in our own code does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.sender import (
    Attachment,
    Button,
    Gone,
    Moved,
    Outcome,
    Outgoing,
    Rejected,
    RetryLater,
    Sent,
    Transient,
)

GONE_TOPIC = ("message thread not found", "topic_closed", "topic_deleted", "topic closed")
GONE_CHAT = (
    "chat not found",
    "group chat was deactivated",
    "need administrator rights",
    "not enough rights",
    "have no rights to send",
    "chat_write_forbidden",
    "peer_id_invalid",
    "bot is not a member",
    "user is deactivated",
)
UNCHANGED = "message is not modified"


class TelegramSender:
    """Sends through python-telegram-bot's `Bot`; see the module docstring for the outcomes."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, message: Outgoing) -> Outcome:
        try:
            sent = await self._bot.send_message(
                chat_id=message.chat_id,
                text=message.html,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=not message.previews),
                reply_markup=markup(message.buttons),
                message_thread_id=message.thread_id,
            )
        except TelegramError as exc:
            return classify(exc)
        return Sent(sent.message_id)

    async def send_photo(self, message: Outgoing, photo: Attachment) -> Outcome:
        return await self._upload(self._bot.send_photo, "photo", message, photo)

    async def send_document(self, message: Outgoing, document: Attachment) -> Outcome:
        return await self._upload(self._bot.send_document, "document", message, document)

    async def _upload(
        self,
        method: Callable[..., Awaitable[Message]],
        field: str,
        message: Outgoing,
        attachment: Attachment,
    ) -> Outcome:
        """A photo or document upload (multipart), the HTML as its caption."""
        upload = InputFile(attachment.data, filename=attachment.filename)
        try:
            sent = await method(
                chat_id=message.chat_id,
                caption=message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(message.buttons),
                message_thread_id=message.thread_id,
                **{field: upload},
            )
        except TelegramError as exc:
            return classify(exc)
        return Sent(sent.message_id)

    async def edit(self, message_id: int, message: Outgoing) -> Outcome:
        try:
            await self._bot.edit_message_text(
                chat_id=message.chat_id,
                message_id=message_id,
                text=message.html,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=not message.previews),
                reply_markup=markup(message.buttons),
            )
        except TelegramError as exc:
            outcome = classify(exc)
            if isinstance(outcome, Rejected) and UNCHANGED in outcome.reason.lower():
                return Sent(message_id)
            return outcome
        return Sent(message_id)


def classify(exc: TelegramError) -> Outcome:
    """Pantau's outcome for an error python-telegram-bot raised."""
    reason = exc.message
    lowered = reason.lower()
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return RetryLater(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
    if isinstance(exc, ChatMigrated):
        return Moved(exc.new_chat_id)
    if isinstance(exc, Forbidden):
        return Gone(reason)
    if isinstance(exc, BadRequest):
        if any(marker in lowered for marker in GONE_TOPIC):
            return Gone(reason, topic_only=True)
        if any(marker in lowered for marker in GONE_CHAT):
            return Gone(reason)
        return Rejected(reason)
    return Transient(f"{type(exc).__name__}: {reason}")


def markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """python-telegram-bot's keyboard for our buttons (None for none)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, url=b.url, callback_data=b.data) for b in row]
            for row in rows
        ]
    )
