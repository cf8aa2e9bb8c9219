"""The states of an outbox row and the reasons an alert is held, named once, and how SQL
writes them.

Rules:
- A row's `status` is a `DeliveryState` (see `outbox` for how a row moves between them); a
  held alert's `held_reason` is a `HeldReason` (`digest.route` decides it).
- Alerts held for one of `BOUNDARY_REASONS` wait for the chat's next scheduled digest moment;
  the others (quiet hours, a pause, /resume) go out as soon as the chat may receive them. This
  is the one statement of that rule: the store sums it up per chat (`held_boundary`) and
  `digest.digest_due_at` turns it into a moment.
- In a query a state is written as an SQL literal built from these constants (`PENDING` is
  `'pending'`), never bound as a parameter: SQLite uses a partial index
  (`... WHERE status = 'pending'`) only for a query that states the same literal.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class DeliveryState(StrEnum):
    """The `status` of an outbox row (alert, digest part or notice)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DROPPED = "dropped"


class HeldReason(StrEnum):
    """Why a held alert waits: the chat takes digests, an alert storm, quiet hours, a pause,
    or /resume chose a digest of what was missed."""

    DIGEST = "digest"
    STORM = "storm"
    QUIET = "quiet"
    PAUSED = "paused"
    RESUMED = "resumed"


BOUNDARY_REASONS = (HeldReason.DIGEST, HeldReason.STORM)


def sql_literal(value: str) -> str:
    """`value` as an SQL string literal (the constants here hold no quote)."""
    return f"'{value}'"


def sql_list(values: Iterable[str]) -> str:
    """`values` as an SQL list of literals, for `IN (...)`."""
    return "(" + ", ".join(sql_literal(value) for value in values) + ")"


PENDING = sql_literal(DeliveryState.PENDING)
SENT = sql_literal(DeliveryState.SENT)
FAILED = sql_literal(DeliveryState.FAILED)
HELD = sql_literal(DeliveryState.HELD)
DROPPED = sql_literal(DeliveryState.DROPPED)
RESUMED = sql_literal(HeldReason.RESUMED)
WAITING = sql_list((DeliveryState.PENDING, DeliveryState.HELD))
BOUNDARY = sql_list(BOUNDARY_REASONS)
