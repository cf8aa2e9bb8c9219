"""Deliver: drain the outbox through a `Sender`, never dropping an alert silently.

Rules:
- Everything the bot sends on its own is an outbox row: alerts, digest parts, notices (to
  admins, or to a chat about its channel), and charts and reports (photos and documents with
  a caption: `/tren`, `/laporan`, spike alerts, weekly reports) go the same way, with the
  same pacing, the same outcome handling (`bot.sender`), backoff and cap on attempts. Edits
  of sent alerts too.
- A row is marked sent only after Telegram returned the message; a crash before that leaves it
  pending, so it is sent again on the next start. Sends are one at a time, so at most one
  message — the one in flight at the crash — can arrive twice. Once Telegram confirmed a
  message, recording it is retried until the database takes it (`Store.run_retrying`).
- Each round takes the oldest due row of every chat and sends those whose chat may receive a
  message now (`pacing`): one chat's backlog, a long digest included, never holds the others.
- What each outcome does:
  - `Sent`: recorded; a digest part marks the alerts it carries sent with it.
  - `RetryLater`: that chat waits as long as Telegram asked; the row is not charged an attempt.
  - `Moved`: the chat (settings, watches, queue) moves to the supergroup; the row goes there.
  - `Gone` with `topic_only`: the forum topic is forgotten, the row goes to the chat itself.
    `Gone` of a linked channel: the channel is unlinked, the chat is told, the row goes to the
    chat. `Gone` of the chat: it is deactivated and what was pending for it fails.
    A row sent on elsewhere is charged an attempt, so no redirect can loop forever.
  - `Rejected`: this row fails with the reason; the queue goes on.
  - `Transient`: retried with exponential backoff (up to `MAX_RETRY_DELAY`), failed with the
    reason after `MAX_ATTEMPTS`.
  - Anything raised while handling a row (a bug, a database error) is logged and the row is
    retried like a transient failure: one poisoned row never stops delivery for the others.
- Before an alert goes out alone, `digest.route` may hold it (paused chat, digest mode, quiet
  hours, more than `storm_limit` alerts in the past hour). When a chat's digest is due
  (`digest.digest_due_at`, remembered by the outbox), its held alerts — at most
  `DIGEST_BATCH` at a time — are composed into digest parts, one per forum topic and as many
  as Telegram's length limit needs; each part is then a row of its own.
- A sent alert whose story another outlet reported is edited in place; an edit that keeps
  failing is given up after `MAX_EDIT_ATTEMPTS` (the alert itself was delivered).
- `stop` ends delivery for a shutdown: the message in flight finishes (or, past the deadline,
  is cancelled and stays pending, so it is sent again on the next start); nothing new starts.
  Digest parts already sent stay sent: a stop mid-digest resends nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.compose import button_labels, format_alert, shorten
from bot.digest import (
    ChatPolicy,
    DigestItem,
    digest_due_at,
    digest_parts,
    parse_clock,
    route,
)
from bot.health import ALERTS_FAILED, ALERTS_SENT, TOO_MANY
from bot.models import Alert, ChatSettings, Delivery, DueRow, HeldChat, QueuedMessage
from bot.pacing import OVERALL_PER_SECOND, Pacer
from bot.parse import is_web_link
from bot.sender import (
    Attachment,
    Button,
    Gone,
    Moved,
    Outcome,
    Outgoing,
    Rejected,
    RetryLater,
    Sender,
    Sent,
    Transient,
)
from bot.store import Store
from bot.texts import text

__all__ = ["Deliverer", "Sender", "delivery_waited", "digest_keyboard", "keyboard"]

log = logging.getLogger(__name__)
MAX_RETRY_DELAY = 600.0
MAX_ATTEMPTS = 12  # about an hour of backoff before a transient failure is given up
MAX_EDIT_ATTEMPTS = 5
DRAIN_BUDGET = 0.9  # under the scheduler's 1 s tick, so drains never overlap
DIGEST_BATCH = 1000
MAX_MUTE_BUTTONS = 3
BUTTON_TEXT_BUDGET = 60


@dataclass(frozen=True, slots=True)
class _Row:
    """An outbox row as the drain loop handles it, whether alert, digest part or notice."""

    kind: str
    id: int
    chat_id: int
    target: int
    channel: bool
    thread_id: int | None
    attempts: int
    alerts: int


class Deliverer:
    """Sends due outbox rows, oldest first per chat, within Telegram's limits (see `pacing`)."""

    def __init__(
        self,
        store: Store,
        sender: Sender,
        zone: ZoneInfo,
        *,
        storm_limit: int = 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._sender = sender
        self._zone = zone
        self._storm_limit = storm_limit
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pacer = Pacer(time.monotonic)
        self._stopping = False
        self._draining: asyncio.Task[object] | None = None

    async def drain(self, budget: float = DRAIN_BUDGET) -> int:
        """Compose due digests, send what may be sent now, then edit what changed; return how
        many alerts went out (alone or in a digest part).

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
        await self._digests()
        sent = 0
        while not self._stopping and time.monotonic() < deadline:
            waiting = self._pacer.waiting()
            due = await self._store.run(self._store.due_rows, self._clock(), waiting)
            ready = self._ready(due)
            if not ready:
                wait = min((self._pacer.chat_wait(target) for target in waiting), default=None)
                if wait is None or time.monotonic() + wait >= deadline:
                    break
                await asyncio.sleep(wait)
                continue
            for row, unit in await self._store.run(self._load, ready):
                if self._stopping:
                    return sent
                await asyncio.sleep(self._pacer.overall_wait())
                sent += await self._guarded(row, unit)
        await self._edits()
        return sent

    def _ready(self, due: list[DueRow]) -> list[DueRow]:
        """The oldest due row of each target that may receive a message now, as many as may go
        out in a second: only those are loaded in full."""
        first: dict[int, DueRow] = {}
        for row in due:
            first.setdefault(row.target, row)
        ready = [row for target, row in first.items() if self._pacer.chat_wait(target) == 0]
        return ready[:OVERALL_PER_SECOND]

    def _load(self, ready: list[DueRow]) -> list[tuple[_Row, Delivery | QueuedMessage]]:
        """The ready rows in full, in their order (on the store's thread)."""
        store = self._store
        units: dict[tuple[str, int], tuple[_Row, Delivery | QueuedMessage]] = {}
        for delivery in store.deliveries_by_id([r.id for r in ready if r.kind == "alert"]):
            alert = delivery.alert
            row = _Row(
                "alert",
                delivery.id,
                alert.chat_id,
                alert.target,
                alert.channel_id is not None,
                None if alert.channel_id else alert.thread_id,
                delivery.attempts,
                1,
            )
            units["alert", delivery.id] = (row, delivery)
        for message in store.messages_by_id([r.id for r in ready if r.kind == "message"]):
            row = _Row(
                message.kind,
                message.id,
                message.chat_id,
                message.target,
                message.channel,
                message.thread_id,
                message.attempts,
                message.alerts,
            )
            units["message", message.id] = (row, message)
        return [units[key] for r in ready if (key := (r.kind, r.id)) in units]

    async def _guarded(self, row: _Row, unit: Delivery | QueuedMessage) -> int:
        """Handle one row; whatever goes wrong with it is logged and retried, never fatal."""
        try:
            if isinstance(unit, Delivery):
                return await self._send_alert(row, unit)
            return await self._settle(row, await self._send_message(row, unit))
        except Exception as exc:
            log.exception("%s=%s could not be handled; retried later", row.kind, row.id)
            try:
                await self._retry(row, f"internal error: {exc!r}")
            except Exception:
                log.exception("%s=%s could not be deferred", row.kind, row.id)
            return 0

    async def _send_message(self, row: _Row, message: QueuedMessage) -> Outcome:
        """A digest part or notice as text; a chart or report as a photo or document with
        its HTML as caption."""
        buttons: tuple[tuple[Button, ...], ...] = ()
        if message.kind == "digest" and not row.channel:
            language = await self._store.run(self._store.chat_language, message.chat_id)
            buttons = digest_keyboard(language or "", message.id)
        outgoing = Outgoing(row.target, message.html, buttons, row.thread_id)
        if message.media == "photo":
            return await self._sender.send_photo(
                outgoing, Attachment(message.filename, message.file)
            )
        if message.media == "document":
            return await self._sender.send_document(
                outgoing, Attachment(message.filename, message.file)
            )
        return await self._sender.send(outgoing)

    async def _send_alert(self, row: _Row, delivery: Delivery) -> int:
        alert = delivery.alert
        now = self._clock()
        store = self._store
        sent = await store.run(store.sent_since, alert.chat_id, now - timedelta(hours=1))
        reason = route(self._policy(delivery.chat), now, sent, self._storm_limit)
        if reason is not None:
            await store.run(store.hold, delivery.id, reason)
            return 0
        outgoing = Outgoing(
            row.target,
            format_alert(alert, self._zone),
            keyboard(alert, delivery.id),
            row.thread_id,
            alert.previews,
        )
        return await self._settle(row, await self._sender.send(outgoing))

    async def _settle(self, row: _Row, outcome: Outcome) -> int:
        """Record what came of sending a row; return how many alerts went out with it."""
        store, alert = self._store, row.kind == "alert"
        match outcome:
            case Sent(message_id):
                self._pacer.sent(row.target)
                mark = store.mark_sent if alert else store.mark_message_sent
                await store.run_retrying(mark, row.id, message_id, self._clock())
                ALERTS_SENT.inc(row.alerts)
                log.info("%s=%s chat=%s sent", row.kind, row.id, row.chat_id)
                return row.alerts
            case RetryLater(seconds):
                TOO_MANY.inc()
                log.warning("chat=%s rate limited: holding it %.0fs", row.target, seconds)
                self._pacer.hold(row.target, seconds)
                await self._defer(row, seconds, f"retry after {seconds:.0f}s", attempt=False)
            case Moved(chat_id) if row.channel:
                name = await store.run(store.channel_name, row.chat_id)
                await store.run(store.set_channel, row.chat_id, chat_id, name)
                await self._defer(row, 0, f"channel moved to {chat_id}", attempt=True)
            case Moved(chat_id):
                log.info("chat=%s became supergroup %s: everything follows", row.chat_id, chat_id)
                await store.run(store.migrate_chat, row.chat_id, chat_id)
                await self._defer(row, 0, f"moved to {chat_id}", attempt=True)
            case Gone(reason, topic_only=True) if row.thread_id is not None:
                log.info(
                    "chat=%s topic %s gone (%s): to the chat", row.chat_id, row.thread_id, reason
                )
                await store.run(store.forget_topic, row.chat_id, row.thread_id)
                await self._defer(row, 0, f"topic gone: {reason}", attempt=True)
            case Gone(reason) if row.channel:
                log.warning(
                    "channel=%s gone (%s): back to chat=%s", row.target, reason, row.chat_id
                )
                await self._unlink_channel(row.chat_id, reason)
                await self._defer(row, 0, f"channel gone: {reason}", attempt=True)
            case Gone(reason, topic_only=False):
                log.info("chat=%s unreachable (%s): its queue fails", row.chat_id, reason)
                await store.run(store.deactivate_chat, row.chat_id, reason)
                ALERTS_FAILED.inc(row.alerts)
            case Gone(reason) | Rejected(reason):
                log.error("%s=%s chat=%s rejected: %s", row.kind, row.id, row.chat_id, reason)
                await self._fail(row, f"rejected: {reason}")
            case Transient(reason):
                await self._retry(row, reason)
        return 0

    async def _retry(self, row: _Row, reason: str) -> None:
        """Try again after a backoff, or give up once the row has had `MAX_ATTEMPTS`."""
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.error(
                "%s=%s given up after %d attempts: %s", row.kind, row.id, MAX_ATTEMPTS, reason
            )
            await self._fail(row, f"gave up after {MAX_ATTEMPTS} attempts: {reason}")
            return
        wait = min(2.0**row.attempts, MAX_RETRY_DELAY)
        log.warning("%s=%s failed (%s): retry in %.0fs", row.kind, row.id, reason, wait)
        await self._defer(row, wait, reason, attempt=True)

    async def _defer(self, row: _Row, seconds: float, reason: str, *, attempt: bool) -> None:
        store = self._store
        defer = store.defer if row.kind == "alert" else store.defer_message
        await store.run(defer, row.id, self._later(seconds), reason, attempt=attempt)

    async def _fail(self, row: _Row, reason: str) -> None:
        store = self._store
        fail = store.mark_failed if row.kind == "alert" else store.mark_message_failed
        await store.run(fail, row.id, reason)
        ALERTS_FAILED.inc(row.alerts)

    async def _unlink_channel(self, chat_id: int, reason: str) -> None:
        """The linked channel takes no more alerts: back to the chat, which is told why."""
        store = self._store

        def unlink() -> None:
            with store.transaction():
                name = store.channel_name(chat_id) or ""
                language = store.chat_language(chat_id) or ""
                store.set_channel(chat_id, None, None)
                notice = text(language, "channel_lost", name=name, reason=shorten(reason, 200))
                store.queue_notice([chat_id], notice, self._clock())

        await store.run(unlink)

    async def _edits(self) -> None:
        """Show sent alerts' new outlets; an edit that keeps failing is given up."""
        if self._stopping:
            return
        for delivery in await self._store.run(self._store.due_edits, self._clock()):
            if self._stopping:
                return
            if self._pacer.chat_wait(delivery.alert.target):
                continue
            await asyncio.sleep(self._pacer.overall_wait())
            try:
                await self._edit(delivery)
            except Exception:
                log.exception("delivery=%s edit could not be handled: dropped", delivery.id)
                await self._store.run(self._store.edit_done, delivery.id)

    async def _edit(self, delivery: Delivery) -> None:
        alert, store = delivery.alert, self._store
        assert delivery.message_id is not None
        outgoing = Outgoing(
            alert.target,
            format_alert(alert, self._zone),
            keyboard(alert, delivery.id),
            previews=alert.previews,
        )
        match await self._sender.edit(delivery.message_id, outgoing):
            case Sent():
                self._pacer.sent(alert.target)
            case RetryLater(seconds):
                self._pacer.hold(alert.target, seconds)
                await store.run(store.defer_edit, delivery.id, self._later(seconds), attempt=False)
                return
            case Transient(reason) if delivery.edit_attempts + 1 < MAX_EDIT_ATTEMPTS:
                wait = min(2.0**delivery.edit_attempts, MAX_RETRY_DELAY)
                log.warning(
                    "delivery=%s edit failed (%s): retry in %.0fs", delivery.id, reason, wait
                )
                await store.run(store.defer_edit, delivery.id, self._later(wait))
                return
            case outcome:
                log.warning("delivery=%s edit given up: %s", delivery.id, outcome)
        await store.run_retrying(store.edit_done, delivery.id)

    async def _digests(self) -> None:
        """Compose the digests that are due into parts; work out when the others are due."""
        if self._stopping:
            return
        now = self._clock()
        for chat in await self._store.run(self._store.held_chats, now):
            try:
                await self._digest(chat, now)
            except Exception:
                log.exception(
                    "chat=%s digest could not be composed; tried again later", chat.chat_id
                )

    async def _digest(self, chat: HeldChat, now: datetime) -> None:
        store = self._store
        policy = self._policy(chat.settings)
        due = digest_due_at(policy, chat.held_since, chat.boundary, now)
        if due > now:
            await store.run(store.set_digest_due, chat.chat_id, due)
            return
        held = await store.run(store.held_for_digest, chat.chat_id, DIGEST_BATCH)
        by_topic: dict[int | None, list[Delivery]] = {}
        for delivery in held:
            by_topic.setdefault(delivery.alert.thread_id, []).append(delivery)
        parts: list[tuple[str, int | None, list[int]]] = []
        for topic, group in by_topic.items():
            items = [_digest_item(delivery) for delivery in group]
            for part in digest_parts(items, policy.zone, chat.language):
                parts.append((part.html, topic, [group[number].id for number in part.items]))
        await store.run(store.add_digest, chat.chat_id, parts, now)
        log.info("chat=%s digest of %d alerts in %d parts", chat.chat_id, len(held), len(parts))

    def _policy(self, chat: ChatSettings) -> ChatPolicy:
        quiet = None
        if chat.quiet:
            start, _, end = chat.quiet.partition("-")
            quiet = (parse_clock(start), parse_clock(end))
        return ChatPolicy(
            self._zone_of(chat.timezone),
            chat.digest,
            parse_clock(chat.digest_at),
            quiet,
            chat.paused,
        )

    def _zone_of(self, name: str) -> ZoneInfo:
        if not name:
            return self._zone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            log.warning("time zone %r unknown: %s used", name, self._zone.key)
            return self._zone

    def _later(self, seconds: float) -> datetime:
        return self._clock() + timedelta(seconds=seconds)


def delivery_waited(store: Store, within: float) -> float | None:
    """Seconds the oldest due outbox row has waited (for /healthz, from its thread); None when
    nothing is due or the database does not answer within `within` seconds."""
    now = datetime.now(UTC)
    try:
        since = store.ask(within, store.oldest_due, now)
    except (TimeoutError, RuntimeError, sqlite3.Error):
        return None
    return None if since is None else (now - since).total_seconds()


def _digest_item(delivery: Delivery) -> DigestItem:
    article = delivery.alert.article
    return DigestItem(
        delivery.alert.watches,
        article.title,
        article.url,
        article.source_name,
        article.published_at,
        delivery.held_reason,
    )


def keyboard(alert: Alert, delivery_id: int) -> tuple[tuple[Button, ...], ...]:
    """ "Open" the article and "Not relevant" beside it, then "Stop watching: <watch>" for each
    watch that fired (at most 3); in a channel, whose readers cannot change the chat's watches
    nor be answered, "Open" only.

    "Open" only for an http(s) link: no other scheme may reach a reader, and Telegram refuses
    an empty button URL, which would fail the whole alert.

    The callback data are `nr:<delivery id>` and `mute:<watch id>`; the permission gate and the
    handlers check on the tap that the user may do it and that the alert or the watch belongs
    to the chat.
    """
    open_label, mute_label = button_labels(alert.language)
    first: tuple[Button, ...] = ()
    if is_web_link(alert.article.url):
        first = (Button(open_label, url=alert.article.url),)
    if alert.channel_id:
        return (first,) if first else ()
    rows = [(*first, Button(text(alert.language, "button_not_relevant"), data=f"nr:{delivery_id}"))]
    fired = list(zip(alert.watch_ids, alert.watches, strict=False))[:MAX_MUTE_BUTTONS]
    for watch_id, display in fired:
        label = shorten(f"{mute_label}: {display}", BUTTON_TEXT_BUDGET)
        rows.append((Button(label, data=f"mute:{watch_id}"),))
    return tuple(rows)


def digest_keyboard(language: str, part_id: int) -> tuple[tuple[Button, ...], ...]:
    """One "Not relevant…" button under a digest part (not in a channel): a tap lists the
    part's articles as buttons, each the alert's own "Not relevant" (`nrd:<part id>`).

    One button per article under the digest itself would bury a part of dozens of articles
    under its keyboard (Telegram allows 100 buttons), and its numbers would have to be matched
    to unnumbered lines; one tap more keeps the digest readable.
    """
    return ((Button(text(language, "button_not_relevant_digest"), data=f"nrd:{part_id}"),),)
