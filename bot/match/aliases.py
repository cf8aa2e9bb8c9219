"""The alias table: groups of names that mean the same thing, built in and added by admins.

Rules:
- `config/aliases.toml` holds `[[alias]]` groups (`names = [...]`); admins add groups in chat,
  stored in the database. Both are merged into one table.
- A name's key is its word tokens casefolded, so "Kim Jong-un" and "kim jong un" are one key.
- A name in several groups expands to the members of all of them, in the order listed, without
  repeats; expansion is not transitive beyond that (no chains through a shared member).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.config import ConfigError
from bot.match.query import AliasTable
from bot.match.text import words


def alias_key(name: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in words(name))


def read_alias_file(path: Path) -> list[list[str]]:
    """The groups of an alias file; a missing file has none."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"alias file {path} is not valid TOML: {exc}") from exc
    groups = []
    for number, table in enumerate(data.get("alias", []), start=1):
        names = table.get("names")
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(n, str) for n in names)
        ):
            raise ConfigError(f"alias #{number} in {path} needs names = [two or more strings]")
        groups.append(names)
    return groups


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
