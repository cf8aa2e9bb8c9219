"""Occurrences as the index sees them: scan-string neighbours, raw text on demand, reports.

Rules:
- An `IndexSpot` reads its neighbours from the scan string with a few `find` calls, in
  canonical spelling; it asks its field's `Locator` for the raw text only when a rule needs it.
- A `Locator` finds a one-word term's occurrences in the cleaned field text with one regular
  expression (its spellings, with a clitic when the scan allows one) and pairs the n-th match
  with the n-th occurrence in the scan. When the counts differ it falls back to every word's
  position; when even those do not line up with the scan, there is no raw text (rules that
  need it do not apply).
- `Occurrence` is what a user is shown of a hit: its place in the cleaned text, a snippet of
  whole words around it, and the phrase around it to exclude ("AS Roma").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.match.context import WINDOW, RawSpot, Spellings, raw_spans
from bot.match.text import CLITICS, MIN_CLITIC_HOST, clean, is_acronym


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


class Locator:
    """Raw-text positions of one key's occurrences in one field, found once, on demand."""

    __slots__ = ("_count", "_found", "_pattern", "_scan_words", "_words", "text")

    def __init__(
        self, text: str, pattern: re.Pattern[str] | None, count: int, scan_words: int
    ) -> None:
        self.text = text
        self._pattern, self._count, self._scan_words = pattern, count, scan_words
        self._found: list[tuple[int, int]] | None = None
        self._words: list[tuple[int, int]] | None = None

    def span(self, number: int, start: int, end: int) -> tuple[int, int] | None:
        """The `number`-th occurrence (words [start, end)) as characters of `text`."""
        if self._found is None:
            found = [m.span() for m in self._pattern.finditer(self.text)] if self._pattern else []
            self._found = found if len(found) == self._count else []
        if self._found:
            return self._found[number]
        if self._words is None:
            self._words = raw_spans(self.text)
        if len(self._words) != self._scan_words:
            return None
        return self._words[start][0], self._words[end - 1][1]


def term_pattern(tokens: Sequence[str], spellings: Spellings) -> re.Pattern[str] | None:
    """A one-word term as it can be written in cleaned text; None for phrases."""
    if len(tokens) != 1:
        return None
    token = tokens[0].rstrip("\x01")
    if is_acronym(token):
        return re.compile(rf"(?<!\w){token}(?!\w)")
    forms = "|".join(re.escape(s) for s in spellings.spellings_of(token))
    clitic = f"(?:{'|'.join(CLITICS)})?" if len(token) >= MIN_CLITIC_HOST else ""
    return re.compile(rf"(?<!\w)(?:{forms}){clitic}(?!\w)", re.IGNORECASE)


class IndexSpot:
    """One occurrence of a key in a scan string (`spot` of `context`)."""

    __slots__ = ("_after", "_before", "_first", "_last", "end", "field", "locator", "number")
    __slots__ += ("scan", "spellings", "start")

    def __init__(
        self,
        field: str,
        scan: str,
        first: int,
        last: int,
        words: tuple[int, int],
        number: int,
        locator: Locator,
        spellings: Spellings,
    ) -> None:
        self.field, self.scan, self.locator, self.spellings = field, scan, locator, spellings
        self._first, self._last = first, last  # the key's leading and trailing space
        self.start, self.end = words
        self.number = number
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
            self._before = [self.spellings.token(t) for t in self.scan[position : self._first].split()]
        return self._before

    def after(self) -> list[str]:
        if self._after is None:
            position = self._last
            for _ in range(WINDOW + 1):
                position = self.scan.find(" ", position + 1)
                if position < 0:
                    position = len(self.scan)
                    break
            tokens = self.scan[self._last : position].split()[:WINDOW]
            self._after = [self.spellings.token(t) for t in tokens]
        return self._after

    def raw(self) -> RawSpot | None:
        found = self.locator.span(self.number, self.start, self.end)
        return None if found is None else RawSpot.at(self.locator.text, *found)


def occurrences_of(document: object, hits: Sequence[Hit], width: int) -> list[Occurrence]:
    """Each hit's place in the cleaned text of its field; hits that cannot be placed are left out."""
    texts = {"title": clean(getattr(document, "title", "")), "body": clean(getattr(document, "body", ""))}
    spans = {name: raw_spans(text) for name, text in texts.items()}
    result = []
    for hit in hits:
        text, words = texts[hit.field], spans[hit.field]
        if hit.end > len(words):
            continue
        start, end = words[hit.start][0], words[hit.end - 1][1]
        result.append(Occurrence(hit, start, end, _snippet(text, start, end, width), _phrase(text, words, hit)))
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
    if end < len(words) and _joined(text, words[end - 1][1], words[end][0]) and _capital(text, words[end]):
        end += 1
    elif start > 0 and _joined(text, words[start - 1][1], words[start][0]) and _capital(text, words[start - 1]):
        start -= 1
    elif end < len(words) and _joined(text, words[end - 1][1], words[end][0]):
        end += 1
    return " ".join(text[a:b] for a, b in words[start:end])


def _joined(text: str, left: int, right: int) -> bool:
    return not text[left:right].strip(" -")


def _capital(text: str, span: tuple[int, int]) -> bool:
    return text[span[0] : span[1]][:1].isupper()
