"""The alias table: groups of names that mean the same thing, built in and added by admins.

Rules:
- `config/aliases.toml` holds `[[alias]]` groups (`names = [...]`, read by `config`); admins
  add groups in chat, stored in the database. Both are merged into one table here.
- A name's key is its word tokens casefolded, so "Kim Jong-un" and "kim jong un" are one key.
- A name in several groups expands to the members of all of them, in the order listed, without
  repeats; expansion is not transitive beyond that (no chains through a shared member).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.match.query import AliasTable
from bot.match.text import words


def alias_key(name: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in words(name))


def build_table(groups: Iterable[Sequence[str]]) -> AliasTable:
    """Map each name's key to every name it stands for."""
    table: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        for name in group:
            key = alias_key(name)
            if not key:
                continue
            members = table.setdefault(key, [])
            members.extend(other for other in group if other not in members)
    return table
