"""Logging: one line per event, with the bot token redacted from every line.

Rules:
- httpx and python-telegram-bot log request URLs, and Bot API URLs contain the token
  (`…/bot<TOKEN>/sendMessage`). The formatter replaces the token, and anything shaped like a
  bot token, in the finished line, tracebacks included, so no code path can leak it.
- httpx's per-request lines are kept at WARNING: they are noise at INFO.
- `log_format = "json"` writes one JSON object per line for log collectors.
"""

from __future__ import annotations

import json
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
        return self._redact(super().format(record))

    def _redact(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, line)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line (time, level, logger, message, exception), token redacted."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(entry, ensure_ascii=False))


def setup_logging(level: str, secrets: tuple[str, ...] = (), as_json: bool = False) -> None:
    """Send all logs to stderr through a redacting formatter, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(secrets)
        if as_json
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
