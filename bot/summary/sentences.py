"""Cleaned text to sentences, paragraph by paragraph.

Rules:
- A paragraph (a line of the cleaned text) is never merged with the next: a paragraph without a
  closing full stop (a heading, a list item, a cut caption) is a sentence of its own.
- Inside a paragraph, sentences end at ".", "!" or "?" followed by a space and a capital, digit
  or quote — not after a known abbreviation ("Jl.", "dr.", "No.", "U.S.") or a single-letter
  initial, and never inside a number ("42,7", "9.000").
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "jl no dr drs ir prof h hj st tn ny sdr kec kab prov rp hlm dll dsb dkk tsb yth a.n u.s "
    "s.h s.e m.si m.m vs mr mrs ms inc ltd co corp jr sr".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)]*\s+(?=[\"“'‘(]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# How far back from a "." a word is looked for: longer than any abbreviation, and a fixed bound
# keeps splitting linear in the paragraph's length (a 75 KB paragraph has thousands of dots).
_LOOK_BACK = 32


def paragraphs(text: str) -> list[list[str]]:
    """The sentences of each non-empty paragraph, in order."""
    found = [split_paragraph(line) for line in text.splitlines()]
    return [sentences for sentences in found if sentences]


def sentences(text: str) -> list[str]:
    """The text's sentences, in order (see the module rules)."""
    return [sentence for paragraph in paragraphs(text) for sentence in paragraph]


def split_paragraph(paragraph: str) -> list[str]:
    """One paragraph's sentences."""
    found: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(paragraph):
        if _abbreviation_before(paragraph, end.start()):
            continue
        piece = paragraph[start : end.start() + len(end.group().rstrip())].strip()
        if piece:
            found.append(piece)
        start = end.end()
    rest = paragraph[start:].strip()
    if rest:
        found.append(rest)
    return [" ".join(sentence.split()) for sentence in found]


def _abbreviation_before(text: str, dot: int) -> bool:
    """Is the "." at `dot` the end of an abbreviation or an initial rather than a sentence?"""
    if text[dot] != ".":
        return False
    word = _WORD_BEFORE.search(text, max(0, dot - _LOOK_BACK), dot)
    if word is None:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
