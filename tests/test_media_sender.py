"""Photos and documents through the one door: multipart uploads to the fake Bot API, classified
like every message, and queued, sent, retried and emptied through the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.console import ConsoleSender
from bot.deliver import Deliverer
from bot.sender import Attachment, Gone, Outgoing, Rejected, RetryLater, Sent
from bot.store import Store
from bot.telegram.sender import TelegramSender
from tests.conftest import TOKEN

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(telegram, kind, message, attachment):
    async def run():
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            sender = TelegramSender(bot)
            method = sender.send_photo if kind == "photo" else sender.send_document
            return await method(message, attachment)

    return asyncio.run(run())


def test_photo_and_document_upload_with_html_captions(telegram):
    sent = upload(
        telegram, "photo", Outgoing(7, "<b>Tren</b> &amp; grafik"), Attachment("t.png", PNG)
    )
    assert isinstance(sent, Sent)
    doc = upload(
        telegram, "document", Outgoing(7, "Laporan", thread_id=3), Attachment("l.csv", b"a,b\r\n")
    )
    assert isinstance(doc, Sent) and doc.message_id != sent.message_id
    photo, document = telegram.uploads
    assert (photo.method, photo.filename, photo.data, photo.caption) == (
        "sendPhoto",
        "t.png",
        PNG,
        "Tren & grafik",
    )
    assert (document.filename, document.data) == ("l.csv", b"a,b\r\n")
    assert document.params["message_thread_id"] == "3"


def test_upload_failures_are_classified_like_messages(telegram):
    too_long = Outgoing(7, "x" * 1025)
    assert isinstance(upload(telegram, "photo", too_long, Attachment("t.png", PNG)), Rejected)
    bad_html = Outgoing(7, "<b>open")
    assert isinstance(upload(telegram, "document", bad_html, Attachment("a.csv", b"1")), Rejected)
    not_an_image = Attachment("t.png", b"GIF89a")
    assert isinstance(upload(telegram, "photo", Outgoing(7, "x"), not_an_image), Rejected)
    telegram.blocked.add(8)
    assert isinstance(upload(telegram, "photo", Outgoing(8, "x"), Attachment("t.png", PNG)), Gone)
    telegram.fail_next("sendDocument", 429, "Too Many Requests: retry after 4", retry_after=4)
    limited = upload(telegram, "document", Outgoing(7, "x"), Attachment("a.csv", b"1"))
    assert limited == RetryLater(4.0)
    assert len(telegram.uploads) == 0


def test_queued_photo_goes_through_the_outbox_and_its_file_is_dropped(tmp_path, telegram):
    store = Store.open(tmp_path / "pantau.db")
    now = datetime.now(UTC)
    store.ensure_chat(7, "private", "id", "Analis", now)
    store.set_paused(7, True)  # a chart asked for is a reply: it goes while paused too
    photo = store.queue_media(7, "trend", "<b>Tren</b>", ("photo", "tren.png", PNG), None, now)
    refused = store.queue_media(7, "report", "x" * 2000, ("document", "a.csv", b"1"), None, now)
    telegram.fail_next("sendPhoto", 500, "Internal Server Error")

    async def deliver() -> None:
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            deliverer = Deliverer(store, TelegramSender(bot), ZoneInfo("Asia/Jakarta"))
            await deliverer.drain()
            await store.run(store.db.execute, "UPDATE messages SET not_before = 0")
            await deliverer.drain()

    asyncio.run(deliver())
    rows = store.db.execute(
        "SELECT id, status, attempts, file IS NULL FROM messages ORDER BY id"
    ).fetchall()
    assert rows == [(photo, "sent", 1, 1), (refused, "failed", 1, 1)]
    assert [u.filename for u in telegram.uploads] == ["tren.png"]
    store.close()


def test_console_prints_what_was_attached(capsys):
    sent = asyncio.run(
        ConsoleSender().send_photo(Outgoing(1, "<b>Tren</b>"), Attachment("t.png", PNG))
    )
    assert isinstance(sent, Sent)
    assert capsys.readouterr().out.startswith("[photo: t.png, 72 bytes]\nTren")
