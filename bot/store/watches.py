"""Watches (what each chat asked to be alerted to), the admins' alias groups and context rules.

Rules:
- A watch belongs to the chat it was made in; every lookup by id also checks the chat.
- One live watch per (chat, display): adding one the query language understands the same way
  returns the existing watch.
- A deleted watch keeps its row (`deleted_at`) so that the delete can be undone; the watches of
  a chat gone for good are deleted after a grace period.
- Every change to what the match index must hold bumps `watches_version`; a change of alias
  groups or context rules also bumps `aliases_version` (the lexicon and the index are then
  rebuilt whole).
- A context rule is a kind and its words, stored as given; `bot.lexicon` checks and reads them.
  Adding the same rule twice returns the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.models import Watch
from bot.store.base import ALIASES_VERSION, WATCHES_VERSION, StoreBase, inserted_id, to_epoch


class WatchesMixin(StoreBase):
    """The `watches`, `aliases` and `context_rules` tables."""

    def add_watch(
        self, chat_id: int, query: str, display: str, now: datetime, thread_id: int | None = None
    ) -> tuple[Watch, bool]:
        """Add a watch; return it and whether it is new (one understood the same is reused)."""
        existing = self._live_watch(chat_id, display)
        if existing is not None:
            return existing, False
        table = self.db.table("watches")
        table.insert(
            {
                "chat_id": chat_id,
                "query": query,
                "display": display,
                "created_at": to_epoch(now),
                "thread_id": thread_id,
            }
        )
        self._bump(WATCHES_VERSION)
        return Watch(inserted_id(table), chat_id, query, display, thread_id=thread_id), True

    def remove_watch(self, chat_id: int, watch_id: int | None, text: str) -> Watch | None:
        """Delete this chat's watch by id or by its text; None when it has no such watch."""
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE chat_id = ? AND deleted_at IS NULL "
                "AND (id = ? OR lower(query) = lower(?) OR lower(display) = lower(?))",
                [chat_id, watch_id, text, text],
            )
        )
        if not rows:
            return None
        self.db.execute(
            "UPDATE watches SET deleted_at = ? WHERE id = ?",
            [to_epoch(datetime.now(UTC)), rows[0]["id"]],
        )
        self._bump(WATCHES_VERSION)
        return _watch(rows[0])

    def restore_watch(self, chat_id: int, watch_id: int) -> Watch | None:
        """Undo a delete, unless the chat has since added the same watch again."""
        found = self.find_watch(chat_id, watch_id, deleted=True)
        if found is None or self._live_watch(chat_id, found.display) is not None:
            return None
        self.db.execute("UPDATE watches SET deleted_at = NULL WHERE id = ?", [watch_id])
        self._bump(WATCHES_VERSION)
        return found

    def find_watch(self, chat_id: int, watch_id: int, *, deleted: bool = False) -> Watch | None:
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE id = ? AND chat_id = ? AND deleted_at IS "
                + ("NOT NULL" if deleted else "NULL"),
                [watch_id, chat_id],
            )
        )
        return _watch(rows[0]) if rows else None

    def _live_watch(self, chat_id: int, display: str) -> Watch | None:
        rows = list(
            self.db.query(
                "SELECT * FROM watches WHERE chat_id = ? AND display = ? AND deleted_at IS NULL",
                [chat_id, display],
            )
        )
        return _watch(rows[0]) if rows else None

    def set_muted(self, chat_id: int, watch_id: int, muted: bool) -> Watch | None:
        """Mute or unmute one of this chat's watches; None when the chat has no such watch."""
        cursor = self.db.execute(
            "UPDATE watches SET muted = ? WHERE id = ? AND chat_id = ? AND deleted_at IS NULL",
            [int(muted), watch_id, chat_id],
        )
        if not cursor.rowcount:
            return None
        self._bump(WATCHES_VERSION)
        return _watch(next(iter(self.db.query("SELECT * FROM watches WHERE id = ?", [watch_id]))))

    def list_watches(self, chat_id: int) -> list[Watch]:
        rows = self.db.query(
            "SELECT * FROM watches WHERE chat_id = ? AND deleted_at IS NULL ORDER BY id", [chat_id]
        )
        return [_watch(row) for row in rows]

    def active_watches(self) -> list[Watch]:
        rows = self.db.query(
            "SELECT watches.* FROM watches JOIN chats ON chats.id = watches.chat_id "
            "WHERE chats.active = 1 AND watches.muted = 0 AND watches.deleted_at IS NULL "
            "ORDER BY watches.id"
        )
        return [_watch(row) for row in rows]

    def active_watch_ids(self) -> set[int]:
        """Ids of the watches the match index must hold: those of active chats."""
        rows = self.db.execute(
            "SELECT watches.id FROM watches JOIN chats ON chats.id = watches.chat_id "
            "WHERE chats.active = 1 AND watches.muted = 0 AND watches.deleted_at IS NULL"
        ).fetchall()
        return {row[0] for row in rows}

    def watches_by_ids(self, ids: Iterable[int]) -> list[Watch]:
        wanted = sorted(ids)
        found: list[Watch] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            rows = self.db.query(f"SELECT * FROM watches WHERE id IN ({placeholders})", chunk)
            found += [_watch(row) for row in rows]
        return found

    def drop_watches_of_chats_gone_since(self, before: datetime) -> int:
        """Delete the watches of chats that left before `before` and never came back."""
        cursor = self.db.execute(
            "DELETE FROM watches WHERE chat_id IN "
            "(SELECT id FROM chats WHERE active = 0 AND left_at < ?)",
            [to_epoch(before)],
        )
        return cursor.rowcount

    def watches_version(self) -> int:
        """Changes whenever the set of active watches or the alias groups change."""
        return int(self.get_meta(WATCHES_VERSION) or 0)

    def aliases_version(self) -> int:
        """Changes whenever admins add or remove an alias group or a context rule."""
        return int(self.get_meta(ALIASES_VERSION) or 0)

    def add_alias_group(self, names: list[str], user_id: int, now: datetime) -> int:
        table = self.db.table("aliases")
        table.insert(
            {"names": json.dumps(names), "created_by": user_id, "created_at": to_epoch(now)}
        )
        self._bump(ALIASES_VERSION)
        self._bump(WATCHES_VERSION)
        return inserted_id(table)

    def alias_groups(self) -> list[tuple[int, list[str]]]:
        rows = self.db.query("SELECT id, names FROM aliases ORDER BY id")
        return [(row["id"], json.loads(row["names"])) for row in rows]

    def remove_alias_group(self, group_id: int) -> bool:
        cursor = self.db.execute("DELETE FROM aliases WHERE id = ?", [group_id])
        self._bump(ALIASES_VERSION)
        self._bump(WATCHES_VERSION)
        return cursor.rowcount > 0

    def add_context_rule(
        self, kind: str, words: list[str], user_id: int, now: datetime
    ) -> tuple[int, bool]:
        """Store a context rule; return its id and whether it is new."""
        encoded = json.dumps(words, ensure_ascii=False)
        row = self.db.execute(
            "SELECT id FROM context_rules WHERE kind = ? AND words = ?", [kind, encoded]
        ).fetchone()
        if row is not None:
            return int(row[0]), False
        table = self.db.table("context_rules")
        table.insert(
            {"kind": kind, "words": encoded, "created_by": user_id, "created_at": to_epoch(now)}
        )
        self._bump(ALIASES_VERSION)
        self._bump(WATCHES_VERSION)
        return inserted_id(table), True

    def context_rules(self) -> list[tuple[int, str, list[str]]]:
        """Every stored context rule: id, kind and words, oldest first."""
        rows = self.db.query("SELECT id, kind, words FROM context_rules ORDER BY id")
        return [(row["id"], row["kind"], json.loads(row["words"])) for row in rows]

    def remove_context_rule(self, rule_id: int) -> bool:
        cursor = self.db.execute("DELETE FROM context_rules WHERE id = ?", [rule_id])
        if cursor.rowcount:
            self._bump(ALIASES_VERSION)
            self._bump(WATCHES_VERSION)
        return cursor.rowcount > 0


def _watch(row: dict[str, Any]) -> Watch:
    display = row["display"] or row["query"]
    return Watch(
        row["id"], row["chat_id"], row["query"], display, bool(row["muted"]), row["thread_id"]
    )
