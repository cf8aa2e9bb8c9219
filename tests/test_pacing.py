"""Pacing with a controllable clock: Telegram's limits kept before sending."""

from __future__ import annotations

from bot.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_private_chats_get_one_message_a_second():
    clock = Clock()
    pacer = Pacer(clock)
    assert pacer.chat_wait(7) == 0
    pacer.sent(7)
    assert pacer.chat_wait(7) == 1.0 and pacer.chat_wait(8) == 0
    clock.now += 0.4
    assert abs(pacer.chat_wait(7) - 0.6) < 1e-9
    clock.now += 0.6
    assert pacer.chat_wait(7) == 0


def test_groups_get_twenty_a_minute():
    clock = Clock()
    pacer = Pacer(clock)
    for _ in range(20):
        assert pacer.chat_wait(-100) == 0
        pacer.sent(-100)
        clock.now += 1
    assert abs(pacer.chat_wait(-100) - 40) < 1e-9, "the first of the twenty was 20 s ago"
    clock.now += 40
    assert pacer.chat_wait(-100) == 0


def test_thirty_a_second_overall():
    clock = Clock()
    pacer = Pacer(clock)
    for chat in range(30):
        assert pacer.overall_wait() == 0
        pacer.sent(chat)
        clock.now += 0.01
    assert abs(pacer.overall_wait() - 0.7) < 1e-9
    clock.now += 0.7
    assert pacer.overall_wait() < 1e-9


def test_a_429_holds_only_that_chat():
    clock = Clock()
    pacer = Pacer(clock)
    pacer.hold(7, 5)
    assert pacer.chat_wait(7) == 5 and pacer.chat_wait(8) == 0


def test_waiting_names_the_chats_that_must_wait_and_forgets_the_others():
    clock = Clock()
    pacer = Pacer(clock)
    for chat in range(1000):
        pacer.sent(chat)
    for _ in range(20):
        pacer.sent(-100)
    assert sorted(pacer.waiting())[:2] == [-100, 0] and len(pacer.waiting()) == 1001
    clock.now += 1.0
    assert pacer.waiting() == [-100], "private chats may again; the group waits its minute"
    clock.now += 60
    assert pacer.waiting() == []
    assert pacer._chat_ready == {} and pacer._group_sends == {}, "memory follows the waiting"
