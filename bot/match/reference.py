"""The reference evaluator: the query semantics written plainly, slow and obviously right.

It walks the word tokens of each field and compares term tokens one by one with the rules of
`text`, without any index. It is what the property test holds the fast index to; use it for
nothing that needs speed.
"""

from __future__ import annotations

from bot.match.index import BODY, TITLE, Document, near, source_matches
from bot.match.query import And, AnyOf, Node, Not, Or, Query, Source, Term
from bot.match.text import CLITIC_MARK, base, is_acronym, words


def token_equals(term_token: str, text_token: str, last: bool) -> bool:
    """Does a text token count as this term token? (The rules of `text`, one by one.)"""
    if is_acronym(term_token):
        return text_token == term_token
    if is_acronym(text_token):
        return text_token.casefold() == term_token
    if base(text_token) == base(term_token):
        return True
    return last and base(term_token) == term_token and base(text_token) == term_token + CLITIC_MARK


def occurrences(term: Term, fields: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    """Every (field, start, end) where the term's tokens stand consecutively."""
    found = []
    width = len(term.tokens)
    for field, tokens in fields.items():
        if term.title_only and field != TITLE:
            continue
        for start in range(len(tokens) - width + 1):
            if all(
                token_equals(term.tokens[i], tokens[start + i], i == width - 1)
                for i in range(width)
            ):
                found.append((field, start, start + width))
    return found


def evaluate(query: Query, document: Document) -> bool:
    """True when the query matches the document."""
    fields = {TITLE: words(document.title), BODY: words(document.body)}
    return _holds(query.root, fields, document)


def _holds(node: Node, fields: dict[str, list[str]], document: Document) -> bool:
    if isinstance(node, AnyOf):
        return any(occurrences(term, fields) for term in node.terms)
    if isinstance(node, And):
        return all(_holds(child, fields, document) for child in node.children)
    if isinstance(node, Or):
        return any(_holds(child, fields, document) for child in node.children)
    if isinstance(node, Not):
        return not _holds(node.child, fields, document)
    if isinstance(node, Source):
        return source_matches(node, document)
    left = [o for term in node.left.terms for o in occurrences(term, fields)]
    right = [o for term in node.right.terms for o in occurrences(term, fields)]
    return near(left, right, node.distance)
