"""How a watch query is understood, in words for the /watch reply and /list.

Rules:
- One line per term that stands for more than itself: its synonyms, its other spellings, and
  what its occurrences are told apart from ("AS: Amerika Serikat, USA; not AS Roma, AS Monaco,
  initials"). A term matched exactly as written (`=Korut`, a word in no alias group and with
  no other spelling) gets no line.
- Examples of what it is not come from the data (rule labels first, then longer names), the
  typed term's before its synonyms', at most `MAX_CASES`; the general rules of the typed term
  (initials, namesakes, another country's institution) are named after them.
- The words come from `bot.texts` in the chat's language; names and examples as the data
  writes them. Every value is escaped (Telegram HTML).
"""

from __future__ import annotations

from bot.match.query import AnyOf, Query
from bot.match.text import words
from bot.texts import text

MAX_CASES = 4


def explain(query: Query, language: str) -> list[str]:
    """The query's terms that stand for more than themselves, one line each."""
    lines = []
    for node in query.any_of():
        others = [term.typed.strip('"') for term in node.terms[1:]]
        spelled = _spellings(query, node)
        cases = _cases(node, language)
        if not (others or spelled or cases):
            continue
        if others:
            parts = [text(language, "explain_term", term=node.typed, synonyms=", ".join(others))]
        else:
            parts = [text(language, "explain_alone", term=node.typed)]
        if spelled:
            parts.append(text(language, "explain_spelled", spellings=", ".join(spelled)))
        if cases:
            parts.append(text(language, "explain_not", cases=", ".join(cases)))
        lines.append("; ".join(parts))
    return lines


def _spellings(query: Query, node: AnyOf) -> list[str]:
    """The other spellings of the typed term's words ("China, Tiongkok" for Cina)."""
    typed = {word.casefold() for word in words(node.typed)}
    found: list[str] = []
    for token in node.terms[0].tokens:
        variants = query.spellings.spellings_of(token)
        if len(variants) > 1:
            found += [word for word in variants if word not in typed]
    return list(dict.fromkeys(word.capitalize() for word in found))


def _cases(node: AnyOf, language: str) -> list[str]:
    """Examples of what the terms' occurrences are not, then the typed term's general rules."""
    examples = [label for term in node.terms if term.sense for label in term.sense.labels]
    shown = list(dict.fromkeys(examples))
    if len(shown) > MAX_CASES:
        shown = [*shown[:MAX_CASES], "…"]
    sense = node.terms[0].sense
    if sense is None:
        return shown
    general = [
        key
        for key, applies in (
            ("explain_initials", sense.acronym),
            ("explain_namesakes", bool(sense.person)),
            ("explain_foreign", sense.national),
        )
        if applies
    ]
    return [*shown, *(text(language, key) for key in general)]
