"""Occurrences as the index sees them, and as a user is shown them.

Rules:
- An `IndexSpot` reads its neighbours from the scan string with a few `find` calls, in
  canonical spelling, only when a rule asks; rules read the raw text through `context.Page`.
- `Occurrence` is what a user is shown of a hit: its place in the cleaned text (where every
  word stands, worked out only then), a snippet of whole words around it, and the phrase
  around it to exclude ("AS Roma").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.match.context import WINDOW, raw_spans
from bot.match.text import clean


@dataclass(frozen=True, slots=True)
class Hit:
    """A term occurrence: the term as typed, the field, and its word positions [start, end)."""

    term: str
    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A hit in the text: character offsets in `clean(field text)`, a snippet, the phrase."""

    hit: Hit
    start: int
    end: int
    snippet: str
    phrase: str


class IndexSpot:
    """One occurrence of a key in a scan string (`Spot` of `context`)."""

    __slots__ = ("_after", "_before", "_first", "_last", "field", "lookup", "scan")

    def __init__(
        self, field: str, scan: str, first: int, last: int, lookup: Mapping[str, str]
    ) -> None:
        self.field, self.scan, self.lookup = field, scan, lookup
        self._first, self._last = first, last  # the key's leading and trailing space
        self._before: list[str] | None = None
        self._after: list[str] | None = None

    def before(self) -> list[str]:
        if self._before is None:
            position = self._first
            for _ in range(WINDOW):
                position = self.scan.rfind(" ", 0, position)
                if position <= 0:
                    position = 0
                    break
            lookup = self.lookup
            self._before = [lookup.get(t, t) for t in self.scan[position : self._first].split()]
        return self._before

    def after(self) -> list[str]:
        if self._after is None:
            position = self._last
            for _ in range(WINDOW + 1):
                position = self.scan.find(" ", position + 1)
                if position < 0:
                    position = len(self.scan)
                    break
            lookup = self.lookup
            tokens = self.scan[self._last : position].split()[:WINDOW]
            self._after = [lookup.get(t, t) for t in tokens]
        return self._after


def occurrences_of(document: object, hits: Sequence[Hit], width: int) -> list[Occurrence]:
    """Each hit's place in the cleaned text of its field; hits that cannot be placed are left out."""
    texts = {
        "title": clean(getattr(document, "title", "")),
        "body": clean(getattr(document, "body", "")),
    }
    spans = {name: raw_spans(text) for name, text in texts.items()}
    result = []
    for hit in hits:
        text, words = texts[hit.field], spans[hit.field]
        if hit.end > len(words):
            continue
        start, end = words[hit.start][0], words[hit.end - 1][1]
        result.append(
            Occurrence(
                hit, start, end, _snippet(text, start, end, width), _phrase(text, words, hit)
            )
        )
    return result


def _snippet(text: str, start: int, end: int, width: int) -> str:
    """Whole words within `width` characters either side, "…" where text was cut."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        left = text.find(" ", left, start) + 1 or left
    if right < len(text):
        cut = text.rfind(" ", end, right)
        right = cut if cut > 0 else right
    piece = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")


def _phrase(text: str, words: Sequence[tuple[int, int]], hit: Hit) -> str:
    """The occurrence with the capitalised word next to it, to exclude as a phrase ("AS Roma")."""
    start, end = hit.start, hit.end
    if (
        end < len(words)
        and _joined(text, words[end - 1][1], words[end][0])
        and _capital(text, words[end])
    ):
        end += 1
    elif (
        start > 0
        and _joined(text, words[start - 1][1], words[start][0])
        and _capital(text, words[start - 1])
    ):
        start -= 1
    elif end < len(words) and _joined(text, words[end - 1][1], words[end][0]):
        end += 1
    return " ".join(text[a:b] for a, b in words[start:end])


def _joined(text: str, left: int, right: int) -> bool:
    return not text[left:right].strip(" -")


def _capital(text: str, span: tuple[int, int]) -> bool:
    return text[span[0] : span[1]][:1].isupper()
