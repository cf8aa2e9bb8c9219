"""The door to Telegram as delivery sees it: what a message is, and what can come of sending it.

Delivery (`deliver`) talks to a `Sender` and never to python-telegram-bot. The one real sender
is `bot.telegram.sender.TelegramSender`, the only code that knows python-telegram-bot's
exceptions: it translates each into one of these outcomes, so alerts, digest parts, edits and
admin notices cannot disagree about an error; photos and documents (`Attachment`, with the
message's HTML as caption) are sent and classified the same way. `console` prints instead of
sending.

Outcomes (`Outcome`), and what delivery does with each:
- `Sent(message_id)`: Telegram has the message; it is recorded as sent.
- `RetryLater(seconds)`: flood control (429); that chat waits as long, the others go on.
- `Moved(chat_id)`: the group became a supergroup with this id; the chat moves there.
- `Gone(reason, topic_only)`: the chat takes no more messages from the bot (blocked, removed,
  deleted, no right to post); with `topic_only`, only the forum topic is gone and the chat
  itself still works.
- `Rejected(reason)`: this message can never be sent (bad HTML, too long, a bad button); the
  chat can still receive others.
- `Transient(reason)`: a timeout, a network or server error; tried again later with backoff
  (after a timeout the message may have arrived all the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a link (`url`) or a callback (`data`, at most 64 bytes)."""

    label: str
    url: str | None = None
    data: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to send: Telegram HTML, its inline keyboard (rows of buttons), and where."""

    chat_id: int
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    thread_id: int | None = None
    previews: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: a photo (PNG) or a document, by name."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int


@dataclass(frozen=True, slots=True)
class RetryLater:
    seconds: float


@dataclass(frozen=True, slots=True)
class Moved:
    chat_id: int


@dataclass(frozen=True, slots=True)
class Gone:
    reason: str
    topic_only: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


@dataclass(frozen=True, slots=True)
class Transient:
    reason: str


Outcome = Sent | RetryLater | Moved | Gone | Rejected | Transient


class Sender(Protocol):
    """Sends and edits messages; every failure comes back as an `Outcome`, never raised."""

    async def send(self, message: Outgoing) -> Outcome:
        """Send a new message."""
        ...

    async def edit(self, message_id: int, message: Outgoing) -> Outcome:
        """Replace the text and keyboard of a message sent before (an unchanged text is Sent)."""
        ...

    async def send_photo(self, message: Outgoing, photo: Attachment) -> Outcome:
        """Send a photo with the message's HTML as its caption (at most 1,024 characters)."""
        ...

    async def send_document(self, message: Outgoing, document: Attachment) -> Outcome:
        """Send a file with the message's HTML as its caption (at most 1,024 characters)."""
        ...
