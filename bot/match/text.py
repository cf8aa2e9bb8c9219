"""Text as the matcher sees it: a sequence of word tokens in a comparable form.

Rules (they define what "matches" means, for the fast index and the reference evaluator alike):
- Unicode NFKC, then accents removed (NFKD without combining marks), zero-width characters
  dropped. Anything that is not a letter or digit separates words, so hyphens, dashes and
  punctuation split: "Rusia-Ukraina" is `rusia ukraina`, "(Rusia)," is `rusia`.
- Words are casefolded, except an acronym: a word of one to three ASCII capitals ("UN", "AS",
  "DPR") keeps its case, so it only ever equals another acronym in capitals.
- Clitics: a word of four or more letters followed by -nya, -lah, -kah or -pun (written on or
  hyphenated) still counts as the word: "Putinnya" and "Rusia-lah" contain `putin` and `rusia`.
"""

from __future__ import annotations

import re
import unicodedata

CLITICS = ("nya", "lah", "kah", "pun")
MIN_CLITIC_HOST = 4
_WORD = re.compile(r"\w+")
_ACRONYM = re.compile(r"(?<!\w)([A-Z]{1,3})(?!\w)")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean(text: str) -> str:
    """NFKC, no accents, no invisible characters; case and punctuation kept."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text)
    return text


def fold(text: str) -> str:
    """Casefold everything but acronyms, after `clean`."""
    pieces = _ACRONYM.split(clean(text))
    # split() with one group alternates: text, acronym, text, acronym, ..., text
    return "".join(piece if index % 2 else piece.casefold() for index, piece in enumerate(pieces))


def words(text: str) -> list[str]:
    """The comparable word tokens of a text."""
    return _WORD.findall(fold(text))


def is_acronym(token: str) -> bool:
    """True for a folded token that kept its capitals (see `fold`)."""
    return token.isascii() and token.isupper() and len(token) <= 3


def clitic_host(token: str) -> str | None:
    """The word a clitic is attached to ("putinnya" → "putin"), if any."""
    for clitic in CLITICS:
        if token.endswith(clitic) and len(token) - len(clitic) >= MIN_CLITIC_HOST:
            return token[: -len(clitic)]
    return None
