"""Pacing: Telegram's flood limits, respected before sending rather than learnt from 429s.

Limits (Telegram's documented ones): at most 30 messages a second overall, one a second to a
private chat, 20 a minute to a group or channel (negative chat ids). A 429 for a chat holds
that chat for the time Telegram asked. The pacer only says when a chat may be sent to next;
the deliverer decides what to send. Time is a monotonic clock passed in, so tests control it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

OVERALL_PER_SECOND = 30
PRIVATE_SPACING = 1.0
GROUP_PER_MINUTE = 20


class Pacer:
    """When each chat, and the bot as a whole, may send next."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._chat_ready: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._recent: deque[float] = deque()

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may receive a message (0 when it may now)."""
        now = self._clock()
        wait = self._chat_ready.get(chat_id, now) - now
        sends = self._group_sends.get(chat_id)
        if chat_id < 0 and sends and len(sends) >= GROUP_PER_MINUTE:
            wait = max(wait, sends[0] + 60.0 - now)
        return max(wait, 0.0)

    def overall_wait(self) -> float:
        """Seconds until the next message may go out at all."""
        now = self._clock()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) < OVERALL_PER_SECOND:
            return 0.0
        return self._recent[0] + 1.0 - now

    def waiting(self) -> list[int]:
        """The chats that may not receive a message now; chats that may are forgotten."""
        now = self._clock()
        for chat_id in [c for c, ready in self._chat_ready.items() if ready <= now]:
            del self._chat_ready[chat_id]
        for chat_id, sends in list(self._group_sends.items()):
            while sends and sends[0] <= now - 60.0:
                sends.popleft()
            if not sends:
                del self._group_sends[chat_id]
        return [
            chat_id
            for chat_id in {*self._chat_ready, *self._group_sends}
            if self.chat_wait(chat_id)
        ]

    def sent(self, chat_id: int) -> None:
        now = self._clock()
        self._recent.append(now)
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(now)
            while sends and sends[0] <= now - 60.0:
                sends.popleft()
        else:
            self._chat_ready[chat_id] = now + PRIVATE_SPACING

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked this chat to wait (429 retry_after)."""
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), self._clock() + seconds)
