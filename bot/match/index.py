"""The match index: every watch compiled into one Aho-Corasick automaton, evaluated lazily.

How a match is found (cost per article grows with its length and its hits, not with the
number of watches):
1. Title and body become strings of comparable word forms between single spaces (" a b c ",
   see `text.scan_string`), so an automaton key " korea utara " only matches whole words. A
   term's keys are its token sequence in every form that counts as equal: an ASCII word of up
   to three letters also in capitals ("un" also "UN"), the last word also with a clitic mark
   ("putin" also "putin·", which is how "Putinnya" reads).
2. One pass of the automaton over each field gives the set of terms that occur; positions are
   only worked out when a NEAR or a report needs them.
3. Each distinct query registers anchors: the terms without which it cannot match (all terms
   of an OR, the rarest-looking child of an AND). Only queries with an anchor hit are
   evaluated against their boolean tree; watches with the same query share one evaluation.
4. A term with a sense (context rules, see `context`) is its own key. When such a key occurs
   and a query holding it is a candidate, its occurrences are judged, once per document,
   before any query is evaluated; a key none of whose occurrences count is as absent, and the
   candidates are worked out again. Raw text is read only around those occurrences.
5. Spelling variants (see `context.Spellings`) are one word: a one-word term is also keyed
   under its other spellings; a phrase is keyed in canonical spelling only, and a document
   that contains another spelling of one of its words is scanned again in canonical spelling.
The reference evaluator (`reference.py`) defines the same semantics slowly; a property test
holds the two to agreement.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import cast
from urllib.parse import urlsplit

import ahocorasick  # no stubs published: pyproject.toml lets mypy ignore the import

from bot.match.context import BODY, TITLE, Page, Sense, Spellings, judge
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
from bot.match.spots import Hit, IndexSpot, Occurrence, occurrences_of
from bot.match.text import CLITIC_MARK, base, clean, is_acronym, scan_string, words
from bot.models import Watch

MARKER = -1  # automaton value of another spelling of a word that a phrase key contains
Span = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Document:
    """What matching needs of an article."""

    title: str
    body: str
    source_name: str = ""
    hosts: tuple[str, ...] = ()


class QueryMatch:
    """A query that fired on a document, with every watch that holds it.

    `hits()` says which of its terms occur, and where; it is worked out on first use, once for
    all the watches that share the query.
    """

    __slots__ = ("_compiled", "_hits", "_scan", "watches")

    def __init__(self, compiled: _Compiled, scan: _Scan, watches: tuple[Watch, ...]) -> None:
        self._compiled = compiled
        self._scan = scan
        self.watches = watches
        self._hits: tuple[Hit, ...] | None = None

    @property
    def display(self) -> str:
        return self._compiled.display

    def narrowed(self, watches: tuple[Watch, ...]) -> QueryMatch:
        """The same match for fewer watches (some were removed since the index was built)."""
        return QueryMatch(self._compiled, self._scan, watches)

    def hits(self) -> tuple[Hit, ...]:
        if self._hits is None:
            found = {
                Hit(term.typed, name, start, end)
                for term in self._compiled.terms
                for name, start, end in self._scan.index.spans(term, self._scan)
            }
            self._hits = tuple(sorted(found, key=lambda h: (h.field != TITLE, h.start, h.term)))
        return self._hits

    def occurrences(self, width: int = 60) -> list[Occurrence]:
        """Where each hit stands in the document's text, with a snippet of `width` around it."""
        return occurrences_of(self._scan.document, self.hits(), width)


def scan_fields(document: Document) -> dict[str, str]:
    """The document's fields as the automaton reads them (see `text.scan_string`)."""
    return {TITLE: scan_string(document.title), BODY: scan_string(document.body)}


def written_forms(tokens: Sequence[str], spellings: Spellings | None = None) -> list[str]:
    """Every scan-string spelling of a term's tokens (see the module rules).

    A one-word term is also written in its other spellings; a phrase only in canonical ones.
    """
    if spellings and len(tokens) == 1:
        return [f for word in spellings.spellings_of(tokens[0]) for f in _word_forms(word, True)]
    last = len(tokens) - 1
    choices = [_word_forms(token, position == last) for position, token in enumerate(tokens)]
    return [" ".join(combination) for combination in itertools.product(*choices)]


def _word_forms(token: str, last: bool) -> list[str]:
    forms = [base(token)]
    if not is_acronym(token) and token.isascii() and token.isalpha() and len(token) <= 3:
        forms.append(token.upper())
    if last and forms[0] == token and len(token) >= 4:
        forms.append(token + CLITIC_MARK)
    return forms


def hosts_of(*urls: str) -> tuple[str, ...]:
    """The hosts of an article's and its feed's URLs, without "www.", for `source:`."""
    return tuple(
        host.removeprefix("www.") for host in (urlsplit(url).hostname for url in urls) if host
    )


def source_matches(node: Source, document: Document) -> bool:
    """`source:` holds for a host ending in the value, or a source name containing its words."""
    value = node.typed.casefold()
    if any(host == value or host.endswith("." + value) for host in document.hosts):
        return True
    name = tuple(token.casefold() for token in words(document.source_name))
    width = len(node.tokens)
    return any(name[i : i + width] == node.tokens for i in range(len(name) - width + 1))


class _Scan:
    """One document's automaton results: which keys occur per field, positions on demand.

    Keys with a sense are judged by `judge`, once, when a candidate query holds them:
    `accepted` holds the occurrences that count, and a key with none is dropped from `found`
    (and from `title_keys` without one in the title).
    """

    __slots__ = (
        "accepted",
        "automaton",
        "body_keys",
        "document",
        "found",
        "index",
        "raw",
        "shared",
        "strings",
        "title_keys",
    )

    def __init__(self, index: MatchIndex, strings: dict[str, str], document: Document) -> None:
        self.index, self.shared, self.document = index, index.shared, document
        self.automaton = automaton = index.automaton
        raw: dict[str, list[tuple[int, int]] | None] = {}
        keys: dict[str, set[int]] = {}
        shared = self.shared
        for name, text in strings.items():
            hits = raw[name] = list(automaton.iter(text))
            found = keys[name] = set(map(_second, hits))
            if not index.rescan.isdisjoint(found):
                # another spelling of a phrase's word: scan its surroundings in canonical spelling
                strings[name], region = index.canonical_region(text, hits)
                found.update(map(_second, automaton.iter(region)))
                raw[name] = None  # worked out again on demand, in canonical spelling
            for form in found & shared.keys():
                found.update(shared[form])
            found.discard(MARKER)
        self.strings, self.raw = strings, raw
        self.title_keys, self.body_keys = keys[TITLE], keys[BODY]
        self.found = self.title_keys | self.body_keys
        self.accepted: dict[int, list[Span] | None] = {}  # None: every occurrence counts

    def judge(self, index: MatchIndex, keys: set[int]) -> list[int]:
        """Judge these keys' occurrences; the keys that turned out absent from the document."""
        dropped = []
        page = Page({TITLE: clean(self.document.title), BODY: clean(self.document.body)})
        lookup = index.spellings.lookup
        readers, found = index.raw_readers, self.found
        for key in keys:
            sense = index.senses[key]
            if found.isdisjoint(index.needles_of[key]) and (
                key not in readers or sense.quiet(page, self._fields(key))
            ):
                self.accepted[key] = None
                continue
            width = len(sense.name)
            spots: list[tuple[IndexSpot, Span]] = []
            for name, text in self.strings.items():
                for end in self._positions(index, name, key):
                    stop = text.count(" ", 0, end)
                    first = _nth_space_back(text, end, width)
                    spot = IndexSpot(name, text, first, end, lookup)
                    spots.append((spot, (name, stop - width, stop)))
            verdicts = judge(sense, [spot for spot, _ in spots], page)
            kept = [span for (_, span), ok in zip(spots, verdicts, strict=True) if ok]
            self.accepted[key] = kept
            if not kept:
                self.found.discard(key)
                dropped.append(key)
            if not any(field == TITLE for field, _, _ in kept):
                self.title_keys.discard(key)
        return dropped

    def _fields(self, key: int) -> tuple[str, ...]:
        if key in self.title_keys:
            return (TITLE, BODY) if key in self.body_keys else (TITLE,)
        return (BODY,)

    def _positions(self, index: MatchIndex, name: str, key: int) -> list[int]:
        """End offsets (the trailing space) of a key's occurrences in one field, in order."""
        text = self.strings[name]
        ends = []
        for spelled in index.spelled[key]:
            position = text.find(spelled)
            while position >= 0:
                ends.append(position + len(spelled) - 1)
                position = text.find(spelled, position + 1)
        return sorted(ends)

    def _ends(self, key: int, name: str) -> list[int]:
        """End offsets of a key's occurrences in one field, from the automaton's hits."""
        hits = self.raw[name]
        if hits is None:
            hits = self.raw[name] = list(self.automaton.iter(self.strings[name]))
        shared = self.shared
        return [end for end, value in hits if value == key or key in shared.get(value, ())]

    def spans(self, key: int, length: int, title_only: bool) -> list[Span]:
        accepted = self.accepted.get(key)
        if accepted is not None:
            return [s for s in accepted if not title_only or s[0] == TITLE]
        result = []
        for name in self.raw:
            if title_only and name != TITLE:
                continue
            text = self.strings[name]
            for end in self._ends(key, name):
                stop = text.count(" ", 0, end)
                result.append((name, stop - length, stop))
        return result


def _nth_space_back(text: str, end: int, width: int) -> int:
    """The leading space of a key of `width` words whose trailing space is at `end`."""
    position = end
    for _ in range(width):
        position = text.rfind(" ", 0, position)
    return position


_second = itemgetter(1)
Test = Callable[[_Scan, Document], bool]


@dataclass(frozen=True, slots=True)
class _Compiled:
    display: str
    terms: tuple[Term, ...]
    watches: tuple[Watch, ...]
    test: Test | None


class MatchIndex:
    """Immutable once built; build a new one when watches or aliases change."""

    def __init__(self, entries: Iterable[tuple[Watch, Query]]) -> None:
        with collector_paused():
            self._build(entries)

    def _build(self, entries: Iterable[tuple[Watch, Query]]) -> None:
        # a term's key number: by its tokens, or by tokens and sense (two dicts rather than
        # one of pairs: a pair per key cost 8 MB at 100,000 watches)
        self._plain: dict[tuple[str, ...], int] = {}
        self._judged: dict[tuple[tuple[str, ...], Sense], int] = {}
        self._sensed: set[int] = set()  # keys with a sense
        groups: dict[str, tuple[Query, list[Watch]]] = {}
        spellings: dict[int, Spellings] = {}
        for watch, query in entries:
            groups.setdefault(query.display, (query, []))[1].append(watch)
            spellings.setdefault(id(query.spellings), query.spellings)
        self.spellings = _merged(spellings.values())
        self._queries = [
            _Compiled(
                display, tuple(query.terms()), tuple(watches), self._compile_query(query.root)
            )
            for display, (query, watches) in groups.items()
        ]
        alone: dict[int, list[int]] = defaultdict(list)
        paired: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        # the anchor plans of queries with a judged anchor, for when judging drops a key
        self._plans: dict[int, tuple[frozenset[int], tuple[int, ...]]] = {}
        for number, (query, _) in enumerate(groups.values()):
            primary, secondary = self._anchor_plan(query.root)
            if not (self._sensed.isdisjoint(primary) and self._sensed.isdisjoint(secondary)):
                self._plans[number] = (frozenset(primary), secondary)
            for key in primary:
                if secondary:
                    paired[key].append((number, secondary))
                else:
                    alone[key].append(number)
        # key → queries it makes candidates by itself; key → (query, keys one of which must
        # also occur) for ANDs and NEARs. Tuples: they are read millions of times, never changed.
        # Most keys make one query a candidate: those map to its number, the rest to a tuple.
        self._alone_one = {key: numbers[0] for key, numbers in alone.items() if len(numbers) == 1}
        self._alone = {key: tuple(numbers) for key, numbers in alone.items() if len(numbers) > 1}
        self._paired = {key: tuple(entries) for key, entries in paired.items()}
        self.shared: dict[int, tuple[int, ...]] = {}
        self.automaton = self._build_automaton()
        self.senses = {key: sense for (_, sense), key in self._judged.items()}
        self.guarded = frozenset(self.senses)
        self.raw_readers = frozenset(key for key, sense in self.senses.items() if sense.reads_raw)
        # how a judged key is spelled in a scan string, to find its occurrences with str.find
        self.spelled = {
            key: [f" {form} " for form in written_forms(tokens, self.spellings)]
            for (tokens, _), key in self._judged.items()
        }
        # key with a sense → the queries holding it: it is judged only when one is a candidate
        holders: dict[int, set[int]] = defaultdict(set)
        for number, compiled in enumerate(self._queries):
            for term in compiled.terms:
                if term.sense is not None:
                    holders[self._key(term)].add(number)
        self._holders = {key: frozenset(numbers) for key, numbers in holders.items()}
        # judged key → the queries it is an anchor of: when judging drops the key, only these
        # can stop being candidates
        anchoring: dict[int, set[int]] = defaultdict(set)
        for number, (first, then) in self._plans.items():
            for key in self.guarded & first.union(then):
                anchoring[key].add(number)
        self._anchoring = {key: frozenset(numbers) for key, numbers in anchoring.items()}

    @property
    def watch_count(self) -> int:
        return len(self.watch_ids)

    @cached_property
    def watch_ids(self) -> frozenset[int]:
        return frozenset(watch.id for compiled in self._queries for watch in compiled.watches)

    @property
    def query_count(self) -> int:
        return len(self._queries)

    def match(self, document: Document, fields: dict[str, str] | None = None) -> list[QueryMatch]:
        """Every query that fires on the document, each with the watches that hold it.

        `fields` are the document's `scan_fields`, when the caller has them already.
        """
        if not self._queries:
            return []
        # a copy: the scan may respell the strings, and the caller may pass them on
        scan = _Scan(self, dict(fields) if fields else scan_fields(document), document)
        candidates = self._candidates(scan.found)
        judged = scan.found & self.guarded
        if judged:
            needed = {key for key in judged if not candidates.isdisjoint(self._holders[key])}
            dropped = scan.judge(self, needed) if needed else ()
            if dropped:
                found, plans = scan.found, self._plans
                anchoring = self._anchoring
                affected = set().union(*(anchoring.get(key, ()) for key in dropped))
                for number in affected & candidates:
                    primary, secondary = plans[number]
                    if found.isdisjoint(primary) or (secondary and found.isdisjoint(secondary)):
                        candidates.discard(number)
        return [
            QueryMatch(compiled, scan, compiled.watches)
            for compiled in map(self._queries.__getitem__, candidates)
            if compiled.test is None or compiled.test(scan, document)
        ]

    def _candidates(self, found: set[int]) -> set[int]:
        """Queries an anchor hit makes possible (see `_anchor_plan`)."""
        # one dictionary probe per found key (a value not a key, a needle, finds nothing)
        alone = set(map(self._alone_one.get, found))
        alone.discard(None)
        candidates = cast(set[int], alone)
        for numbers in filter(None, map(self._alone.get, found)):
            candidates.update(numbers)
        for entries in filter(None, map(self._paired.get, found)):
            for number, secondary in entries:
                if not found.isdisjoint(secondary):
                    candidates.add(number)
        return candidates

    def spans(self, term: Term, scan: _Scan) -> list[Span]:
        key = (
            self._plain[term.tokens]
            if term.sense is None
            else self._judged[term.tokens, term.sense]
        )
        return scan.spans(key, len(term.tokens), term.title_only)

    def _key(self, term: Term) -> int:
        if term.sense is None:
            return self._plain.setdefault(term.tokens, self._key_count())
        key = self._judged.setdefault((term.tokens, term.sense), self._key_count())
        self._sensed.add(key)
        return key

    def _key_count(self) -> int:
        return len(self._plain) + len(self._judged)

    def _all_keys(self) -> Iterator[tuple[tuple[str, ...], int]]:
        """Every key's tokens and number."""
        yield from self._plain.items()
        for (tokens, _), key in self._judged.items():
            yield tokens, key

    def canonical_region(self, text: str, hits: list[tuple[int, int]]) -> tuple[str, str]:
        """The scan string in canonical spelling around its other spellings, and those regions.

        Only there can a respelled word complete a phrase: each region reaches as far as the
        longest such phrase on either side of the word. The regions come back joined by a
        space, to be scanned at once.
        """
        regions: list[list[int]] = []
        for end in sorted(end for end, value in hits if value in self.rescan):
            start = text.rfind(" ", 0, max(0, text.rfind(" ", 0, end) - self.reach) + 1)
            stop = text.find(" ", min(len(text) - 1, end + self.reach))
            if regions and start <= regions[-1][1]:
                regions[-1][1] = stop
            else:
                regions.append([start, stop])
        pieces, scanned, last = [], [], 0
        for start, stop in regions:
            region = self.canonical(text[start : stop + 1])
            pieces += [text[last:start], region]
            scanned.append(region)
            last = stop + 1
        pieces.append(text[last:])
        return "".join(pieces), "".join(scanned)

    def canonical(self, text: str) -> str:
        """A scan string with every word in canonical spelling (see `context.Spellings`)."""
        if self._respelling is None:
            return text
        table = self.spellings.canonical
        return self._respelling.sub(lambda m: table[m[0]], text)

    @cached_property
    def _respelling(self) -> re.Pattern[str] | None:
        words = sorted(self.spellings.canonical, key=len, reverse=True)
        if not words:
            return None
        # whole words of a scan string, a clitic mark allowed after them
        alternatives = "|".join(map(re.escape, words))
        return re.compile(f"(?<= )(?:{alternatives})(?=[ {CLITIC_MARK}])")

    def _anchor_plan(self, root: Node) -> tuple[set[int], tuple[int, ...]]:
        """Keys that make a query a candidate, and keys of which one must also occur (or none).

        An AND needs all its anchored children: it is filed under its rarest-looking child, and
        the next rarest child's keys filter candidates before any evaluation; NEAR likewise with
        its two sides.
        """
        sides: list[Node]
        if isinstance(root, Near):
            sides = sorted((root.left, root.right), key=_commonness)
        elif isinstance(root, And):
            sides = sorted((c for c in root.children if anchored(c)), key=_commonness)
        else:
            return self._anchor_keys(root), ()
        secondary = tuple(self._anchor_keys(sides[1])) if len(sides) > 1 else ()
        return self._anchor_keys(sides[0]), secondary

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
            for term in compiled.terms:
                self._key(term)
        # A spelling of one key stores that key; one shared by several keys ("UN" is a form of
        # the acronym UN and of the word un) stores a number past the keys, listed in shared.
        automaton = ahocorasick.Automaton()
        self._numbers = itertools.count(self._key_count())  # values past the keys
        self.reach = 0  # the longest phrase spelling: how far a respelled word can matter
        canonicals = set(self.spellings.canonical.values())
        phrase_words: set[str] = set()
        for tokens, key in self._all_keys():
            if len(tokens) > 1:
                phrase_words.update(tokens)
            respelled = len(tokens) > 1 and not canonicals.isdisjoint(tokens)
            for form in written_forms(tokens, self.spellings):
                spelled = f" {form} "
                self.reach = max(self.reach, len(spelled) if respelled else 0)
                present = automaton.get(spelled, None)
                if present is None:
                    automaton.add_word(spelled, key)
                elif present in self.shared:
                    self.shared[present] += (key,)
                else:
                    number = next(self._numbers)
                    self.shared[number] = (present, key)
                    automaton.add_word(spelled, number)
        needles = self._needles(automaton, phrase_words, canonicals)
        # Another spelling of a word some phrase contains makes the document be scanned again
        # in canonical spelling: it stores MARKER, or a number of its own listed in shared.
        rescan = {MARKER}
        for word, canonical in self.spellings.canonical.items():
            if canonical not in phrase_words:
                continue
            for spelled in (f" {word} ", f" {word}{CLITIC_MARK} "):
                present = automaton.get(spelled, None)
                if present is None:
                    automaton.add_word(spelled, MARKER)
                    continue
                number = next(self._numbers)
                self.shared[number] = self.shared.get(present, (present,))
                automaton.add_word(spelled, number)
                rescan.add(number)
        self.rescan = frozenset(rescan)
        # judged key → the automaton values of its needles
        needles_of: dict[int, set[int]] = defaultdict(set)
        for number, keys in needles.items():
            for key in keys:
                needles_of[key].add(number)
        self.needles_of = {key: frozenset(needles_of.get(key, ())) for key in self._judged.values()}
        if self._key_count():
            automaton.make_automaton()
        return automaton

    def _needles(
        self, automaton: ahocorasick.Automaton, phrase_words: set[str], canonicals: set[str]
    ) -> dict[int, frozenset[int]]:
        """Add the context needles of judged keys (`Sense.needles`) to the automaton.

        A needle's spelling stores a number of its own (listed in shared when it also spells
        a key); the result maps it to the keys it makes suspect.
        """
        suspects: dict[int, set[int]] = defaultdict(set)
        for (_, sense), key in list(self._judged.items()):
            for needle in sense.needles():
                phrase_words.update(needle)
                respelled = not canonicals.isdisjoint(needle)
                for form in written_forms(needle):
                    spelled = f" {form} "
                    self.reach = max(self.reach, len(spelled) if respelled else 0)
                    present = automaton.get(spelled, None)
                    if present is None or present not in suspects:
                        number = next(self._numbers)
                        if present is not None:
                            self.shared[number] = self.shared.get(present, (present,))
                        automaton.add_word(spelled, number)
                        present = number
                    suspects[present].add(key)
        return {number: frozenset(keys) for number, keys in suspects.items()}

    def _compile_query(self, root: Node) -> Test | None:
        """A query's test; None when any anchor hit is a match (a plain term and its aliases)."""
        if isinstance(root, AnyOf) and not any(term.title_only for term in root.terms):
            return None
        flat = self._conjunction(root)
        return self._compile(root) if flat is None else _Conjunction(*flat)

    def _conjunction(self, root: Node) -> tuple[tuple[Need, ...], Need] | None:
        """An AND of terms, ORs of terms and excluded terms as sets of keys, when it is one."""
        children = root.children if isinstance(root, And) else (root,)
        needs: list[Need] = []
        excluded: list[Need] = []
        for child in children:
            target, node = (excluded, child.child) if isinstance(child, Not) else (needs, child)
            alternatives = node.children if isinstance(node, Or) else (node,)
            if not all(isinstance(a, AnyOf) for a in alternatives):
                return None
            terms = [t for a in alternatives for t in a.terms]  # type: ignore[union-attr]
            target.append(self._need(terms))
        anywhere = tuple({key for need in excluded for key in need[0]})
        in_title = tuple({key for need in excluded for key in need[1]})
        return tuple(needs), (anywhere, in_title)

    def _need(self, terms: Sequence[Term]) -> Need:
        return (
            tuple({self._key(t) for t in terms if not t.title_only}),
            tuple({self._key(t) for t in terms if t.title_only}),
        )

    def _compile(self, node: Node) -> Test:
        """The node as a function of a scan: closures instead of walking the tree per article."""
        if isinstance(node, AnyOf):
            return self._compile_any_of(node)
        if isinstance(node, Not):
            inner = self._compile(node.child)
            return lambda scan, document: not inner(scan, document)
        if isinstance(node, Source):
            return lambda scan, document: source_matches(node, document)
        if isinstance(node, Near):
            return self._compile_near(node)
        children = tuple(self._compile(child) for child in node.children)
        if isinstance(node, And):
            if len(children) == 2:
                first, second = children
                return lambda scan, document: first(scan, document) and second(scan, document)
            return lambda scan, document: all(child(scan, document) for child in children)
        if len(children) == 2:
            first, second = children
            return lambda scan, document: first(scan, document) or second(scan, document)
        return lambda scan, document: any(child(scan, document) for child in children)

    def _compile_any_of(self, node: AnyOf) -> Test:
        anywhere, in_title = self._need(node.terms)
        return lambda scan, document: (
            not (scan.found.isdisjoint(anywhere) and scan.title_keys.isdisjoint(in_title))
        )

    def _compile_near(self, node: Near) -> Test:
        """Both sides occur, then some pair of their occurrences is close enough.

        The closure holds key numbers, not the index, so an index has no reference cycle and
        is freed as soon as it is replaced.
        """
        left, right = self._compile_any_of(node.left), self._compile_any_of(node.right)
        left_terms = [(self._key(t), len(t.tokens), t.title_only) for t in node.left.terms]
        right_terms = [(self._key(t), len(t.tokens), t.title_only) for t in node.right.terms]
        distance = node.distance

        def test(scan: _Scan, document: Document) -> bool:
            if not (left(scan, document) and right(scan, document)):
                return False
            lefts = [span for term in left_terms for span in scan.spans(*term)]
            rights = [span for term in right_terms for span in scan.spans(*term)]
            return near(lefts, rights, distance)

        return test


Need = tuple[tuple[int, ...], tuple[int, ...]]  # keys that count anywhere, keys only in titles


class _Conjunction:
    """The test of an AND of terms, ORs of terms and exclusions: all needs met, nothing excluded.

    A slotted object rather than a closure: it is the test of most queries, and this halves
    what each costs in memory.
    """

    __slots__ = ("excluded", "needs")

    def __init__(self, needs: tuple[Need, ...], excluded: Need) -> None:
        self.needs, self.excluded = needs, excluded

    def __call__(self, scan: _Scan, document: Document) -> bool:
        found, title = scan.found, scan.title_keys
        if not (found.isdisjoint(self.excluded[0]) and title.isdisjoint(self.excluded[1])):
            return False
        for anywhere, in_title in self.needs:
            if found.isdisjoint(anywhere) and title.isdisjoint(in_title):
                return False
        return True


def _merged(spellings: Iterable[Spellings]) -> Spellings:
    """One spelling table for an index (its queries normally share one lexicon's)."""
    tables = list(spellings)
    if len(tables) == 1:
        return tables[0]
    merged = Spellings()
    for table in tables:
        merged.canonical.update(table.canonical)
    return merged


def parse_watches(
    watches: Iterable[Watch], aliases: AliasTable
) -> tuple[list[tuple[Watch, Query]], list[tuple[Watch, QueryError]]]:
    """Parse every watch's query with the current aliases; report the ones refused."""
    entries, refused = [], []
    with collector_paused():
        for watch in watches:
            try:
                entries.append((watch, parse_query(watch.query, aliases)))
            except QueryError as exc:
                refused.append((watch, exc))
    return entries, refused


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building.

    A build creates millions of objects, and each allocation burst makes the collector walk
    all of them again: at 100,000 watches that doubled the build time and, since a collection
    holds the GIL, stalled the event loop for most of a second. Reference counting still frees
    everything that is dropped in the meantime.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
