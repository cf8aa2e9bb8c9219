"""Chats and their settings, and the users admins allowed (allowlist mode).

Rules:
- A chat is recorded the first time it talks to the bot; one that removed or blocked the bot is
  inactive (`left_at` says since when) until it talks again.
- A chat going away or coming back, or moving to a supergroup, changes what the match index
  must hold, so it bumps `watches_version`.
- Settings (language, time zone, digest, quiet hours, pause, previews, channel) are columns of
  the chat's row, read together as `ChatSettings`. A change of the ones that decide when a
  digest is due makes the outbox work that moment out again (`digest_due_at = 0`).
- A group that became a supergroup (`migrate_chat`) takes every column of its row along — a
  column added later included — with its watches and everything still queued for it.
- A chat that is gone (blocked the bot, removed it, deleted) fails what is still pending for
  it, with the reason: nothing waits forever for a chat that cannot receive it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.models import ChatSettings
from bot.store.base import WATCHES_VERSION, StoreBase, to_epoch

REFRESH_HELD = (
    "UPDATE chats SET digest_due_at = 0, "
    "held_since = (SELECT min(created_at) FROM deliveries d "
    "WHERE d.chat_id = chats.id AND d.status = 'held' AND d.part_id IS NULL), "
    "held_boundary = EXISTS (SELECT 1 FROM deliveries d WHERE d.chat_id = chats.id "
    "AND d.status = 'held' AND d.part_id IS NULL AND d.held_reason IN ('digest', 'storm')) "
    "WHERE id = ?"
)  # the summary of a chat's held alerts not yet in a digest part (see `outbox`)


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
        """A group became a supergroup: every setting, its watches and its queued alerts,
        digest parts and notices move along. If the supergroup already has a row (it talked
        to the bot first), the group's settings overwrite its defaults."""
        carried = [
            column
            for column in self.db.table("chats").columns_dict
            if column not in ("id", "type", "active", "left_at")
        ]
        names = ", ".join(carried)
        updates = ", ".join(f"{column} = excluded.{column}" for column in carried)
        with self.transaction():
            self.db.execute(
                f"INSERT INTO chats (id, type, active, {names}) "
                f"SELECT ?, 'supergroup', 1, {names} FROM chats WHERE id = ? "
                f"ON CONFLICT(id) DO UPDATE SET active = 1, left_at = NULL, {updates}",
                [new, old],
            )
            self.db.execute("UPDATE watches SET chat_id = ? WHERE chat_id = ?", [new, old])
            self.db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", [new, old]
            )
            self.db.execute(
                "UPDATE deliveries SET status = 'dropped', last_error = 'the chat moved' "
                "WHERE chat_id = ? AND status IN ('pending', 'held')",
                [old],
            )
            self.db.execute(
                "UPDATE messages SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
                [new, old],
            )
            self.db.execute("UPDATE chats SET active = 0 WHERE id = ?", [old])
            for chat_id in (old, new):
                self.db.execute(REFRESH_HELD, [chat_id])
            self._bump(WATCHES_VERSION)

    def chat_settings(self, chat_id: int) -> tuple[str, ChatSettings, bool]:
        """(language, delivery settings, link previews) of a chat that has talked to the bot."""
        row = next(iter(self.db.query("SELECT * FROM chats WHERE id = ?", [chat_id])))
        return row["language"], chat_settings_of(row), bool(row["previews"])

    def deactivate_chat(self, chat_id: int, reason: str = "the chat is gone") -> None:
        """The chat blocked or removed the bot: alerts stop, what was pending for it fails
        with the reason; its watches wait for its return (held alerts too)."""
        with self.transaction():
            self.db.execute(
                "UPDATE chats SET active = 0, left_at = coalesce(left_at, ?) WHERE id = ?",
                [to_epoch(datetime.now(UTC)), chat_id],
            )
            error = f"chat gone: {reason}"[:500]
            self.db.execute(
                "UPDATE deliveries SET status = 'failed', last_error = ? WHERE part_id IN "
                "(SELECT id FROM messages WHERE chat_id = ? AND status = 'pending')",
                [error, chat_id],
            )
            for table in ("deliveries", "messages"):
                self.db.execute(
                    f"UPDATE {table} SET status = 'failed', last_error = ? "
                    "WHERE chat_id = ? AND status = 'pending'",
                    [error, chat_id],
                )
            self.db.execute(
                "UPDATE deliveries SET edit_pending = 0 WHERE chat_id = ? AND edit_pending = 1",
                [chat_id],
            )
            self._bump(WATCHES_VERSION)

    def forget_topic(self, chat_id: int, thread_id: int) -> None:
        """A forum topic is gone: what was meant for it goes to the chat's general topic."""
        with self.transaction():
            for table in ("watches", "deliveries", "messages"):
                self.db.execute(
                    f"UPDATE {table} SET thread_id = NULL WHERE chat_id = ? AND thread_id = ?",
                    [chat_id, thread_id],
                )

    def set_channel(self, chat_id: int, channel_id: int | None, name: str | None) -> None:
        """Post this chat's alerts to a channel (None: back to the chat itself)."""
        self.db.execute(
            "UPDATE chats SET channel_id = ?, channel_name = ? WHERE id = ?",
            [channel_id, name, chat_id],
        )

    def channel_name(self, chat_id: int) -> str | None:
        row = self.db.execute("SELECT channel_name FROM chats WHERE id = ?", [chat_id]).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def set_language(self, chat_id: int, language: str) -> None:
        self.db.execute("UPDATE chats SET language = ? WHERE id = ?", [language, chat_id])

    def set_timezone(self, chat_id: int, zone: str) -> None:
        """The IANA zone in which this chat sees times."""
        self.db.execute(
            "UPDATE chats SET timezone = ?, digest_due_at = 0 WHERE id = ?", [zone, chat_id]
        )

    def set_digest(self, chat_id: int, mode: str, at: str) -> None:
        self.db.execute(
            "UPDATE chats SET digest = ?, digest_at = ?, digest_due_at = 0 WHERE id = ?",
            [mode, at, chat_id],
        )

    def set_quiet(self, chat_id: int, window: str | None) -> None:
        """Quiet hours as "HH:MM-HH:MM", or None for none."""
        self.db.execute(
            "UPDATE chats SET quiet = ?, digest_due_at = 0 WHERE id = ?", [window, chat_id]
        )

    def set_paused(self, chat_id: int, paused: bool) -> None:
        self.db.execute(
            "UPDATE chats SET paused = ?, digest_due_at = 0 WHERE id = ?", [int(paused), chat_id]
        )

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
