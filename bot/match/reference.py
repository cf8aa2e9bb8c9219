"""The reference evaluator: the query semantics written plainly, slow and obviously right.

It walks the word tokens of each field and compares term tokens one by one with the rules of
`text`, without any index: every token in comparable form (`base`) and canonical spelling, the
neighbours of an occurrence read from the full token list. The context rules themselves
(`context.judge`) are shared with the index; what the index does differently — keys, other
spellings as keys, scan-string slicing, rescanning in canonical spelling, judging only what a
candidate needs — is what the property test holds to this. Use it for nothing that needs speed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.match.context import BODY, TITLE, WINDOW, Page, Spellings, judge
from bot.match.index import Document, near, source_matches
from bot.match.query import And, AnyOf, Node, Not, Or, Query, Source, Term
from bot.match.text import CLITIC_MARK, base, clean, is_acronym, words


def token_equals(term_token: str, text_token: str, last: bool) -> bool:
    """Does a text token count as this term token? (The rules of `text`, one by one.)"""
    if is_acronym(term_token):
        return text_token == term_token
    if is_acronym(text_token):
        return text_token.casefold() == term_token
    if base(text_token) == base(term_token):
        return True
    return last and base(term_token) == term_token and base(text_token) == term_token + CLITIC_MARK


@dataclass
class _Field:
    name: str
    tokens: list[str]
    text: str


@dataclass
class _Spot:
    """An occurrence read the plain way: slices of the token list."""

    place: _Field
    start: int
    end: int

    @property
    def field(self) -> str:
        return self.place.name

    def before(self) -> list[str]:
        return self.place.tokens[max(0, self.start - WINDOW) : self.start]

    def after(self) -> list[str]:
        return self.place.tokens[self.end : self.end + WINDOW]


def occurrences(term: Term, fields: dict[str, _Field], page: Page) -> list[tuple[str, int, int]]:
    """Every (field, start, end) where the term's tokens stand consecutively and count."""
    found = []
    width = len(term.tokens)
    for field in fields.values():
        tokens = field.tokens
        for start in range(len(tokens) - width + 1):
            if all(
                token_equals(term.tokens[i], tokens[start + i], i == width - 1)
                for i in range(width)
            ):
                found.append(_Spot(field, start, start + width))
    if term.sense is not None:
        found = [s for s, ok in zip(found, judge(term.sense, found, page), strict=True) if ok]
    return [(s.field, s.start, s.end) for s in found if not term.title_only or s.field == TITLE]


def evaluate(query: Query, document: Document) -> bool:
    """True when the query matches the document."""
    spellings = query.spellings
    fields = {
        TITLE: _field(TITLE, document.title, spellings),
        BODY: _field(BODY, document.body, spellings),
    }
    page = Page({name: f.text for name, f in fields.items()})
    return _holds(query.root, fields, document, page)


def _field(name: str, text: str, spellings: Spellings) -> _Field:
    tokens = [spellings.token(base(token)) for token in words(text)]
    return _Field(name, tokens, clean(text))


def _holds(node: Node, fields: dict[str, _Field], document: Document, page: Page) -> bool:
    if isinstance(node, AnyOf):
        return any(occurrences(term, fields, page) for term in node.terms)
    if isinstance(node, And):
        return all(_holds(child, fields, document, page) for child in node.children)
    if isinstance(node, Or):
        return any(_holds(child, fields, document, page) for child in node.children)
    if isinstance(node, Not):
        return not _holds(node.child, fields, document, page)
    if isinstance(node, Source):
        return source_matches(node, document)
    left = [o for term in node.left.terms for o in occurrences(term, fields, page)]
    right = [o for term in node.right.terms for o in occurrences(term, fields, page)]
    return near(left, right, node.distance)
