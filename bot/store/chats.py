"""Chats and their settings, and the users admins allowed (allowlist mode).

Rules:
- A chat is recorded the first time it talks to the bot; one that removed or blocked the bot is
  inactive (`left_at` says since when) until it talks again.
- A chat going away or coming back, or moving to a supergroup, changes what the match index
  must hold, so it bumps `watches_version`.
- Settings (language, time zone, digest, quiet hours, pause, previews, channel) are columns of
  the chat's row, read together as `ChatSettings`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.models import ChatSettings
from bot.store.base import WATCHES_VERSION, StoreBase, to_epoch


class ChatsMixin(StoreBase):
    """The `chats` and `allowed_users` tables."""

    def ensure_chat(
        self, chat_id: int, chat_type: str, language: str, title: str, now: datetime
    ) -> None:
        """Record a chat the first time it talks to the bot; reactivate it if it had left."""
        rows = list(self.db.query("SELECT active FROM chats WHERE id = ?", [chat_id]))
        if not rows:
            self.db.table("chats").insert(
                {
                    "id": chat_id,
                    "type": chat_type,
                    "language": language,
                    "title": title,
                    "active": 1,
                    "created_at": to_epoch(now),
                }
            )
        elif not rows[0]["active"]:
            self.db.table("chats").update(chat_id, {"active": 1, "title": title, "left_at": None})
            self._bump(WATCHES_VERSION)

    def chat_language(self, chat_id: int) -> str | None:
        rows = list(self.db.query("SELECT language FROM chats WHERE id = ?", [chat_id]))
        return str(rows[0]["language"]) if rows else None

    def migrate_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its settings, watches and queued alerts move along."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO chats (id, type, language, title, active, created_at, "
                "previews) SELECT ?, 'supergroup', language, title, active, created_at, previews "
                "FROM chats WHERE id = ?",
                [new, old],
            )
            self.db.execute("UPDATE watches SET chat_id = ? WHERE chat_id = ?", [new, old])
            self.db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", [new, old]
            )
            self.db.execute("UPDATE chats SET active = 0 WHERE id = ?", [old])
            self._bump(WATCHES_VERSION)

    def chat_settings(self, chat_id: int) -> tuple[str, ChatSettings, bool]:
        """(language, delivery settings, link previews) of a chat that has talked to the bot."""
        row = next(iter(self.db.query("SELECT * FROM chats WHERE id = ?", [chat_id])))
        return row["language"], chat_settings_of(row), bool(row["previews"])

    def deactivate_chat(self, chat_id: int) -> None:
        """The chat blocked or removed the bot: alerts stop; its watches wait for its return."""
        self.db.execute(
            "UPDATE chats SET active = 0, left_at = coalesce(left_at, ?) WHERE id = ?",
            [to_epoch(datetime.now(UTC)), chat_id],
        )
        self._bump(WATCHES_VERSION)

    def set_channel(self, chat_id: int, channel_id: int | None, name: str | None) -> None:
        """Post this chat's alerts to a channel (None: back to the chat itself)."""
        self.db.execute(
            "UPDATE chats SET channel_id = ?, channel_name = ? WHERE id = ?",
            [channel_id, name, chat_id],
        )

    def set_language(self, chat_id: int, language: str) -> None:
        self.db.execute("UPDATE chats SET language = ? WHERE id = ?", [language, chat_id])

    def set_timezone(self, chat_id: int, zone: str) -> None:
        """The IANA zone in which this chat sees times."""
        self.db.execute("UPDATE chats SET timezone = ? WHERE id = ?", [zone, chat_id])

    def set_digest(self, chat_id: int, mode: str, at: str) -> None:
        self.db.execute(
            "UPDATE chats SET digest = ?, digest_at = ? WHERE id = ?", [mode, at, chat_id]
        )

    def set_quiet(self, chat_id: int, window: str | None) -> None:
        """Quiet hours as "HH:MM-HH:MM", or None for none."""
        self.db.execute("UPDATE chats SET quiet = ? WHERE id = ?", [window, chat_id])

    def set_paused(self, chat_id: int, paused: bool) -> None:
        self.db.execute("UPDATE chats SET paused = ? WHERE id = ?", [int(paused), chat_id])

    def set_previews(self, chat_id: int, shown: bool) -> None:
        """Whether this chat's alerts show Telegram's link preview (off unless asked for)."""
        self.db.execute("UPDATE chats SET previews = ? WHERE id = ?", [int(shown), chat_id])

    def allow_user(self, user_id: int, admin_id: int, now: datetime) -> None:
        self.db.table("allowed_users").upsert(
            {"id": user_id, "added_by": admin_id, "created_at": to_epoch(now)}, pk="id"
        )

    def is_allowed(self, user_id: int) -> bool:
        return bool(
            self.db.execute("SELECT 1 FROM allowed_users WHERE id = ?", [user_id]).fetchall()
        )


def chat_settings_of(row: dict[str, Any]) -> ChatSettings:
    """The delivery settings in a row holding the chat's columns."""
    quiet, paused = row["quiet"] or "", bool(row["paused"])
    return ChatSettings(row["timezone"] or "", row["digest"], row["digest_at"], quiet, paused)
