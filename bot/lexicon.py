"""The lexicon in force: the one place the alias table and the context rules are joined.

Rules:
- The lexicon is the file's alias groups (`config/aliases.toml`) and context rules
  (`config/context.toml`), then the alias groups and context rules admins added from chat
  (`/alias`, `/konteks`), in that order. Everything that parses a query — the live index,
  `/watch` and its preview, `/list`, `/search`, `/tren`, the coverage back-fill, the console —
  asks `Lexicons` for it, so a query is understood the same way everywhere.
- It is built again only when the store's `aliases_version` moves (an admin changed a group or
  a rule); otherwise the same `Lexicon` object is returned, so callers may compare identity.
- A stored context rule is a kind (`NAME`, `VARIANT`, `PERSON`) and its words; `rule_rules`
  turns one into context rules and raises `RuleError` on words the rules cannot use. A stored
  rule that a later version cannot read is skipped with a warning, never stops the lexicon.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from bot.config import read_alias_groups, read_context_rules
from bot.match import ContextRules, Lexicon, RuleError, build_table
from bot.store import Store

log = logging.getLogger(__name__)
NAME, VARIANT, PERSON = "name", "variant", "person"
StoredRule = tuple[int, str, list[str]]


def rule_rules(kind: str, words: Sequence[str]) -> ContextRules:
    """The context rules one stored rule stands for.

    - `name`: one longer name in which an alias means something else ("AS Roma").
    - `variant`: single-word spellings of one word, the first canonical ("Cina", "China").
    - `person`: a known person's full name; its bare name fires only as that person.
    """
    if kind == NAME and len(words) == 1:
        return ContextRules.from_tables({"names": {"other": list(words)}})
    if kind == VARIANT:
        return ContextRules.from_tables({"variants": [{"words": list(words)}]})
    if kind == PERSON and len(words) == 1:
        return ContextRules.from_tables({"persons": {"names": list(words)}})
    raise RuleError(f"unknown context rule {kind!r} with {len(words)} entries")


class Lexicons:
    """Hands out the current lexicon, rebuilt when admins change aliases or rules."""

    def __init__(self, store: Store, groups: list[list[str]], rules: ContextRules) -> None:
        self._store = store
        self._groups = groups
        self._rules = rules
        self._version = -1
        self._lexicon = build_table(groups, rules)

    @classmethod
    def from_config(cls, store: Store, aliases_file: Path) -> Lexicons:
        """The file's groups and rules (`aliases_file` and its sibling `context.toml`)."""
        return cls(store, read_alias_groups(aliases_file), read_context_rules(aliases_file))

    async def current(self) -> Lexicon:
        """The lexicon as the store says now (from async code: the store is read off the loop)."""
        store = self._store
        version = await store.run(store.aliases_version)
        if version != self._version:
            groups, rules = await store.run(self._stored)
            self._install(version, groups, rules)
        return self._lexicon

    def load(self) -> Lexicon:
        """The same, for sync callers (the console before its event loop starts)."""
        version = self._store.aliases_version()
        if version != self._version:
            self._install(version, *self._stored())
        return self._lexicon

    def _stored(self) -> tuple[list[list[str]], list[StoredRule]]:
        store = self._store
        return [names for _, names in store.alias_groups()], store.context_rules()

    def _install(self, version: int, groups: list[list[str]], stored: list[StoredRule]) -> None:
        rules = self._rules
        for rule_id, kind, words in stored:
            try:
                rules = rules.merged(rule_rules(kind, words))
            except RuleError as exc:
                log.warning("context rule #%s skipped: %s", rule_id, exc)
        self._lexicon = build_table([*self._groups, *groups], rules)
        self._version = version
