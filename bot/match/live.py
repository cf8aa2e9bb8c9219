"""The live index: a large base index plus a small one for recent changes.

Why: rebuilding the automaton for 100,000 watches takes seconds, and its last step is one long
C call that holds the GIL, stalling the event loop even from a worker thread. Watches change
one at a time, so a change only rebuilds the small `recent` index (milliseconds); removed
watches are filtered out of the base index's results until the next full rebuild.

Rules:
- `changed(added, removed)` returns a new LiveIndex; the old one stays valid for matches in
  progress. A watch that changed is removed and added again.
- Once `recent` holds more than `RECENT_LIMIT` watches, or more than `RECENT_LIMIT` base watches
  are removed, `needs_rebuild` says a full build is due (the caller does it off the loop).
- Matching computes each field's scan string once for both indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.match.index import Document, MatchIndex, QueryMatch, scan_fields
from bot.match.query import Query
from bot.models import Watch

RECENT_LIMIT = 2000
Entry = tuple[Watch, Query]


class LiveIndex:
    """Base index + recent changes, with removed watches masked."""

    def __init__(
        self,
        base: Iterable[Entry] | MatchIndex,
        recent: Sequence[Entry] = (),
        removed: frozenset[int] = frozenset(),
    ) -> None:
        self.base = base if isinstance(base, MatchIndex) else MatchIndex(base)
        self._recent_entries = tuple(recent)
        self._recent = MatchIndex(self._recent_entries)
        self._removed = removed

    @property
    def needs_rebuild(self) -> bool:
        return len(self._recent_entries) > RECENT_LIMIT or len(self._removed) > RECENT_LIMIT

    @property
    def watch_count(self) -> int:
        return self.base.watch_count - len(self._removed) + len(self._recent_entries)

    def changed(self, added: Sequence[Entry], removed: Iterable[int]) -> LiveIndex:
        """The index with these watches added and these watch ids removed."""
        gone = frozenset(removed) | {watch.id for watch, _ in added}
        recent = [entry for entry in self._recent_entries if entry[0].id not in gone]
        return LiveIndex(self.base, [*recent, *added], self._removed | (gone & self.base.watch_ids))

    def match(self, document: Document) -> list[QueryMatch]:
        fields = scan_fields(document)
        found = self.base.match(document, fields)
        if self._removed:
            found = [m for m in (self._masked(m) for m in found) if m is not None]
        return found + self._recent.match(document, fields)

    def _masked(self, found: QueryMatch) -> QueryMatch | None:
        kept = tuple(w for w in found.watches if w.id not in self._removed)
        if len(kept) == len(found.watches):
            return found
        return found.narrowed(kept) if kept else None
