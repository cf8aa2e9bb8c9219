"""The one door to Telegram: every failure the fake Bot API answers becomes one of Pantau's
outcomes, through python-telegram-bot's real client and exceptions."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot

from bot.sender import Button, Gone, Moved, Outgoing, Rejected, RetryLater, Sent, Transient
from bot.telegram.sender import TelegramSender
from tests.conftest import TOKEN


def send(telegram, message, edit_of=None):
    async def run():
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            sender = TelegramSender(bot)
            if edit_of is not None:
                return await sender.edit(edit_of, message)
            return await sender.send(message)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("status", "description", "parameters", "expected"),
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, RetryLater(7.0)),
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -1009},
            Moved(-1009),
        ),
        (403, "Forbidden: bot was blocked by the user", {}, Gone),
        (403, "Forbidden: bot was kicked from the group chat", {}, Gone),
        (400, "Bad Request: chat not found", {}, Gone),
        (400, "Bad Request: need administrator rights in the channel chat", {}, Gone),
        (400, "Bad Request: not enough rights to send text messages to the chat", {}, Gone),
        (400, "Bad Request: message thread not found", {}, Gone(..., topic_only=True)),
        (400, "Bad Request: TOPIC_CLOSED", {}, Gone(..., topic_only=True)),
        (400, "Bad Request: message is too long", {}, Rejected),
        (400, "Bad Request: can't parse entities: unsupported start tag", {}, Rejected),
        (502, "Bad Gateway", {}, Transient),
        (500, "Internal Server Error", {}, Transient),
    ],
)
def test_every_failure_is_one_outcome(telegram, status, description, parameters, expected):
    telegram.fail_next("sendMessage", status, description, **parameters)
    outcome = send(telegram, Outgoing(7, "Halo"))
    if isinstance(expected, type):
        assert type(outcome) is expected
    elif isinstance(expected, Gone):
        assert isinstance(outcome, Gone) and outcome.topic_only == expected.topic_only
    else:
        assert outcome == expected
    assert telegram.sent == []


def test_a_dropped_connection_is_transient(telegram):
    telegram.drop_next("sendMessage")
    assert isinstance(send(telegram, Outgoing(7, "Halo")), Transient)


def test_sent_with_its_buttons_topic_and_previews(telegram):
    buttons = ((Button("Buka", url="https://x.id/1"),), (Button("Stop", data="mute:3"),))
    outcome = send(telegram, Outgoing(-100, "<b>Halo</b>", buttons, thread_id=5, previews=True))
    [message] = telegram.sent
    assert outcome == Sent(message.message_id)
    assert message.params["message_thread_id"] == "5"
    assert message.params["link_preview_options"] == {"is_disabled": False}
    assert message.params["reply_markup"]["inline_keyboard"] == [
        [{"text": "Buka", "url": "https://x.id/1"}],
        [{"text": "Stop", "callback_data": "mute:3"}],
    ]


def test_what_the_fake_refuses_on_its_own_is_classified_too(telegram):
    telegram.deleted_chats.add(-200)
    telegram.migrated[-300] = -100300
    telegram.topics[-400] = {1}
    assert isinstance(send(telegram, Outgoing(-200, "x")), Gone)
    assert send(telegram, Outgoing(-300, "x")) == Moved(-100300)
    gone = send(telegram, Outgoing(-400, "x", thread_id=9))
    assert isinstance(gone, Gone) and gone.topic_only
    assert isinstance(send(telegram, Outgoing(-400, "x", thread_id=1)), Sent)
    assert isinstance(send(telegram, Outgoing(7, "😀" * 2049)), Rejected), "UTF-16: 4098 units"
    many = tuple((Button(str(n), data=f"b:{n}"),) for n in range(101))
    assert isinstance(send(telegram, Outgoing(7, "x", many)), Rejected)


def test_an_unchanged_edit_is_sent_and_a_vanished_message_rejected(telegram):
    first = send(telegram, Outgoing(7, "Sama"))
    assert send(telegram, Outgoing(7, "Sama"), edit_of=first.message_id) == first
    assert send(telegram, Outgoing(7, "Baru"), edit_of=first.message_id) == first
    assert telegram.edits[-1].text == "Baru"
    assert isinstance(send(telegram, Outgoing(7, "Lain"), edit_of=999), Rejected)
