"""Deliver: drain the outbox to Telegram, never dropping an alert silently.

Rules:
- A delivery is marked sent only after Telegram returned the message; a crash before that
  leaves it pending, so it is sent again on the next start. Sends are one at a time, so at
  most one message — the one in flight at the crash — can arrive twice.
- Once Telegram confirmed a message, recording it is retried until the database takes it
  (`Store.run_retrying`): a locked database delays delivery, it never sends an alert twice.
  All database work runs on the store's worker thread, never on the event loop.
- Telegram's limits are kept by `pacing` before sending, so a 429 is an exception, not the
  way the rate is found.
- Telegram errors, in the order they must be caught (BadRequest and TimedOut are
  NetworkErrors):
  - Forbidden (bot blocked, removed from the group): the chat is marked inactive, the delivery
    failed; no further alerts are queued for it.
  - RetryAfter: that chat waits the time Telegram asked for; the other chats go on.
  - ChatMigrated (a group became a supergroup): the chat, its watches and its queued alerts
    move to the new id, and the alert is sent there.
  - BadRequest: this message can never be sent; failed, logged with its id, the queue goes on.
  - TimedOut, NetworkError, anything else from Telegram: retried with exponential backoff.
- Before an alert goes out alone, `digest.route` may hold it for a digest (digest mode, quiet
  hours, more than `storm_limit` alerts in the past hour); held alerts go out as one digest
  message when `digest.digest_due` says so. Paused chats get nothing until /resume.
- A sent alert whose story another outlet reported is edited in place (`edit_pending`); an
  edit Telegram refuses is logged and dropped (the alert itself was delivered).
- `stop` ends delivery for a shutdown: the message in flight finishes (or, past the deadline,
  is cancelled and stays pending, so it is sent again on the next start); nothing new starts.
- This is the delivery edge: it may import python-telegram-bot's errors, and gets the bot from
  the telegram package.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.compose import button_labels, format_alert, shorten
from bot.digest import ChatPolicy, DigestItem, digest_due, digest_messages, parse_clock, route
from bot.health import ALERTS_FAILED, ALERTS_SENT, TOO_MANY
from bot.models import Alert, Delivery
from bot.pacing import Pacer
from bot.store import Store

log = logging.getLogger(__name__)
Sender = Bot  # what alerts go out through; other stages name it without importing the library
MAX_RETRY_DELAY = timedelta(minutes=10)
DRAIN_BUDGET = 0.9  # under the scheduler's 1 s tick, so drains never overlap
MAX_MUTE_BUTTONS = 3
BUTTON_TEXT_BUDGET = 60


class Deliverer:
    """Sends due outbox rows, oldest first per chat, within Telegram's limits (see `pacing`)."""

    def __init__(
        self,
        store: Store,
        bot: Bot,
        zone: ZoneInfo,
        *,
        storm_limit: int = 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._bot = bot
        self._zone = zone
        self._storm_limit = storm_limit
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pacer = Pacer(time.monotonic)
        self._stopping = False
        self._draining: asyncio.Task[object] | None = None

    async def drain(self, budget: float = DRAIN_BUDGET) -> int:
        """Send what may be sent now, then edit what changed; return how many were sent.

        A chat that must wait does not hold up the others; the drain ends when nothing more
        may go out within `budget` seconds, and the next drain picks up the rest. Concurrent
        calls wait their turn.
        """
        async with self._lock:
            self._draining = asyncio.current_task()
            try:
                return await self._drain(time.monotonic() + budget)
            finally:
                self._draining = None

    async def stop(self, timeout: float) -> None:
        """Let the message in flight finish, waiting at most `timeout` seconds, then send no more.

        Stopping between messages, not mid-request, is what keeps a shutdown from sending an
        alert twice; a request still hanging at the deadline is cancelled and stays pending.
        """
        self._stopping = True
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout)
        except TimeoutError:
            if self._draining is not None:
                self._draining.cancel()
                log.warning(
                    "delivery stopped mid-send after %.0f s; it is retried on start", timeout
                )
            # Drains queued behind the cancelled one see `_stopping` and return at once.
            await self._lock.acquire()
        self._lock.release()

    async def _drain(self, deadline: float) -> int:
        sent = 0
        while not self._stopping and time.monotonic() < deadline:
            due = await self._store.run(self._store.due_deliveries, datetime.now(UTC), limit=500)
            ready = self._ready(due)
            if not ready:
                wait = min((self._pacer.chat_wait(d.alert.target) for d in due), default=None)
                if wait is None or time.monotonic() + wait >= deadline:
                    break
                await asyncio.sleep(wait)
                continue
            for delivery in ready:
                if self._stopping:
                    return sent
                await asyncio.sleep(self._pacer.overall_wait())
                outcome = await self._send(delivery)
                sent += outcome == "sent"
        for delivery in await self._store.run(self._store.due_edits):
            if self._stopping:
                return sent
            await asyncio.sleep(self._pacer.overall_wait())
            await self._edit(delivery)
        for chat_id, held in (await self._store.run(self._store.held)).items():
            if self._stopping:
                return sent
            if self._pacer.chat_wait(held[0].alert.target) == 0 and self._digest_due(held):
                await asyncio.sleep(self._pacer.overall_wait())
                sent += await self._send_digest(chat_id, held)
        return sent

    def _policy(self, delivery: Delivery) -> ChatPolicy:
        chat = delivery.chat
        quiet = None
        if chat.quiet:
            start, _, end = chat.quiet.partition("-")
            quiet = (parse_clock(start), parse_clock(end))
        zone = ZoneInfo(chat.timezone) if chat.timezone else self._zone
        return ChatPolicy(zone, chat.digest, parse_clock(chat.digest_at), quiet, chat.paused)

    def _digest_due(self, held: list[Delivery]) -> bool:
        oldest = min(d.created_at or self._clock() for d in held)
        reasons = {d.held_reason for d in held}
        return digest_due(self._policy(held[0]), self._clock(), oldest, reasons)

    async def _send_digest(self, chat_id: int, held: list[Delivery]) -> int:
        """One digest for the chat's held alerts; all marked sent once Telegram has it all."""
        policy = self._policy(held[0])
        items = [
            DigestItem(
                d.alert.watches,
                d.alert.article.title,
                d.alert.article.url,
                d.alert.article.source_name,
                d.alert.article.published_at,
                d.held_reason,
            )
            for d in held
        ]
        first_id = None
        try:
            for text in digest_messages(items, policy.zone, held[0].alert.language):
                target = held[0].alert.target
                await asyncio.sleep(max(self._pacer.chat_wait(target), self._pacer.overall_wait()))
                message = await self._bot.send_message(
                    chat_id=held[0].alert.target,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                self._pacer.sent(target)
                first_id = first_id or message.message_id
        except Forbidden as exc:
            log.info("chat=%s unreachable (%s): digest dropped with the chat", chat_id, exc.message)
            await self._store.run(self._store.deactivate_chat, chat_id)
            return 0
        except RetryAfter as exc:
            self._pacer.hold(held[0].alert.target, _seconds(exc.retry_after))
            return 0
        except TelegramError as exc:
            log.warning("chat=%s digest failed (%s); it is sent again later", chat_id, exc.message)
            return 0
        await self._store.run_retrying(
            self._store.mark_digest_sent, [d.id for d in held], first_id or 0, self._clock()
        )
        log.info("chat=%s digest of %d alerts sent", chat_id, len(held))
        return len(held)

    def _ready(self, due: list[Delivery]) -> list[Delivery]:
        """The oldest due delivery of each chat that may receive a message now."""
        first: dict[int, Delivery] = {}
        for delivery in due:
            first.setdefault(delivery.alert.target, delivery)
        return [d for target, d in first.items() if self._pacer.chat_wait(target) == 0]

    async def _edit(self, delivery: Delivery) -> None:
        """Show a sent alert's new outlets; an edit that fails is logged, never retried forever."""
        alert = delivery.alert
        assert delivery.message_id is not None
        try:
            await self._bot.edit_message_text(
                chat_id=alert.target,
                message_id=delivery.message_id,
                text=format_alert(alert, self._zone),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=not alert.previews),
                reply_markup=keyboard(alert),
            )
        except RetryAfter as exc:
            log.warning("delivery=%s edit rate limited: %s", delivery.id, exc)
            return
        except TelegramError as exc:
            log.warning("delivery=%s edit failed: %s", delivery.id, exc.message)
        await self._store.run_retrying(self._store.edit_done, delivery.id)

    async def _send(self, delivery: Delivery) -> str:
        alert = delivery.alert
        now = self._clock()
        reason = route(
            self._policy(delivery),
            now,
            await self._store.run(self._store.sent_since, alert.chat_id, now - timedelta(hours=1)),
            self._storm_limit,
        )
        if reason is not None:
            await self._store.run(self._store.hold, delivery.id, reason)
            return "held"
        try:
            message = await self._bot.send_message(
                chat_id=alert.target,
                text=format_alert(alert, self._zone),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=not alert.previews),
                reply_markup=keyboard(alert),
                message_thread_id=None if alert.channel_id else alert.thread_id,
            )
        except Forbidden as exc:
            if alert.channel_id:
                log.warning(
                    "channel=%s refused (%s): alerts back to chat=%s",
                    alert.channel_id,
                    exc.message,
                    alert.chat_id,
                )
                await self._store.run(self._store.set_channel, alert.chat_id, None, None)
                return "retry"
            log.info("chat=%s unreachable (%s): alerts stopped", alert.chat_id, exc.message)
            await self._store.run(self._store.deactivate_chat, alert.chat_id)
            await self._store.run(self._store.mark_failed, delivery.id, f"forbidden: {exc.message}")
            return "failed"
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            TOO_MANY.inc()
            log.warning("chat=%s rate limited: holding it %.0fs", alert.target, wait)
            self._pacer.hold(alert.target, wait)
            await self._store.run(
                self._store.defer, delivery.id, _later(wait), f"retry after {wait:.0f}s"
            )
            return "paced"
        except ChatMigrated as exc:
            log.info("chat=%s became supergroup %s: watches follow", alert.chat_id, exc.new_chat_id)
            await self._store.run(self._store.migrate_chat, alert.chat_id, exc.new_chat_id)
            return "moved"
        except BadRequest as exc:
            log.error("delivery=%s chat=%s rejected: %s", delivery.id, alert.chat_id, exc.message)
            await self._store.run(
                self._store.mark_failed, delivery.id, f"bad request: {exc.message}"
            )
            ALERTS_FAILED.inc()
            return "failed"
        except TelegramError as exc:
            wait = min(2.0**delivery.attempts, MAX_RETRY_DELAY.total_seconds())
            log.warning("delivery=%s failed (%s): retry in %.0fs", delivery.id, exc.message, wait)
            error = f"{type(exc).__name__}: {exc.message}"
            await self._store.run(self._store.defer, delivery.id, _later(wait), error)
            return "retry"
        self._pacer.sent(alert.target)
        await self._store.run_retrying(
            self._store.mark_sent, delivery.id, message.message_id, self._clock()
        )
        ALERTS_SENT.inc()
        log.info("delivery=%s chat=%s sent", delivery.id, alert.chat_id)
        return "sent"


def keyboard(alert: Alert) -> InlineKeyboardMarkup:
    """ "Open" the article, and "Stop watching: <watch>" for each watch that fired (at most 3).

    The callback data is `mute:<watch id>`; the telegram package checks on the tap that the
    watch belongs to the chat the button was tapped in.
    """
    open_label, mute_label = button_labels(alert.language)
    rows = [[InlineKeyboardButton(open_label, url=alert.article.url)]]
    for watch_id, display in list(zip(alert.watch_ids, alert.watches, strict=False))[
        :MAX_MUTE_BUTTONS
    ]:
        label = shorten(f"{mute_label}: {display}", BUTTON_TEXT_BUDGET)
        rows.append([InlineKeyboardButton(label, callback_data=f"mute:{watch_id}")])
    return InlineKeyboardMarkup(rows)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
