"""Matching: which watches an article satisfies.

Rules (the plain-words stage; the query language comes later):
- Text and watch are compared as sequences of word tokens after Unicode NFKC and casefold, so
  case never matters and punctuation or hyphens separate words ("Rusia-Ukraina" has "Rusia").
- A watch of several words is a phrase: its tokens must appear consecutively. `Korea Utara`
  matches "…Presiden Korea Utara Kim…" and not "Korea Selatan" nor "Korea, Utara".
- Whole words only: `Rusia` does not match "Prusia".
- The title and the summary are matched as one text, with a boundary between them so a phrase
  cannot straddle the two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import StoredArticle, Watch

_WORD = re.compile(r"\w+")
_BOUNDARY = "\x00"


def normalize(text: str) -> str:
    """The form in which watches and texts are compared."""
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str) -> tuple[str, ...]:
    """The words of a text in comparable form; a watch with none can never match."""
    return tuple(_WORD.findall(normalize(text)))


@dataclass(frozen=True)
class Matcher:
    """Watches compiled once, tried against many articles."""

    phrases: tuple[tuple[Watch, tuple[str, ...]], ...]

    @classmethod
    def build(cls, watches: Iterable[Watch]) -> Matcher:
        compiled = ((watch, tokens(watch.query)) for watch in watches)
        return cls(tuple((watch, phrase) for watch, phrase in compiled if phrase))

    def match(self, article: StoredArticle) -> list[Watch]:
        """The watches that fire on this article, in the order they were given."""
        text = (*tokens(article.title), _BOUNDARY, *tokens(article.summary))
        return [watch for watch, phrase in self.phrases if _contains(text, phrase)]


def _contains(text: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    width = len(phrase)
    first = phrase[0]
    return any(
        text[start : start + width] == phrase for start, token in enumerate(text) if token == first
    )
