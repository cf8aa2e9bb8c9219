"""The alias table: groups of names that mean the same thing, built in and added by admins.

Rules:
- `config/aliases.toml` holds `[[alias]]` groups (`names = [...]`, read by `config`); admins
  add groups in chat, stored in the database. Both are merged into one table here, together
  with the context rules of `config/context.toml` (and any rules added later) when given.
- A name's key is its word tokens casefolded, in canonical spelling ("Kim Jong-un", "kim jong
  un" are one key; so are "Cina" and "China" when the rules make them one word).
- A name in several groups expands to the members of all of them, in the order listed, without
  repeats; expansion is not transitive beyond that (no chains through a shared member).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.match.context import ContextRules, Lexicon


def build_table(groups: Iterable[Sequence[str]], rules: ContextRules | None = None) -> Lexicon:
    """Map each name's key to every name it stands for, with the senses the rules give."""
    return Lexicon(groups, rules)
