"""Logging: one line per event, with the bot token redacted from every line.

Rules:
- httpx and python-telegram-bot log request URLs, and Bot API URLs contain the token
  (`…/bot<TOKEN>/sendMessage`). The formatter replaces the token, and anything shaped like a
  bot token, in the finished line, tracebacks included, so no code path can leak it.
- httpx's per-request lines are kept at WARNING: they are noise at INFO.
"""

from __future__ import annotations

import logging
import re
import sys

_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    """A formatter that never lets a secret through."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self._secrets = tuple(secret for secret in secrets if secret)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, line)


def setup_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Send all logs to stderr through the redacting formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
