"""The match index: every watch compiled into one Aho-Corasick automaton, evaluated lazily.

How a match is found (cost per article grows with its length and its hits, not with the
number of watches):
1. Title and body become strings of folded word tokens between single spaces (" a b c "), so
   an automaton key " korea utara " can only match whole words. Keys are every term's token
   sequence in each written form that counts as equal (see `text`): an ASCII word of up to three
   letters also as capitals ("un" also "UN"), the last word also with a clitic ("putinnya").
2. One pass of the automaton over each field gives every term occurrence.
3. Each distinct query registers anchors: the terms without which it cannot match (all terms
   of an OR, the rarest-looking child of an AND). Only queries with an anchor hit are
   evaluated against their boolean tree; watches with the same query share one evaluation.
The reference evaluator (`reference.py`) defines the same semantics slowly; a property test
holds the two to agreement.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from bot.match.query import (
    AliasTable,
    And,
    AnyOf,
    Near,
    Node,
    Not,
    Or,
    Query,
    QueryError,
    Source,
    Term,
    anchored,
    parse_query,
)
from bot.match.text import CLITICS, MIN_CLITIC_HOST, is_acronym, words
from bot.models import Watch

TITLE, BODY = "title", "body"


@dataclass(frozen=True)
class Document:
    """What matching needs of an article."""

    title: str
    body: str
    source_name: str = ""
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A term occurrence: the term as typed, the field, and its word positions [start, end)."""

    term: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class WatchMatch:
    """A watch that fired on a document, with the occurrences of its terms."""

    watch: Watch
    hits: tuple[Hit, ...]


def scan_text(text: str) -> str:
    """A field as the automaton reads it: folded words between single spaces."""
    return f" {' '.join(words(text))} "


def written_forms(tokens: Sequence[str]) -> list[str]:
    """Every token string that counts as an occurrence of these tokens (see the module rules)."""
    choices = []
    for position, token in enumerate(tokens):
        forms = [token]
        if not is_acronym(token) and token.isascii() and token.isalpha() and len(token) <= 3:
            forms.append(token.upper())
        if position == len(tokens) - 1 and not is_acronym(token) and len(token) >= MIN_CLITIC_HOST:
            forms += [token + clitic for clitic in CLITICS]
        choices.append(forms)
    return [" ".join(combination) for combination in itertools.product(*choices)]


def source_matches(node: Source, document: Document) -> bool:
    """`source:` holds for a host ending in the value, or a source name containing its words."""
    value = node.typed.casefold()
    if any(host == value or host.endswith("." + value) for host in document.hosts):
        return True
    name = tuple(token.casefold() for token in words(document.source_name))
    width = len(node.tokens)
    return any(name[i : i + width] == node.tokens for i in range(len(name) - width + 1))


@dataclass
class _Compiled:
    query: Query
    watches: list[Watch]
    simple: bool


class _Scan:
    """Where each key occurred in one document: key id → [(field, end offset)]."""

    def __init__(self, strings: dict[str, str]) -> None:
        self.strings = strings
        self.found: dict[int, list[tuple[str, int]]] = defaultdict(list)

    def positions(self, key: int, length: int, title_only: bool) -> list[tuple[str, int, int]]:
        spans = []
        for field, end in self.found.get(key, ()):
            if title_only and field != TITLE:
                continue
            stop = self.strings[field].count(" ", 0, end)
            spans.append((field, stop - length, stop))
        return spans


class MatchIndex:
    """Immutable once built; build a new one when watches or aliases change."""

    def __init__(self, entries: Iterable[tuple[Watch, Query]]) -> None:
        self._keys: dict[tuple[str, ...], int] = {}
        self._queries: list[_Compiled] = []
        by_display: dict[str, _Compiled] = {}
        for watch, query in entries:
            compiled = by_display.get(query.display)
            if compiled is None:
                simple = isinstance(query.root, AnyOf) and not any(
                    term.title_only for term in query.root.terms
                )
                compiled = _Compiled(query, [], simple)
                by_display[query.display] = compiled
                self._queries.append(compiled)
            compiled.watches.append(watch)
        self._anchors: dict[int, list[int]] = defaultdict(list)
        for number, compiled in enumerate(self._queries):
            for key in sorted(self._anchor_keys(compiled.query.root)):
                self._anchors[key].append(number)
        self._automaton = self._build_automaton()

    @property
    def watch_count(self) -> int:
        return sum(len(compiled.watches) for compiled in self._queries)

    @property
    def query_count(self) -> int:
        return len(self._queries)

    def match(self, document: Document) -> list[WatchMatch]:
        """Every watch that fires on the document, with the occurrences of its terms."""
        if not self._queries:
            return []
        scan = _Scan({TITLE: scan_text(document.title), BODY: scan_text(document.body)})
        for field, string in scan.strings.items():
            for end, keys in self._automaton.iter(string):
                for key in keys:
                    scan.found[key].append((field, end))
        candidates = sorted({q for key in scan.found for q in self._anchors.get(key, ())})
        matches = []
        for number in candidates:
            compiled = self._queries[number]
            root = compiled.query.root
            if compiled.simple or self._holds(root, scan, document):
                hits = self._hits(compiled.query, scan)
                matches += [WatchMatch(watch, hits) for watch in compiled.watches]
        return matches

    def _key(self, term: Term) -> int:
        return self._keys.setdefault(term.tokens, len(self._keys))

    def _anchor_keys(self, node: Node) -> set[int]:
        if isinstance(node, AnyOf):
            return {self._key(term) for term in node.terms}
        if isinstance(node, Near):
            return self._anchor_keys(node.left)
        if isinstance(node, Or):
            return set().union(*(self._anchor_keys(child) for child in node.children))
        if isinstance(node, And):
            needed = [child for child in node.children if anchored(child)]
            return self._anchor_keys(min(needed, key=_commonness))
        return set()

    def _build_automaton(self) -> ahocorasick.Automaton:
        for compiled in self._queries:
            for term in compiled.query.terms():
                self._key(term)
        forms: dict[str, list[int]] = defaultdict(list)
        for tokens, key in self._keys.items():
            for form in written_forms(tokens):
                forms[f" {form} "].append(key)
        automaton = ahocorasick.Automaton()
        for form, keys in forms.items():
            automaton.add_word(form, tuple(keys))
        if forms:
            automaton.make_automaton()
        return automaton

    def _spans(self, term: Term, scan: _Scan) -> list[tuple[str, int, int]]:
        key = self._keys[term.tokens]
        return scan.positions(key, len(term.tokens), term.title_only)

    def _occurs(self, node: AnyOf, scan: _Scan) -> bool:
        for term in node.terms:
            found = scan.found.get(self._keys[term.tokens])
            if found and (not term.title_only or any(field == TITLE for field, _ in found)):
                return True
        return False

    def _holds(self, node: Node, scan: _Scan, document: Document) -> bool:
        if isinstance(node, AnyOf):
            return self._occurs(node, scan)
        if isinstance(node, And):
            return all(self._holds(child, scan, document) for child in node.children)
        if isinstance(node, Or):
            return any(self._holds(child, scan, document) for child in node.children)
        if isinstance(node, Not):
            return not self._holds(node.child, scan, document)
        if isinstance(node, Source):
            return source_matches(node, document)
        left = [s for term in node.left.terms for s in self._spans(term, scan)]
        right = [s for term in node.right.terms for s in self._spans(term, scan)]
        return near(left, right, node.distance)

    def _hits(self, query: Query, scan: _Scan) -> tuple[Hit, ...]:
        hits = {
            Hit(term.typed, field, start, end)
            for term in query.terms()
            for field, start, end in self._spans(term, scan)
        }
        return tuple(sorted(hits, key=lambda hit: (hit.field != TITLE, hit.start, hit.term)))


def compile_watches(
    watches: Iterable[Watch], aliases: AliasTable
) -> tuple[MatchIndex, list[tuple[Watch, QueryError]]]:
    """Parse every watch's query with the current aliases and index them; report the refused."""
    entries, refused = [], []
    for watch in watches:
        try:
            entries.append((watch, parse_query(watch.query, aliases)))
        except QueryError as exc:
            refused.append((watch, exc))
    return MatchIndex(entries), refused


def near(
    left: Sequence[tuple[str, int, int]], right: Sequence[tuple[str, int, int]], distance: int
) -> bool:
    """True when some left and right occurrence in one field have at most `distance` words between."""
    return any(
        lf == rf and max(rs - le, ls - re, 0) <= distance
        for lf, ls, le in left
        for rf, rs, re in right
    )


def _commonness(node: Node) -> float:
    """How often a node's anchors are likely to hit: longer, multi-word terms are rarer."""
    if isinstance(node, AnyOf):
        return sum(10.0 ** -(len(t.tokens) - 1) / len(t.key) for t in node.terms)
    if isinstance(node, Near):
        return _commonness(node.left)
    if isinstance(node, Or):
        return sum(_commonness(child) for child in node.children)
    if isinstance(node, And):
        return min(_commonness(child) for child in node.children if anchored(child))
    return float("inf")
